import { CRASH_POINTS, type CrashPoint } from '../store/crash-points.ts';
import { ConfigError, type ConfigProblem } from './config-error.ts';
import { DEFAULT_READ_REPLICA_MAX_LAG_MS } from '../store/read-replica.ts';
import { boolean, databaseReadUrl, databaseUrl, type Env, httpUrl, integer, list, oneOf, origins, redisUrl, secret, stripeKey, text, topupLimits } from './env-readers.ts';

export { ConfigError, type ConfigProblem } from './config-error.ts';

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
  /** PostgreSQL failover: finding the writable host again past this is logged as overdue (PURSE_DB_FAILOVER_TIMEOUT_MS). */
  dbFailoverTimeoutMs: number;
  /**
   * Issue 25: a streaming replica for reads that tolerate bounded staleness (DATABASE_READ_URL, PostgreSQL
   * only), used while it is at most readReplicaMaxLagMs behind the primary (READ_REPLICA_MAX_LAG_MS).
   */
  databaseReadUrl: string | undefined;
  readReplicaMaxLagMs: number;
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
  stripeTimeoutMs: number;
  allowedRedirectOrigins: string[];
  stripeAutomaticTax: boolean;
  stripeAdaptivePricing: boolean;
  checkoutRequireBillingAddress: boolean;
  checkoutSaveCard: boolean;
  checkoutExpiresMinutes: number;
  /** Per-currency top-up bounds in major-unit text, e.g. {USD: {min: '5', max: '5000'}}; see money/limits.ts. */
  topupLimits: Record<string, { min: string; max: string }>;
  /** A hold's lifetime when the caller names none. */
  holdExpiresSecondsDefault: number;
  /** The longest lifetime a caller may ask a hold for. */
  holdExpiresSecondsMax: number;
  /**
   * OpenTelemetry tracing, on only when OTEL_EXPORTER_OTLP_ENDPOINT is set: spans go to `${endpoint}/v1/traces`
   * (OTLP over HTTP, JSON), named by OTEL_SERVICE_NAME. OTEL_EXPORTER_OTLP_HEADERS is read by the exporter.
   */
  otel: { endpoint: string; serviceName: string } | undefined;
  /** PURSE_TEST_CRASH_AT: a crash point armed for a crash test (store/crash-points.ts); test only. */
  testCrashAt: { point: CrashPoint; hit: number } | undefined;
  /** Issue 22: receipt numbering prefix (PURSE_RECEIPT_PREFIX) and the operator's business details on receipts. */
  receipts: ReceiptConfig;
}

export interface ReceiptConfig {
  prefix: string;
  businessName: string;
  businessAddress: string;
  businessTaxId: string;
}

const ADMIN_KEY_LENGTH_MIN = 24;
const MASTER_KEY_LENGTH_MIN = 32;
const PORT_MAX = 65535;
const DEFAULT_PORT = 8080;
const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
const DEFAULT_SANDBOX_PORT = 12111;
const DEFAULT_STRIPE_TIMEOUT_MS = 10_000;
const DEFAULT_DB_FAILOVER_TIMEOUT_MS = 30_000;
const READ_REPLICA_MAX_LAG_MS_LIMIT = 600_000;
const DEFAULT_OTEL_SERVICE_NAME = 'purse';
// Stripe's own bounds for a Checkout Session's expires_at are 30 minutes to 24 hours.
const DEFAULT_CHECKOUT_EXPIRES_MINUTES = 60;
const DEFAULT_HOLD_EXPIRES_SECONDS = 15 * 60;
const DEFAULT_HOLD_EXPIRES_SECONDS_MAX = 7 * 24 * 60 * 60;
// Funds reserved for longer than this are better modelled as a debit and a refund.
const HOLD_EXPIRES_SECONDS_LIMIT = 30 * 24 * 60 * 60;
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
const ENVS: readonly PurseEnv[] = ['development', 'test', 'production'];

// Issue 22: receipt numbers read `{prefix}-{000001}`.
const DEFAULT_RECEIPT_PREFIX = 'PUR';
const RECEIPT_PREFIX_PATTERN = /^[A-Z0-9]{1,12}$/;

function receiptConfig(env: Env): ReceiptConfig {
  const prefix = text(env, 'PURSE_RECEIPT_PREFIX') ?? DEFAULT_RECEIPT_PREFIX;
  if (!RECEIPT_PREFIX_PATTERN.test(prefix)) throw new ConfigError('PURSE_RECEIPT_PREFIX', 'must be 1–12 upper-case letters or digits');
  return {
    prefix,
    businessName: text(env, 'PURSE_BUSINESS_NAME') ?? '',
    businessAddress: text(env, 'PURSE_BUSINESS_ADDRESS') ?? '',
    businessTaxId: text(env, 'PURSE_BUSINESS_TAX_ID') ?? '',
  };
}

export function parseConfig(env: Env): Config {
  const problems: ConfigProblem[] = [];
  // Each field is read on its own: a bad one is recorded, given its default, and parsing goes on.
  const read = <T>(parse: () => T, fallback: T): T => {
    try {
      return parse();
    } catch (err) {
      if (!(err instanceof ConfigError)) throw err;
      problems.push(...err.problems);
      return fallback;
    }
  };
  const purseEnv = read(() => oneOf(env, 'PURSE_ENV', ENVS, 'development'), 'development');
  const port = read(() => integer(env, 'PORT', DEFAULT_PORT, 0, PORT_MAX), DEFAULT_PORT);
  const dataDir = text(env, 'PURSE_DATA_DIR') ?? './data';
  const publicUrl = read(() => httpUrl(env, 'PUBLIC_URL'), undefined);
  const config: Config = {
    env: purseEnv,
    host: text(env, 'HOST') ?? '127.0.0.1',
    port,
    databaseUrl: read(() => databaseUrl(env, dataDir), `sqlite:${dataDir}/purse.sqlite`),
    databaseReadUrl: read(() => databaseReadUrl(env), undefined),
    readReplicaMaxLagMs: read(() => integer(env, 'READ_REPLICA_MAX_LAG_MS', DEFAULT_READ_REPLICA_MAX_LAG_MS, 0, READ_REPLICA_MAX_LAG_MS_LIMIT), DEFAULT_READ_REPLICA_MAX_LAG_MS),
    dataDir,
    adminKey: read(() => secret(env, 'PURSE_ADMIN_KEY', ADMIN_KEY_LENGTH_MIN), undefined),
    masterKey: read(() => secret(env, 'PURSE_MASTER_KEY', MASTER_KEY_LENGTH_MIN), undefined),
    publicUrl: publicUrl ?? `http://localhost:${port}`,
    redisUrl: read(() => redisUrl(env), undefined),
    rateLimitPerMinute: read(() => integer(env, 'RATE_LIMIT_PER_MINUTE', DEFAULT_RATE_LIMIT_PER_MINUTE, 1, 1_000_000), DEFAULT_RATE_LIMIT_PER_MINUTE),
    logLevel: read(() => oneOf(env, 'LOG_LEVEL', LOG_LEVELS, 'info'), 'info'),
    stripeSecretKey: read(() => stripeKey(env), undefined),
    stripeApiUrl: read(() => httpUrl(env, 'STRIPE_API_URL'), undefined),
    stripeWebhookSecrets: read(() => list(env, 'STRIPE_WEBHOOK_SECRET'), []),
    stripeSandboxPort: read(() => integer(env, 'STRIPE_SANDBOX_PORT', DEFAULT_SANDBOX_PORT, 0, PORT_MAX), DEFAULT_SANDBOX_PORT),
    dbFailoverTimeoutMs: read(() => integer(env, 'PURSE_DB_FAILOVER_TIMEOUT_MS', DEFAULT_DB_FAILOVER_TIMEOUT_MS, 1_000, 600_000), DEFAULT_DB_FAILOVER_TIMEOUT_MS),
    stripeTimeoutMs: read(() => integer(env, 'STRIPE_TIMEOUT_MS', DEFAULT_STRIPE_TIMEOUT_MS, 100, 120_000), DEFAULT_STRIPE_TIMEOUT_MS),
    allowedRedirectOrigins: read(() => origins(env, 'ALLOWED_REDIRECT_ORIGINS'), []),
    stripeAutomaticTax: read(() => boolean(env, 'STRIPE_AUTOMATIC_TAX', true), true),
    stripeAdaptivePricing: read(() => boolean(env, 'STRIPE_ADAPTIVE_PRICING', true), true),
    checkoutRequireBillingAddress: read(() => boolean(env, 'CHECKOUT_REQUIRE_BILLING_ADDRESS', true), true),
    checkoutSaveCard: read(() => boolean(env, 'CHECKOUT_SAVE_CARD', false), false),
    checkoutExpiresMinutes: read(() => integer(env, 'CHECKOUT_EXPIRES_MINUTES', DEFAULT_CHECKOUT_EXPIRES_MINUTES, 30, 24 * 60), DEFAULT_CHECKOUT_EXPIRES_MINUTES),
    topupLimits: read(() => topupLimits(env), {}),
    holdExpiresSecondsDefault: read(() => integer(env, 'HOLD_EXPIRES_SECONDS_DEFAULT', DEFAULT_HOLD_EXPIRES_SECONDS, 1, HOLD_EXPIRES_SECONDS_LIMIT), DEFAULT_HOLD_EXPIRES_SECONDS),
    holdExpiresSecondsMax: read(() => integer(env, 'HOLD_EXPIRES_SECONDS_MAX', DEFAULT_HOLD_EXPIRES_SECONDS_MAX, 1, HOLD_EXPIRES_SECONDS_LIMIT), DEFAULT_HOLD_EXPIRES_SECONDS_MAX),
    otel: read(() => otel(env), undefined),
    testCrashAt: read(() => crashAt(env, purseEnv), undefined),
    receipts: read(() => receiptConfig(env), { prefix: DEFAULT_RECEIPT_PREFIX, businessName: '', businessAddress: '', businessTaxId: '' }),
  };
  problems.push(...crossFieldProblems(config));
  if (config.allowedRedirectOrigins.length === 0) config.allowedRedirectOrigins = [new URL(config.publicUrl).origin];
  if (config.env === 'production') {
    const named = new Set(problems.map((p) => p.variable));
    problems.push(...productionProblems(config, publicUrl).filter((p) => !named.has(p.variable)));
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return config;
}

/** Variables that are each valid alone but not together. */
function crossFieldProblems(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (config.holdExpiresSecondsDefault > config.holdExpiresSecondsMax) {
    problems.push({ variable: 'HOLD_EXPIRES_SECONDS_DEFAULT', problem: `must not exceed HOLD_EXPIRES_SECONDS_MAX (${config.holdExpiresSecondsMax})` });
  }
  if (config.databaseReadUrl !== undefined && !config.databaseUrl.startsWith('postgres')) {
    problems.push({ variable: 'DATABASE_READ_URL', problem: 'needs a postgres:// DATABASE_URL (a replica of it)' });
  }
  return problems;
}

/** Production runs against real Stripe, behind https, with secrets the operator chose: all of them, checked together. */
function productionProblems(config: Config, publicUrl: string | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const required = (variable: string, present: unknown, why = '') => {
    if (!present || (Array.isArray(present) && present.length === 0)) problems.push({ variable, problem: `is required in production${why}` });
  };
  required('PURSE_ADMIN_KEY', config.adminKey);
  required('PURSE_MASTER_KEY', config.masterKey);
  required('STRIPE_SECRET_KEY', config.stripeSecretKey, ' (the sandbox is for development)');
  required('STRIPE_WEBHOOK_SECRET', config.stripeWebhookSecrets, ' (without it every Stripe webhook is rejected)');
  required('PUBLIC_URL', publicUrl, ' (customers and Stripe are sent back to it)');
  if (publicUrl && !publicUrl.startsWith('https://')) problems.push({ variable: 'PUBLIC_URL', problem: 'must be an https:// URL in production' });
  return problems;
}

function otel(env: Env): Config['otel'] {
  const endpoint = httpUrl(env, 'OTEL_EXPORTER_OTLP_ENDPOINT');
  return endpoint === undefined ? undefined : { endpoint, serviceName: text(env, 'OTEL_SERVICE_NAME') ?? DEFAULT_OTEL_SERVICE_NAME };
}

const CRASH_HIT_MAX = 1_000_000;

/** `<point>` or `<point>@<n>`; anywhere but PURSE_ENV=test it is refused, so no deployment can arm one. */
function crashAt(env: Env, purseEnv: PurseEnv): Config['testCrashAt'] {
  const raw = text(env, 'PURSE_TEST_CRASH_AT');
  if (raw === undefined) return undefined;
  if (purseEnv !== 'test') throw new ConfigError('PURSE_TEST_CRASH_AT', 'is only allowed with PURSE_ENV=test');
  const [point, hitText] = raw.split('@');
  const hit = hitText === undefined ? 1 : Number(hitText);
  if (!(CRASH_POINTS as readonly string[]).includes(point ?? '') || !Number.isInteger(hit) || hit < 1 || hit > CRASH_HIT_MAX) {
    throw new ConfigError('PURSE_TEST_CRASH_AT', `must be one of ${CRASH_POINTS.join(', ')}, optionally followed by @<n>`);
  }
  return { point: point as CrashPoint, hit };
}
