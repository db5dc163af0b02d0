import { type Server, createServer } from 'node:http';
import { type Child, startProcess } from '../bench/processes.ts';
import { freePort } from '../src/testing/process.ts';
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY } from '../bench/processes.ts';

/**
 * The harness's world: a Stripe sandbox in its own process (so killing Purse never loses Stripe's side),
 * and `purse serve` pointed at it as if it were real Stripe. The sandbox delivers no webhooks itself: the
 * harness reads Stripe's events list and delivers them with duplicates, drops, delays and reordering.
 */
export const CHAOS_WEBHOOK_SECRET = 'whsec_purse_chaos_0123456789abcdef';
const CHAOS_STRIPE_KEY = 'sk_test_purse_chaos';
const RATE_LIMIT_PER_MINUTE_UNLIMITED = 1_000_000;

export interface World {
  purseUrl: string;
  sandboxUrl: string;
  adminKey: string;
  /** A receiver for outgoing webhooks (answers 204 to everything; what Purse owes it is read from the outbox). */
  sinkUrl: string;
  /** SIGKILL, no goodbye: whatever was in flight is lost exactly as in a power cut. */
  killPurse(): void;
  restartPurse(): Promise<void>;
  stop(): Promise<void>;
}

export async function startWorld(databaseUrl: string, dataDir: string): Promise<World> {
  const sandboxPort = await freePort();
  const sandboxUrl = `http://127.0.0.1:${sandboxPort}`;
  const sandbox = await startProcess({
    name: 'sandbox', args: ['bin/purse.js', 'sandbox', '--port', String(sandboxPort)], url: sandboxUrl,
    readyUrl: `${sandboxUrl}/_sandbox/health`, env: {},
  });
  const port = await freePort();
  const purseUrl = `http://127.0.0.1:${port}`;
  const env = {
    DATABASE_URL: databaseUrl, PORT: String(port), PUBLIC_URL: purseUrl, PURSE_DATA_DIR: dataDir,
    PURSE_ADMIN_KEY: BENCH_ADMIN_KEY, PURSE_MASTER_KEY: BENCH_MASTER_KEY,
    STRIPE_SECRET_KEY: CHAOS_STRIPE_KEY, STRIPE_API_URL: sandboxUrl, STRIPE_WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET,
    LOG_LEVEL: 'warn', RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE_UNLIMITED),
  };
  const start = () => startProcess({ name: 'purse', args: ['bin/purse.js', 'serve'], url: purseUrl, readyUrl: `${purseUrl}/readyz`, env });
  let purse: Child | null = await start();
  // Schedules run side by side: one restart at a time, and every schedule waiting on it shares it.
  let restarting: Promise<void> | null = null;
  const { server: sink, url: sinkUrl } = await startSink();
  return {
    purseUrl, sandboxUrl, sinkUrl, adminKey: BENCH_ADMIN_KEY,
    killPurse() {
      if (purse) process.kill(purse.pid, 'SIGKILL');
      purse = null;
    },
    restartPurse() {
      if (purse) return Promise.resolve();
      restarting ??= start().then((child) => {
        purse = child;
      }).finally(() => {
        restarting = null;
      });
      return restarting;
    },
    async stop() {
      await purse?.stop();
      await sandbox.stop();
      await new Promise((resolve) => sink.close(resolve));
    },
  };
}

async function startSink(): Promise<{ server: Server; url: string }> {
  const port = await freePort();
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(204).end());
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${port}/hooks` };
}
