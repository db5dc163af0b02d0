import { describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from './config.ts';

describe('parseConfig', () => {
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
  ])('rejects %s=%s with a message naming the variable', (name, value, message) => {
    expect(() => parseConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => parseConfig({ [name]: value })).toThrow(message);
  });

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

  it.each([
    [{}, 'PURSE_ADMIN_KEY'],
    [{ PURSE_ADMIN_KEY: 'a'.repeat(30) }, 'PURSE_MASTER_KEY'],
    [{ PURSE_ADMIN_KEY: 'a'.repeat(30), PURSE_MASTER_KEY: 'b'.repeat(40) }, 'STRIPE_SECRET_KEY'],
  ])('in production, requires real secrets (%#: %s)', (env, variable) => {
    expect(() => parseConfig({ PURSE_ENV: 'production', ...env })).toThrow(variable);
  });

  it('accepts several webhook secrets for rotation', () => {
    expect(parseConfig({ STRIPE_WEBHOOK_SECRET: 'whsec_a, whsec_b' }).stripeWebhookSecrets).toEqual(['whsec_a', 'whsec_b']);
  });
});
