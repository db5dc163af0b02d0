import { type Config, parseConfig } from '../config/config.ts';
import { pingRedis } from '../ratelimit/redis-limiter.ts';
import { openStore } from '../store/db.ts';
import { pendingMigrations } from '../store/migrate.ts';
import { SANDBOX_SECRET_KEY, stripeClient } from '../gateway/stripe-gateway.ts';
import { EVENT_HANDLERS } from '../stripe/event-table.ts';
import { checkReplication } from './doctor-replication.ts';
import { type Options, output } from './output.ts';
import { describeDatabase, describeRedis, reasonOf } from './startup-errors.ts';

export interface DoctorCheck {
  name: string;
  ok: boolean;
  detail: string;
}

const EXIT_OK = 0;
const EXIT_PROBLEM = 1;
const PUBLIC_URL_TIMEOUT_MS = 5_000;
const WEBHOOK_PATH = '/v1/webhooks/stripe';
const WEBHOOK_ENDPOINTS_PAGE = 100;

/**
 * `purse doctor [--json]`: checks a deployment from where it runs, changing nothing. Exit 0 only if
 * every check passes; each failure says what and where.
 */
export async function doctorCommand(opts: Options): Promise<number> {
  const config = parseConfig(process.env);
  const replication = await checkReplication(config);
  const checks = [await checkDatabase(config), ...(replication ? [replication] : []), ...(await checkStripe(config)), await checkRedis(config), await checkPublicUrl(config)];
  const ok = checks.every((c) => c.ok);
  output(opts, { ok, checks }, [...checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}: ${c.detail}`), ok ? 'all checks passed' : 'some checks FAILED'].join('\n'));
  return ok ? EXIT_OK : EXIT_PROBLEM;
}

async function attempt(name: string, where: string, work: () => Promise<string>): Promise<DoctorCheck> {
  try {
    return { name, ok: true, detail: await work() };
  } catch (err) {
    return { name, ok: false, detail: `${where}: ${reasonOf(err)}` };
  }
}

async function checkDatabase(config: Config): Promise<DoctorCheck> {
  const where = describeDatabase(config.databaseUrl);
  return attempt('database', where, async () => {
    const store = openStore(config.databaseUrl, { mustExist: true });
    try {
      await store.ping();
      const pending = await pendingMigrations(store);
      if (pending.length > 0) throw new Error(`reachable but not migrated (pending: ${pending.join(', ')}; run purse migrate)`);
      return `${where}, reachable and migrated`;
    } finally {
      await store.close();
    }
  });
}

/** The key answers and is in the mode the environment expects; the webhook endpoint exists for our events. */
async function checkStripe(config: Config): Promise<DoctorCheck[]> {
  if (!config.stripeSecretKey) {
    return [{ name: 'stripe', ok: config.env !== 'production', detail: 'STRIPE_SECRET_KEY unset: the built-in sandbox (development only)' }];
  }
  const client = stripeClient({ secretKey: config.stripeSecretKey ?? SANDBOX_SECRET_KEY, apiUrl: config.stripeApiUrl, timeoutMs: config.stripeTimeoutMs });
  const live = config.stripeSecretKey.includes('_live_');
  const wantLive = config.env === 'production';
  const key = await attempt('stripe', `Stripe at ${config.stripeApiUrl ?? 'api.stripe.com'} (STRIPE_SECRET_KEY)`, async () => {
    await client.customers.list({ limit: 1 });
    if (live !== wantLive) throw new Error(`key is in ${live ? 'live' : 'test'} mode but PURSE_ENV=${config.env} expects ${wantLive ? 'live' : 'test'} mode`);
    return `key valid, ${live ? 'live' : 'test'} mode`;
  });
  const url = `${config.publicUrl}${WEBHOOK_PATH}`;
  const webhook = await attempt('stripe webhook', `webhook endpoint ${url}`, async () => {
    const endpoints = await client.webhookEndpoints.list({ limit: WEBHOOK_ENDPOINTS_PAGE });
    const endpoint = endpoints.data.find((e) => e.url === url);
    if (!endpoint) throw new Error('not registered at Stripe (add it in the Dashboard, Developers → Webhooks)');
    if (endpoint.status !== 'enabled') throw new Error(`registered but ${endpoint.status}`);
    const missing = endpoint.enabled_events.includes('*') ? [] : Object.keys(EVENT_HANDLERS).filter((e) => !endpoint.enabled_events.includes(e));
    if (missing.length > 0) throw new Error(`registered but not sent ${missing.join(', ')}`);
    return `${url} registered for every event Purse handles`;
  });
  return [key, webhook];
}

async function checkRedis(config: Config): Promise<DoctorCheck> {
  if (!config.redisUrl) return { name: 'redis', ok: true, detail: 'REDIS_URL unset: rate limits are per instance' };
  const where = describeRedis(config.redisUrl);
  return attempt('redis', `${where} (REDIS_URL)`, async () => {
    await pingRedis(config.redisUrl!);
    return `${where}, reachable`;
  });
}

/** What customers and Stripe are sent to must answer Purse's liveness check. */
async function checkPublicUrl(config: Config): Promise<DoctorCheck> {
  const url = `${config.publicUrl}/healthz`;
  return attempt('public url', `${url} (PUBLIC_URL)`, async () => {
    const res = await fetch(url, { signal: AbortSignal.timeout(PUBLIC_URL_TIMEOUT_MS) });
    if (!res.ok) throw new Error(`answered HTTP ${res.status}`);
    return `${url} answers`;
  });
}
