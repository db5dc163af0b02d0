import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

const PRODUCTION = {
  PURSE_ENV: 'production',
  PURSE_ADMIN_KEY: 'a'.repeat(30),
  PURSE_MASTER_KEY: 'b'.repeat(40),
  STRIPE_SECRET_KEY: 'sk_live_abc123',
  STRIPE_WEBHOOK_SECRET: 'whsec_abc',
  PUBLIC_URL: 'https://billing.example.com',
};

describe('parseConfig: defaults, accepted and rejected values', () => {
  it('fills every default from an empty environment', () => {
    const config = parseConfig({});
    expect(config).toMatchObject({
      env: 'development',
      port: 8080,
      databaseUrl: 'sqlite:./data/purse.sqlite',
      publicUrl: 'http://localhost:8080',
      rateLimitPerMinute: 600,
      logLevel: 'info',
      redisUrl: undefined,
      stripeSecretKey: undefined,
    });
  });

  it.each([
    ['sqlite:/tmp/x.sqlite', 'sqlite:/tmp/x.sqlite'],
    ['postgres://postgres@127.0.0.1:5432/test', 'postgres://postgres@127.0.0.1:5432/test'],
    ['postgresql://u@h/db', 'postgresql://u@h/db'],
  ])('accepts DATABASE_URL=%s', (value, expected) => {
    expect(parseConfig({ DATABASE_URL: value }).databaseUrl).toBe(expected);
  });

  it.each([
    ['PORT', 'eighty', 'PORT must be an integer'],
    ['PORT', '70000', 'PORT must be an integer'],
    ['PORT', '-1', 'PORT must be an integer'],
    ['DATABASE_URL', 'mysql://x', 'DATABASE_URL must be sqlite:'],
    ['PURSE_ADMIN_KEY', 'short', 'PURSE_ADMIN_KEY must be at least 24 characters'],
    ['PURSE_MASTER_KEY', 'short', 'PURSE_MASTER_KEY must be at least 32 characters'],
    ['PUBLIC_URL', 'not a url', 'PUBLIC_URL must be an absolute http(s) URL'],
    ['PUBLIC_URL', 'ftp://x.example', 'PUBLIC_URL must be an absolute http(s) URL'],
    ['REDIS_URL', 'localhost:6379', 'REDIS_URL must be a redis://'],
    ['RATE_LIMIT_PER_MINUTE', '0', 'RATE_LIMIT_PER_MINUTE must be an integer'],
    ['RATE_LIMIT_PER_MINUTE', '1.5', 'RATE_LIMIT_PER_MINUTE must be an integer'],
    ['LOG_LEVEL', 'loud', 'LOG_LEVEL must be one of'],
    ['PURSE_ENV', 'staging', 'PURSE_ENV must be one of'],
    ['STRIPE_SECRET_KEY', 'pk_test_abc', 'STRIPE_SECRET_KEY must look like'],
    ['STRIPE_WEBHOOK_SECRET', 'secret', 'STRIPE_WEBHOOK_SECRET must be a comma-separated list'],
    ['OTEL_EXPORTER_OTLP_ENDPOINT', 'collector:4318', 'OTEL_EXPORTER_OTLP_ENDPOINT must be an absolute http(s) URL'],
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(message);
  });
});

describe('parseConfig: read replica', () => {
  it.each([
    ['a MySQL URL', { DATABASE_URL: 'postgres://p/purse', DATABASE_READ_URL: 'mysql://r/purse' }, 'DATABASE_READ_URL must be one postgres:// URL'],
    ['several hosts', { DATABASE_URL: 'postgres://p/purse', DATABASE_READ_URL: 'postgres://r1:5432,r2:5432/purse' }, 'DATABASE_READ_URL must be one postgres:// URL'],
    ['a SQLite primary', { DATABASE_READ_URL: 'postgres://r/purse' }, 'DATABASE_READ_URL needs a postgres:// DATABASE_URL'],
    ['a lag bound that is not a number', { DATABASE_URL: 'postgres://p/purse', READ_REPLICA_MAX_LAG_MS: 'soon' }, 'READ_REPLICA_MAX_LAG_MS must be an integer'],
  ])('refuses a read replica with %s, naming the variable', (_case, env, message) => {
    expect(() => parseConfig(env)).toThrow(message);
  });

  it('reads DATABASE_READ_URL and its lag bound, defaulting to no replica', () => {
    expect(parseConfig({}).databaseReadUrl).toBeUndefined();
    const config = parseConfig({ DATABASE_URL: 'postgres://p/purse', DATABASE_READ_URL: 'postgres://u@r:5433/purse?sslmode=disable', READ_REPLICA_MAX_LAG_MS: '750' });
    expect(config.databaseReadUrl).toBe('postgres://u@r:5433/purse?sslmode=disable');
    expect(config.readReplicaMaxLagMs).toBe(750);
  });
});

describe('parseConfig: secrets, production requirements and error reporting', () => {
  it('never echoes a secret value in its error', () => {
    let thrown: unknown;
    try {
      parseConfig({ PURSE_ADMIN_KEY: 'hunter2-secret' });
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    expect((thrown as Error).message).toContain('PURSE_ADMIN_KEY');
    expect((thrown as Error).message).not.toContain('hunter2');
  });

  it('accepts a complete production environment', () => {
    expect(parseConfig(PRODUCTION)).toMatchObject({ env: 'production', publicUrl: 'https://billing.example.com', stripeWebhookSecrets: ['whsec_abc'] });
  });

  it.each(['PURSE_ADMIN_KEY', 'PURSE_MASTER_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET', 'PUBLIC_URL'])('in production, requires %s', (variable) => {
    const env: Record<string, string> = { ...PRODUCTION };
    delete env[variable];
    expect(() => parseConfig(env)).toThrow(`${variable} is required in production`);
  });

  it('in production, requires PUBLIC_URL to be https', () => {
    expect(() => parseConfig({ ...PRODUCTION, PUBLIC_URL: 'http://billing.example.com' })).toThrow('PUBLIC_URL must be an https:// URL in production');
  });

  it('reports every problem at once, each naming its variable', () => {
    let error: ConfigError | undefined;
    try {
      parseConfig({ PURSE_ENV: 'production', PORT: 'eighty', LOG_LEVEL: 'loud', PURSE_ADMIN_KEY: 'short', PUBLIC_URL: 'not a url' });
    } catch (err) {
      error = err as ConfigError;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.problems.map((p) => p.variable).sort()).toEqual(
      ['LOG_LEVEL', 'PORT', 'PUBLIC_URL', 'PURSE_ADMIN_KEY', 'PURSE_MASTER_KEY', 'STRIPE_SECRET_KEY', 'STRIPE_WEBHOOK_SECRET'].sort(),
    );
    expect(error!.message).toContain('Invalid configuration (7 problems)');
    expect(error!.message).toContain('PUBLIC_URL must be an absolute http(s) URL');
    expect(error!.message).not.toContain('PUBLIC_URL is required');
  });
});

describe('parseConfig: tracing and webhook secret rotation', () => {
  it('turns tracing on only when OTEL_EXPORTER_OTLP_ENDPOINT is set, named purse unless OTEL_SERVICE_NAME says otherwise', () => {
    expect(parseConfig({ OTEL_SERVICE_NAME: 'wallets' }).otel).toBeUndefined();
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318/' }).otel).toEqual({ endpoint: 'http://collector:4318', serviceName: 'purse' });
    expect(parseConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: 'https://otel.example', OTEL_SERVICE_NAME: 'wallets' }).otel).toEqual({ endpoint: 'https://otel.example', serviceName: 'wallets' });
  });

  it('accepts several webhook secrets for rotation', () => {
    expect(parseConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' }).stripeWebhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });
});
