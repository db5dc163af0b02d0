import { EventEmitter } from 'node:events';
import Stripe from 'stripe';
import { describe, expect, it } from 'vitest';
import { defaultSandboxPort, parseSandboxArgs, SandboxUsageError } from './cli-options.ts';
import { runSandboxCli } from './cli-run.ts';

describe('sandbox command options', () => {
  it('defaults to port 12111 on 127.0.0.1 with no endpoints', () => {
    expect(parseSandboxArgs([], {})).toEqual({ port: defaultSandboxPort, host: '127.0.0.1', webhookEndpoints: [] });
  });

  it('reads the environment', () => {
    const options = parseSandboxArgs([], {
      STRIPE_SANDBOX_PORT: '4000',
      STRIPE_SANDBOX_WEBHOOK_URL: 'http://localhost:3000/v1/webhooks/stripe, http://localhost:3001/hook',
      STRIPE_WEBHOOK_SECRET: 'whsec_new,whsec_old',
    });
    expect(options).toEqual({
      port: 4000, host: '127.0.0.1', webhookSecret: 'whsec_new',
      webhookEndpoints: [{ url: 'http://localhost:3000/v1/webhooks/stripe' }, { url: 'http://localhost:3001/hook' }],
    });
  });

  it('lets flags win over the environment and repeats --webhook-url', () => {
    const options = parseSandboxArgs(
      ['--port=5000', '--webhook-url', 'http://a.test/h', '--webhook-url', 'http://b.test/h', '--webhook-secret', 'whsec_flag'],
      { STRIPE_SANDBOX_PORT: '4000', STRIPE_WEBHOOK_SECRET: 'whsec_env', STRIPE_SANDBOX_WEBHOOK_URL: 'http://env.test/h' },
    );
    expect(options).toMatchObject({ port: 5000, webhookSecret: 'whsec_flag', webhookEndpoints: [{ url: 'http://a.test/h' }, { url: 'http://b.test/h' }] });
  });

  it.each([
    [['--port', 'abc']],
    [['--port', '70000']],
    [['--webhook-url', 'ftp://x']],
    [['--webhook-secret', 'nope']],
    [['--colour', 'red']],
    [['--port']],
    [['stray']],
  ])('refuses %j as a usage error', (argv) => {
    expect(() => parseSandboxArgs(argv, {})).toThrow(SandboxUsageError);
  });
});

describe('sandbox command', () => {
  it('prints how to use it, serves the Stripe API, and exits 0 after SIGTERM', async () => {
    const signals = new EventEmitter();
    const lines: string[] = [];
    let announce: (url: string) => void = () => {};
    const announced = new Promise<string>((resolve) => {
      announce = resolve;
    });
    const io = {
      out: (line: string): void => {
        lines.push(line);
        const match = /^Stripe sandbox listening on (\S+)$/.exec(line);
        if (match) announce(match[1] as string);
      },
      err: (line: string): void => {
        lines.push(line);
      },
      signals,
    };
    const exit = runSandboxCli(['--port', '0', '--webhook-secret', 'whsec_cli'], {}, io);
    const url = new URL(await announced);
    const stripe = new Stripe('sk_test_cli', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 0 });
    expect((await stripe.customers.create({})).id).toMatch(/^cus_/);
    expect(lines).toContain('Webhook signing secret: whsec_cli');
    expect(lines.some((line) => line.includes(`new Stripe('sk_test_sandbox', { host: '127.0.0.1', port: ${url.port}, protocol: 'http' })`))).toBe(true);
    signals.emit('SIGTERM');
    expect(await exit).toBe(0);
    expect(signals.listenerCount('SIGINT')).toBe(0);
  });

  it('prints usage and exits 64 on a bad flag', async () => {
    const errors: string[] = [];
    const code = await runSandboxCli(['--bogus', '1'], {}, { out: () => {}, err: (line) => errors.push(line), signals: new EventEmitter() });
    expect(code).toBe(64);
    expect(errors.join('\n')).toContain('usage: purse sandbox');
  });
});
