import { isCurrency } from '../money/currencies.ts';
import { boundsFromMajor } from '../money/limits.ts';
import { ConfigError } from './config-error.ts';

/** The environment as parseConfig (config.ts) reads it. */
export type Env = Record<string, string | undefined>;

/** One reader per kind of variable: each returns the parsed value, or throws a ConfigError naming the variable. */
export function text(env: Env, name: string): string | undefined {
  const raw = env[name];
  if (raw === undefined) return undefined;
  const trimmed = raw.trim();
  return trimmed === '' ? undefined : trimmed;
}

export function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be an integer between ${min} and ${max}`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be an integer between ${min} and ${max}`);
  return value;
}

export function oneOf<T extends string>(env: Env, name: string, allowed: readonly T[], fallback: T): T {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(raw)) throw new ConfigError(name, `must be one of ${allowed.join(', ')}`);
  return raw as T;
}

export function secret(env: Env, name: string, lengthMin: number): string | undefined {
  const raw = text(env, name);
  if (raw === undefined) return undefined;
  // Never echo a secret's value back, even when it is wrong.
  if (raw.length < lengthMin) throw new ConfigError(name, `must be at least ${lengthMin} characters`);
  return raw;
}

export function httpUrl(env: Env, name: string): string | undefined {
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

export function databaseUrl(env: Env, dataDir: string): string {
  const raw = text(env, 'DATABASE_URL');
  if (raw === undefined) return `sqlite:${dataDir}/purse.sqlite`;
  if (/^sqlite:.+/.test(raw) || /^postgres(ql)?:\/\/.+/.test(raw)) return raw;
  throw new ConfigError('DATABASE_URL', 'must be sqlite:<path> or postgres://…');
}

/** One host: the replica (or a load balancer in front of several); its lag is checked, never assumed. */
export function databaseReadUrl(env: Env): string | undefined {
  const raw = text(env, 'DATABASE_READ_URL');
  if (raw === undefined) return undefined;
  if (!/^postgres(ql)?:\/\/[^,/?]*(\/[^,]*)?$/.test(raw)) throw new ConfigError('DATABASE_READ_URL', 'must be one postgres:// URL (one host)');
  return raw;
}

export function redisUrl(env: Env): string | undefined {
  const raw = text(env, 'REDIS_URL');
  if (raw === undefined) return undefined;
  if (!/^rediss?:\/\/.+/.test(raw)) throw new ConfigError('REDIS_URL', 'must be a redis:// or rediss:// URL');
  return raw;
}

export function stripeKey(env: Env): string | undefined {
  const raw = text(env, 'STRIPE_SECRET_KEY');
  if (raw === undefined) return undefined;
  if (!/^(sk|rk)_(test|live)_[A-Za-z0-9_]+$/.test(raw)) throw new ConfigError('STRIPE_SECRET_KEY', 'must look like sk_live_… or sk_test_…');
  return raw;
}

export function list(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  const items = raw.split(',').map((s) => s.trim()).filter(Boolean);
  for (const item of items) {
    if (!item.startsWith('whsec_')) throw new ConfigError(name, 'must be a comma-separated list of whsec_… secrets');
  }
  return items;
}

export function boolean(env: Env, name: string, fallback: boolean): boolean {
  const raw = text(env, name);
  if (raw === undefined) return fallback;
  if (['1', 'true', 'on', 'yes'].includes(raw.toLowerCase())) return true;
  if (['0', 'false', 'off', 'no'].includes(raw.toLowerCase())) return false;
  throw new ConfigError(name, 'must be true or false');
}

export function origins(env: Env, name: string): string[] {
  const raw = text(env, name);
  if (raw === undefined) return [];
  return raw.split(',').map((item) => {
    let url: URL;
    try {
      url = new URL(item.trim());
    } catch {
      throw new ConfigError(name, 'must be a comma-separated list of http(s) origins');
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new ConfigError(name, 'must be a comma-separated list of http(s) origins');
    return url.origin;
  });
}

/** `TOPUP_LIMITS=USD:5-5000,BRL:10-20000` (major units); currencies not named keep the defaults. */
export function topupLimits(env: Env): Record<string, { min: string; max: string }> {
  const raw = text(env, 'TOPUP_LIMITS');
  if (raw === undefined) return {};
  const limits: Record<string, { min: string; max: string }> = {};
  for (const item of raw.split(',')) {
    const match = /^\s*([A-Za-z]{3}):(\d+(?:\.\d+)?)-(\d+(?:\.\d+)?)\s*$/.exec(item);
    if (!match) throw new ConfigError('TOPUP_LIMITS', 'must look like USD:5-5000,BRL:10-20000');
    const currency = match[1]!.toUpperCase();
    if (!isCurrency(currency) || !boundsFromMajor(currency, match[2]!, match[3]!)) {
      throw new ConfigError('TOPUP_LIMITS', `has an invalid entry for ${currency} (unknown currency, too many decimals, or min > max)`);
    }
    limits[currency] = { min: match[2]!, max: match[3]! };
  }
  return limits;
}
