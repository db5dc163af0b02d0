import { runSandboxCli } from '../sandbox/cli-run.ts';

/** `purse sandbox`: runs the Stripe sandbox alone until SIGINT/SIGTERM. */
export async function sandboxCommand(argv: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return runSandboxCli(argv, env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
    signals: process,
  });
}
