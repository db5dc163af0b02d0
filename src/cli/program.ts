import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { registerCommands } from './commands.ts';
import type { Action, CommandKit, CtxHandler } from './kit.ts';
import { UsageError } from './output.ts';
import { describeDatabase, describeStartupError, startupStep } from './startup-errors.ts';

export const EXIT_FAILURE = 1;
export const EXIT_CONFIG = 2;
export const EXIT_USAGE = 64;
const DEFAULT_COMMAND = 'serve';

/** Parses argv, runs the command and resolves to the process exit code; never throws. */
export async function runCli(argv: string[]): Promise<number> {
  let exitCode = 0;
  const kit = commandKit((code) => {
    exitCode = code;
  });
  const program = new Command('purse')
    .description('Prepaid wallets for SaaS: the API server and its operator commands.\nConfiguration comes from environment variables; see README.md.')
    .version(purseVersion(), '-v, --version', 'print the version of Purse')
    .exitOverride()
    .configureOutput({ outputError: () => {} })
    .showSuggestionAfterError();
  registerCommands(program, kit);
  addJsonEverywhere(program);
  const args = argv.length === 0 ? [DEFAULT_COMMAND] : argv;
  try {
    // The sandbox parses its own flags (and --help); commander only lists it.
    if (args[0] === 'sandbox') return (await (await import('./sandbox.ts')).sandboxCommand({}, args.slice(1))) ?? 0;
    await program.parseAsync(args, { from: 'user' });
    return exitCode;
  } catch (err) {
    return await reportFailure(err, program, args);
  }
}

/** The version in the project's package.json: the first one up from this file (src/cli/ or the dist/ bundle). */
function purseVersion(): string {
  for (let dir = new URL('./', import.meta.url); dir.pathname !== '/'; dir = new URL('../', dir)) {
    try {
      const pkg = JSON.parse(readFileSync(new URL('package.json', dir), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'purse' && pkg.version) return pkg.version;
    } catch {
      // No package.json here: look one folder up.
    }
  }
  return 'unknown';
}

function commandKit(setExitCode: (code: number) => void): CommandKit {
  const finish = (code: number | void) => setExitCode(typeof code === 'number' ? code : 0);
  const withCtx = (load: () => Promise<CtxHandler>, audited: boolean): Action => async (...params) => {
    const command = params.at(-1) as Command;
    const [handler, { parseConfig }, { openCtx }] = await Promise.all([load(), import('../config/config.ts'), import('../open-ctx.ts')]);
    const config = parseConfig(process.env);
    const ctx = await startupStep(`cannot open ${describeDatabase(config.databaseUrl)} (DATABASE_URL)`, () => openCtx(config));
    try {
      const run = () => handler(ctx, command.opts(), command.args);
      finish(audited ? await (await import('./cli-audit.ts')).auditedCommand(ctx, command, run) : await run());
    } finally {
      await ctx.store.close();
    }
  };
  return {
    withCtx: (load) => withCtx(load, false),
    audited: (load) => withCtx(load, true),
    plain: (load) => async (...params) => {
      const command = params.at(-1) as Command;
      finish(await (await load())(command.opts(), command.args));
    },
    group(program, name, description) {
      const existing = program.commands.find((c) => c.name() === name);
      return (existing ?? program.command(name)).description(description);
    },
    command(program, words) {
      const [groupName, ...rest] = words.split(' ');
      const group = program.commands.find((c) => c.name() === groupName) ?? program.command(groupName!);
      return rest.length === 0 ? group : this.command(group, rest.join(' '));
    },
  };
}

/** Every runnable command takes `--json` (machine-readable output). */
function addJsonEverywhere(command: Command): void {
  for (const sub of command.commands) addJsonEverywhere(sub);
  const runnable = command.commands.length === 0 && command.name() !== 'sandbox' && command.name() !== 'serve';
  if (runnable && !command.options.some((o) => o.long === '--json')) command.option('--json', 'print machine-readable JSON');
}

async function reportFailure(err: unknown, program: Command, args: string[]): Promise<number> {
  if (err instanceof CommanderError) {
    // --help and --version are "errors" to commander that exit 0.
    if (err.exitCode === 0) return 0;
    process.stderr.write(`${err.message.replace(/^error: /, '')}\n\n${usageOf(program, args)}\n`);
    return EXIT_USAGE;
  }
  if (err instanceof UsageError) {
    process.stderr.write(`${err.message}\n\n${usageOf(program, args)}\n`);
    return EXIT_USAGE;
  }
  const { ConfigError } = await import('../config/config.ts');
  if (err instanceof ConfigError) {
    process.stderr.write(`${err.message}\n`);
    return EXIT_CONFIG;
  }
  const { PurseError } = await import('../errors/purse-error.ts');
  if (err instanceof PurseError) {
    process.stderr.write(`${JSON.stringify(err.toBody())}\n`);
    return EXIT_FAILURE;
  }
  process.stderr.write(`${describeStartupError(err) ?? (err as Error).stack ?? String(err)}\n`);
  return EXIT_FAILURE;
}

/** `usage: purse tenants create [options]` for the deepest command the arguments name. */
function usageOf(program: Command, args: string[]): string {
  let command = program;
  const path = ['purse'];
  for (const word of args) {
    const sub = command.commands.find((c) => c.name() === word);
    if (!sub) break;
    command = sub;
    path.push(word);
  }
  return `usage: ${path.join(' ')} ${command.usage()}\nrun '${path.join(' ')} --help' for details`;
}
