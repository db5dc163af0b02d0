import { openCtx } from './app.ts';
import { ConfigError, parseConfig } from './config/config.ts';
import { PurseError } from './errors/purse-error.ts';
import { CTX_COMMANDS } from './cli/commands.ts';
import { UsageError } from './cli/args.ts';
import { serveCommand } from './cli/serve.ts';
import { sandboxCommand } from './cli/sandbox.ts';

const USAGE = `usage: purse <command>

  serve                         run the API (default; starts the Stripe sandbox when STRIPE_SECRET_KEY is unset)
  migrate                       apply database migrations
  tenants create --name N --currency C [--json]
  tenants list [--json]         tenants disable <tenantId>
  numbers create --tenant T --name N [--json]
  keys create --tenant T [--scope tenant|number] [--number N] [--permissions a,b] [--json]
  keys list --tenant T [--json] keys revoke <keyId> [--json]
  ledger verify [--json]        prove every ledger invariant (exit 0 only if all hold)
  reconcile [--hours N] [--json]  fetch Stripe events that were never delivered and process them
  auto-topup show --tenant T [--json]
  auto-topup set --tenant T --enabled true|false --threshold X (--amount A | --target-balance B) [--monthly-cap C] [--json]
  sandbox [--port P] [--webhook-url U] [--webhook-secret S]   run the Stripe sandbox alone

Configuration comes from environment variables; see README.md.`;

const EXIT_FAILURE = 1;
const EXIT_CONFIG = 2;
const EXIT_USAGE = 64;

export async function main(argv: string[]): Promise<number> {
  const [command = 'serve', ...rest] = argv;
  try {
    if (command === 'help' || command === '--help' || command === '-h') {
      process.stdout.write(USAGE + '\n');
      return 0;
    }
    if (command === 'sandbox') return await sandboxCommand(rest, process.env);
    const config = parseConfig(process.env);
    if (command === 'serve') return await serveCommand(config);
    return await withCtx(config, command, rest);
  } catch (err) {
    return reportFailure(err);
  }
}

async function withCtx(config: ReturnType<typeof parseConfig>, command: string, rest: string[]): Promise<number> {
  const run = CTX_COMMANDS[command];
  if (!run) throw new UsageError(`unknown command: ${command}`);
  const ctx = await openCtx(config);
  try {
    return await run(ctx, rest);
  } finally {
    await ctx.store.close();
  }
}

function reportFailure(err: unknown): number {
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT_CONFIG;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${USAGE}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof PurseError) {
    process.stderr.write(`${JSON.stringify(err.toBody())}\n`);
    return EXIT_FAILURE;
  }
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  return EXIT_FAILURE;
}
