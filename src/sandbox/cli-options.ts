import type { SandboxOptions } from './index.ts';

export const defaultSandboxPort = 12111;
const portMax = 65_535;

export class SandboxUsageError extends Error {}

export const sandboxUsage = `usage: purse sandbox [--port P] [--host H] [--webhook-url U]... [--webhook-secret S]

  --port P             port to listen on (env STRIPE_SANDBOX_PORT, default ${defaultSandboxPort}; 0 = any free port)
  --host H             address to bind (default 127.0.0.1)
  --webhook-url U      deliver signed webhooks to U; repeatable (env STRIPE_SANDBOX_WEBHOOK_URL, comma-separated)
  --webhook-secret S   whsec_… secret to sign with (env STRIPE_WEBHOOK_SECRET; default: a fresh one)`;

function parsePort(text: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text) || port > portMax) throw new SandboxUsageError(`invalid port: ${text}`);
  return port;
}

/** Reads `--flag value` and `--flag=value` forms. */
function readFlags(argv: string[]): Map<string, string[]> {
  const flags = new Map<string, string[]>();
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') throw new SandboxUsageError('');
    if (!arg.startsWith('--')) throw new SandboxUsageError(`unexpected argument: ${arg}`);
    const eq = arg.indexOf('=');
    const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
    const value = eq === -1 ? argv[i + 1] : arg.slice(eq + 1);
    if (eq === -1) i += 1;
    if (value === undefined || (eq === -1 && value.startsWith('--'))) throw new SandboxUsageError(`--${name} needs a value`);
    flags.set(name, [...(flags.get(name) ?? []), value]);
  }
  return flags;
}

const knownFlags = new Set(['port', 'host', 'webhook-url', 'webhook-secret']);

/** Command line and environment to sandbox options; flags win over the environment. */
export function parseSandboxArgs(argv: string[], env: NodeJS.ProcessEnv): SandboxOptions {
  const flags = readFlags(argv);
  for (const name of flags.keys()) {
    if (!knownFlags.has(name)) throw new SandboxUsageError(`unknown option: --${name}`);
  }
  const last = (name: string): string | undefined => flags.get(name)?.at(-1);
  const portText = last('port') ?? env.STRIPE_SANDBOX_PORT;
  const urls = flags.get('webhook-url') ?? (env.STRIPE_SANDBOX_WEBHOOK_URL ?? '').split(',').map((url) => url.trim()).filter(Boolean);
  for (const url of urls) {
    if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) throw new SandboxUsageError(`invalid webhook url: ${url}`);
  }
  // STRIPE_WEBHOOK_SECRET may list several secrets during rotation; the first one signs.
  const secret = last('webhook-secret') ?? env.STRIPE_WEBHOOK_SECRET?.split(',')[0]?.trim();
  if (secret !== undefined && secret !== '' && !secret.startsWith('whsec_')) throw new SandboxUsageError('the webhook secret must start with whsec_');
  const options: SandboxOptions = {
    port: portText === undefined || portText === '' ? defaultSandboxPort : parsePort(portText),
    host: last('host') ?? '127.0.0.1',
    webhookEndpoints: urls.map((url) => ({ url })),
  };
  if (secret) options.webhookSecret = secret;
  return options;
}
