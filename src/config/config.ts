/**
 * Every environment variable Purse reads, parsed once at boot by one schema.
 * A bad value fails fast with a message that names the variable.
 */
export type PurseEnv = 'development' | 'test' | 'production';
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

export interface Config {
  env: PurseEnv;
  host: string;
  port: number;
  databaseUrl: string;
  dataDir: string;
  adminKey: string | undefined;
  masterKey: string | undefined;
  publicUrl: string;
  redisUrl: string | undefined;
  rateLimitPerMinute: number;
  logLevel: LogLevel;
  stripeSecretKey: string | undefined;
  stripeApiUrl: string | undefined;
  stripeWebhookSecrets: string[];
  stripeSandboxPort: number;
}

export class ConfigError extends Error {
  constructor(readonly variable: string, problem: string) {
    super(`Invalid configuration: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

const ADMIN_KEY_LENGTH_MIN = 24;
const MASTER_KEY_LENGTH_MIN = 32;
const PORT_MAX = 65535;
const DEFAULT_PORT = 8080;
const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
const DEFAULT_SANDBOX_PORT = 12111;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ENVS: readonly PurseEnv[] = ['development', 'test', 'production'];

type Env = Record<string, string | undefined>;

export function parseConfig(env: Env): Config {
  const purseEnv = oneOf(env, 'PURSE_ENV', ENVS, 'development');
  const port = integer(env, 'PORT', DEFAULT_PORT, 0, PORT_MAX);
  const dataDir = text(env, 'PURSE_DATA_DIR') ?? './data';
  const config: Config = {
    env: purseEnv,
    host: text(env, 'HOST') ?? '127.0.0.1',
    port,
    databaseUrl: databaseUrl(env, dataDir),
    dataDir,
    adminKey: secret(env, 'PURSE_ADMIN_KEY', ADMIN_KEY_LENGTH_MIN),
    masterKey: secret(env, 'PURSE_MASTER_KEY', MASTER_KEY_LENGTH_MIN),
    publicUrl: httpUrl(env, 'PUBLIC_URL') ?? `http://localhost:${port}`,
    redisUrl: redisUrl(env),
    rateLimitPerMinute: integer(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, 1, 1_000_000),
    logLevel: oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'),
    stripeSecretKey: stripeKey(env),
    stripeApiUrl: httpUrl(env, 'STRIPE_API_URL'),
    stripeWebhookSecrets: list(env, 'STRIPE_WEBHOOK_SECRET'),
    stripeSandboxPort: integer(env, 'STRIPE_SANDBOX_PORT', DEFAULT_SANDBOX_PORT, 0, PORT_MAX),
  };
  requireProductionSecrets(config);
  return config;
}

function requireProductionSecrets(config: Config): void {
  if (config.env !== 'production') return;
  if (!config.adminKey) throw new ConfigError('PURSE_ADMIN_KEY', 'is required in production');
  if (!config.masterKey) throw new ConfigError('PURSE_MASTER_KEY', 'is required in production');
  if (!config.stripeSecretKey) throw new ConfigError('STRIPE_SECRET_KEY', 'is required in production (the sandbox is for development)');
}

function text(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer between ${min} and ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be an integer between ${min} and ${max}`);
  return value;
}

function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

function secret(env: Env, name: string, lengthMin: number): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  // Never echo a secret's value back, even when it is wrong.
  if (raw.length < lengthMin) throw new ConfigError(name, `must be at least ${lengthMin} characters`);
  return raw;
}

function httpUrl(env: Env, name: string): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be an absolute http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be an absolute http(s) URL');
  return raw.replace(/\/+$/, '');
}

function databaseUrl(env: Env, dataDir: string): string {
  const raw = text(env, 'DATABASE_URL');
  if (raw === undefined) return `sqlite:${dataDir}/purse.sqlite`;
  if (/^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw)) return raw;
  throw new ConfigError('DATABASE_URL', 'must be sqlite:<path> or postgres://…');
}

function redisUrl(env: Env): string | undefined {
  const raw = text(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  if (!/^rediss?:\/\/.+/.test(raw)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return raw;
}

function stripeKey(env: Env): string | undefined {
  const raw = text(env, 'STRIPE_SECRET_KEY');
  if (raw === undefined) return undefined;
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(raw)) throw new ConfigError('STRIPE_SECRET_KEY', 'must look like sk_live_… or sk_test_…');
  return raw;
}

function list(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!item.startsWith('whsec_')) throw new ConfigError(name, 'must be a comma-separated list of whsec_… secrets');
  }
  return items;
}
