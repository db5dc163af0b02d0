import { runSandboxCli } from '../sandbox/cli-run.ts';
import type { Options } from './output.ts';

/** `purse sandbox`: runs the Stripe sandbox alone until SIGINT/SIGTERM (it parses its own flags). */
export async function sandboxCommand(_opts: Options, argv: string[]): Promise<number> {
  return runSandboxCli(argv, process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    signals: process,
  });
}
