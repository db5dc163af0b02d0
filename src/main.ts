import { runCli } from './cli/program.ts';

/** `purse …` (bin/purse.js runs the compiled form of this file): resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  return runCli(argv);
}
