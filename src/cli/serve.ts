import { join } from 'node:path';
import { type Purse, createPurse } from '../app.ts';
import { type Config, parseConfig } from '../config/config.ts';
import type { Ctx } from '../context.ts';
import { resolveSecrets } from '../config/dev-secrets.ts';
import { pingRedis } from '../ratelimit/redis-limiter.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import { armCrashPoint } from '../store/crash-points.ts';
import { gatewayFromConfig } from '../gateway/stripe-gateway.ts';
import { createDemoIfEmpty, demoInstructions } from './demo.ts';
import { stopOnSignals } from './shutdown.ts';
import { describeDatabase, describeRedis, startupStep } from './startup-errors.ts';

/** The built-in sandbox keeps its state here, so a restart keeps customers and open checkout links working. */
const SANDBOX_STATE_FILE = 'sandbox-state.json';

/** Whole shutdown budget: stop accepting, drain requests, finish the group commit, stop jobs, close pools. */
export const SHUTDOWN_GRACE_MS = 9_000;

interface Started {
  sandbox?: Sandbox;
  purse?: Purse;
  /** A signal came: what start-up still had to do (the demo) may fail on the closing store, harmlessly. */
  stopping?: boolean;
}

/**
 * `purse serve` / `npm start`: check Redis, start the Stripe sandbox in-process when no Stripe key is
 * set, open and migrate the database (createPurse starts the background jobs), listen, and on a first development start
 * print a demo. Each start-up failure is one line naming what and where (see startup-errors.ts).
 * SIGTERM/SIGINT close everything in order and exit 0; past SHUTDOWN_GRACE_MS the process exits 1.
 */
export async function serveCommand(): Promise<number> {
  const config = parseConfig(process.env);
  const { secrets, devFile } = resolveSecrets(config);
  armCrashPoint(config.testCrashAt);
  const started: Started = {};
  try {
    if (config.redisUrl) await startupStep(`cannot reach ${describeRedis(config.redisUrl)} (REDIS_URL)`, () => pingRedis(config.redisUrl!));
    if (!config.stripeSecretKey) {
      // The hosted checkout page must open in the customer's browser: listen where Purse listens and name
      // the host PUBLIC_URL names (not 127.0.0.1, which only works on this machine).
      started.sandbox = await startupStep(`cannot start the Stripe sandbox on ${config.host}:${config.stripeSandboxPort} (STRIPE_SANDBOX_PORT)`, () =>
        startSandbox({
          port: config.stripeSandboxPort, host: config.host, publicHostname: new URL(config.publicUrl).hostname,
          stateFile: join(config.dataDir, SANDBOX_STATE_FILE),
        }),
      );
    }
    const payments = gatewayFromConfig(config, started.sandbox);
    // One JSON log on stdout: request lines, jobs and shutdown alike; human notes go to stderr (see announce).
    started.purse = await startupStep(`cannot open ${describeDatabase(config.databaseUrl)} (DATABASE_URL)`, () =>
      createPurse(config, { secrets, payments, logStream: process.stdout }),
    );
    const purse = started.purse;
    const address = await startupStep(`cannot listen on ${config.host}:${config.port} (HOST, PORT)`, () => purse.app.listen({ port: config.port, host: config.host }));
    stopOnSignal(started, purse.ctx.log);
    started.sandbox?.addWebhookEndpoint(`${localUrl(config)}/v1/webhooks/stripe`);
    announce(config, purse.ctx.log, address, started.sandbox);
    if (config.env !== 'production') process.stderr.write(startBanner(config, address, started.sandbox, devFile ? secrets.adminKey : undefined, devFile));
    const demo = await createDemoIfEmpty(purse.ctx);
    if (demo) process.stderr.write(demoInstructions(config.publicUrl, demo) + '\n');
  } catch (err) {
    // Stopped by a signal while finishing start-up: the shutdown owns the exit (0 when the close worked).
    if (started.stopping) return new Promise<number>(() => {});
    await closeAll(started);
    throw err;
  }
  return new Promise<number>(() => {});
}

/**
 * The shutdown runs once on SIGTERM, SIGINT or an uncaught error, then exits (0, or 1 on an error or when the
 * grace period runs out); npm's forwarded copy of a Ctrl-C is not a second signal (shutdown.ts). Installed as
 * soon as the port is open, so a signal during the demo set-up still stops cleanly.
 */
function stopOnSignal(started: Started, log: Ctx['log']): void {
  stopOnSignals({
    graceMs: SHUTDOWN_GRACE_MS,
    onTimeout: () => log.error({ graceMs: SHUTDOWN_GRACE_MS, ...started.purse?.closing() }, 'shutdown timed out'),
    close: async ({ signal, err }) => {
      if (err) log.error({ err }, 'fatal error, shutting down');
      else log.info({ signal }, 'shutting down');
      started.stopping = true;
      await closeAll(started).catch((closeErr: unknown) => {
        log.error({ err: closeErr }, 'shutdown failed');
        throw closeErr;
      });
      log.info({ stepsMs: started.purse?.closing().stepsMs }, 'stopped');
    },
  });
}

/**
 * Jobs finish their current run, Fastify stops accepting and drains in-flight requests, then the store
 * drains its group commit and closes its pool (Purse.close, in that order); the sandbox goes last (it may
 * be delivering to us).
 */
async function closeAll(started: Started): Promise<void> {
  await started.purse?.close();
  await started.sandbox?.close();
}

/** Where the in-process sandbox delivers webhooks: this process, on loopback. */
function localUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

/** The start as one JSON log line (no secrets): what a log collector sees, in production the only notice. */
function announce(config: Config, log: Ctx['log'], address: string, sandbox: Sandbox | undefined): void {
  log.info({ address, publicUrl: config.publicUrl, database: databaseKind(config), stripe: sandbox ? `sandbox ${sandbox.url}` : (config.stripeApiUrl ?? 'api.stripe.com') }, 'Purse is listening');
}

function databaseKind(config: Config): string {
  return config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres';
}

/** For a person at a terminal (on stderr, apart from the JSON log on stdout): where things are, the dev admin key. */
function startBanner(config: Config, address: string, sandbox: Sandbox | undefined, adminKey: string | undefined, devFile: string | undefined): string {
  const lines = [
    `Purse is listening on ${address} (public URL ${config.publicUrl})`,
    `  docs      ${config.publicUrl}/docs`,
    `  openapi   ${config.publicUrl}/openapi.json`,
    `  database  ${databaseKind(config)}`,
    sandbox
      ? `  stripe    built-in sandbox at ${sandbox.url} (no STRIPE_SECRET_KEY set; test card 4242 4242 4242 4242)`
      : `  stripe    ${config.stripeApiUrl ?? 'api.stripe.com'}`,
  ];
  if (config.adminKey) lines.push('  admin key from PURSE_ADMIN_KEY');
  else if (adminKey) lines.push(`  admin key ${adminKey}  (development; kept in ${devFile}; set PURSE_ADMIN_KEY to choose your own)`);
  return lines.join('\n') + '\n';
}
