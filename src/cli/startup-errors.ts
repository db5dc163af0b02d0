/**
 * What stopped a start, as one line naming what and where: "cannot reach PostgreSQL at db:5432/purse
 * (DATABASE_URL): connection refused". Never a stack trace for an operator's environment problem.
 */
export class StartupError extends Error {
  override name = 'StartupError';
}

const REASONS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'address not available on this machine',
  EACCES: 'permission denied',
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host not found (DNS lookup failed)',
  ETIMEDOUT: 'timed out',
  EHOSTUNREACH: 'host unreachable',
  ENOENT: 'no such file or directory',
  SQLITE_CANTOPEN: 'cannot open the file',
};

/** A short reason for a low-level failure: its errno in words, or the first line of its message. */
export function reasonOf(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; errors?: unknown[]; cause?: unknown };
  // fetch() says only "fetch failed"; the reason is its cause.
  if (e.message === 'fetch failed' && e.cause) return reasonOf(e.cause);
  // The failover pool's "no writable host" carries the connection error behind it.
  if ((err as Error).name === 'DatabaseUnavailable' && e.cause) return reasonOf(e.cause);
  // Connecting to "localhost" tries ::1 and 127.0.0.1; Node reports both in an AggregateError.
  if (Array.isArray(e.errors) && e.errors.length > 0) return reasonOf(e.errors[0]);
  if (typeof e.code === 'string' && REASONS[e.code]) return REASONS[e.code]!;
  const message = typeof e.message === 'string' && e.message !== '' ? e.message : String(err);
  return message.split('\n')[0]!.replace(/^connect /, '');
}

/** Runs one start-up step; its failure becomes a StartupError "<what>: <reason>". */
export async function startupStep<T>(what: string, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (err) {
    if (err instanceof StartupError) throw err;
    throw new StartupError(`${what}: ${reasonOf(err)}`);
  }
}

export function describeStartupError(err: unknown): string | undefined {
  return err instanceof StartupError ? `purse: ${err.message}` : undefined;
}

/** Where a database is, without its password: "PostgreSQL at db.internal:5432/purse" or "SQLite database at ./data/purse.sqlite". */
export function describeDatabase(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) return `SQLite database at ${databaseUrl.slice('sqlite:'.length)}`;
  return `PostgreSQL at ${hostAndPath(databaseUrl, 5432)}`;
}

/** Which Stripe a command talks to: the real one (or STRIPE_API_URL), or the sandbox that `purse serve` runs. */
export function describeStripe(config: { stripeSecretKey: string | undefined; stripeApiUrl: string | undefined; stripeSandboxPort: number }): string {
  if (!config.stripeSecretKey) return `the built-in Stripe sandbox at 127.0.0.1:${config.stripeSandboxPort} (STRIPE_SANDBOX_PORT; it runs inside purse serve)`;
  return `Stripe at ${config.stripeApiUrl ? hostAndPath(config.stripeApiUrl, 443) : 'api.stripe.com'} (STRIPE_SECRET_KEY)`;
}

/** "redis.internal:6379" from a redis:// URL, without credentials. */
export function describeRedis(redisUrl: string): string {
  return `Redis at ${hostAndPath(redisUrl, 6379)}`;
}

function hostAndPath(raw: string, defaultPort: number): string {
  try {
    const url = new URL(raw);
    const path = url.pathname.length > 1 ? url.pathname : '';
    return `${url.hostname || 'localhost'}:${url.port || defaultPort}${path}`;
  } catch {
    return '(unparseable URL)';
  }
}
