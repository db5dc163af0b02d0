import { createPurse } from '../app.ts';
import type { Config } from '../config/config.ts';
import { resolveSecrets } from '../config/dev-secrets.ts';
import { createDemoIfEmpty, demoInstructions } from './demo.ts';

/** `purse serve` / `npm start`: migrate, listen, and on a first development start print a demo. */
export async function serveCommand(config: Config): Promise<number> {
  const { secrets, devFile } = resolveSecrets(config);
  const purse = await createPurse(config, { secrets });
  const address = await purse.app.listen({ port: config.port, host: config.host });
  const baseUrl = config.publicUrl;
  const lines = [`Purse is listening on ${address} (public URL ${baseUrl})`, `  docs    ${baseUrl}/docs`, `  openapi ${baseUrl}/openapi.json`];
  lines.push(`  database ${config.databaseUrl.startsWith('sqlite:') ? config.databaseUrl : 'postgres'}`);
  if (devFile) lines.push(`  development admin key: ${secrets.adminKey}  (kept in ${devFile}; set PURSE_ADMIN_KEY to choose your own)`);
  const demo = await createDemoIfEmpty(purse.ctx);
  if (demo) lines.push(demoInstructions(baseUrl, demo));
  process.stdout.write(lines.join('\n') + '\n');
  await waitForSignal();
  process.stdout.write('shutting down\n');
  await purse.close();
  return 0;
}

function waitForSignal(): Promise<void> {
  return new Promise((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
}
