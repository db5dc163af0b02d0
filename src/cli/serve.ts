import { createPurse } from '../app.ts';
import type { Config } from '../config/config.ts';
import { resolveSecrets } from '../config/dev-secrets.ts';
import { JOBS } from '../jobs/jobs.ts';
import { startJobs } from '../jobs/scheduler.ts';
import { type Sandbox, startSandbox } from '../sandbox/index.ts';
import { gatewayFromConfig } from '../stripe/gateway.ts';
import { drainWebhookWorker } from '../webhooks/delivery-worker.ts';
import { createDemoIfEmpty, demoInstructions } from './demo.ts';

/**
 * `purse serve` / `npm start`: start the Stripe sandbox in-process when no Stripe key is set, migrate,
 * listen, run the background jobs, and on a first development start print a demo.
 */
export async function serveCommand(config: Config): Promise<number> {
  const { secrets, devFile } = resolveSecrets(config);
  const sandbox = config.stripeSecretKey ? undefined : await startSandbox({ port: config.stripeSandboxPort });
  const stripe = gatewayFromConfig(config, sandbox);
  const purse = await createPurse(config, { secrets, stripe });
  const address = await purse.app.listen({ port: config.port, host: config.host });
  sandbox?.addWebhookEndpoint(`${localUrl(config)}/v1/webhooks/stripe`);
  const jobs = startJobs(purse.ctx, JOBS);
  process.stdout.write(startBanner(config, address, sandbox, devFile ? secrets.adminKey : undefined, devFile));
  const demo = await createDemoIfEmpty(purse.ctx);
  if (demo) process.stdout.write(demoInstructions(config.publicUrl, demo) + '\n');
  await waitForSignal();
  process.stdout.write('shutting down\n');
  await jobs.stop();
  await drainWebhookWorker(purse.ctx);
  await purse.close();
  await sandbox?.close();
  return 0;
}

/** Where the in-process sandbox delivers webhooks: this process, on loopback. */
function localUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function startBanner(config: Config, address: string, sandbox: Sandbox | undefined, adminKey: string | undefined, devFile: string | undefined): string {
  const lines = [
    `Purse is listening on ${address} (public URL ${config.publicUrl})`,
    `  docs      ${config.publicUrl}/docs`,
    `  openapi   ${config.publicUrl}/openapi.json`,
    `  database  ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'}`,
    sandbox
      ? `  stripe    built-in sandbox at ${sandbox.url} (no STRIPE_SECRET_KEY set; test card 4242 4242 4242 4242)`
      : `  stripe    ${config.stripeApiUrl ?? 'api.stripe.com'}`,
  ];
  if (adminKey) lines.push(`  admin key ${adminKey}  (development; kept in ${devFile}; set PURSE_ADMIN_KEY to choose your own)`);
  return lines.join('\n') + '\n';
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
