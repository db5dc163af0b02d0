import { parseSandboxArgs, SandboxUsageError, sandboxUsage } from './cli-options.ts';
import { startSandbox } from './index.ts';

export interface SignalSource {
  once(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
  off(signal: 'SIGINT' | 'SIGTERM', listener: () => void): unknown;
}

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
  signals: SignalSource;
}

const exitOk = 0;
const exitFailure = 1;
const exitUsage = 64;

function waitForSignal(signals: SignalSource): Promise<string> {
  return new Promise((resolve) => {
    const onInt = (): void => done('SIGINT');
    const onTerm = (): void => done('SIGTERM');
    const done = (signal: string): void => {
      signals.off('SIGINT', onInt);
      signals.off('SIGTERM', onTerm);
      resolve(signal);
    };
    signals.once('SIGINT', onInt);
    signals.once('SIGTERM', onTerm);
  });
}

/** Runs the sandbox alone until SIGINT/SIGTERM, printing how to use it. */
export async function runSandboxCli(argv: string[], env: NodeJS.ProcessEnv, io: CliIo): Promise<number> {
  let options;
  try {
    options = parseSandboxArgs(argv, env);
  } catch (error) {
    if (!(error instanceof SandboxUsageError)) throw error;
    if (error.message) io.err(`purse sandbox: ${error.message}`);
    io.err(sandboxUsage);
    return error.message ? exitUsage : exitOk;
  }
  let sandbox;
  try {
    sandbox = await startSandbox({ ...options, logger: (line) => io.out(JSON.stringify(line)) });
  } catch (error) {
    io.err(`purse sandbox: cannot listen on ${options.host}:${options.port}: ${error instanceof Error ? error.message : String(error)}`);
    return exitFailure;
  }
  const endpoints = sandbox.webhooks.endpoints().map((endpoint) => endpoint.url);
  io.out(`Stripe sandbox listening on ${sandbox.url}`);
  io.out(`Webhook signing secret: ${sandbox.webhookSecret}`);
  io.out(`Webhook endpoints: ${endpoints.length > 0 ? endpoints.join(', ') : `none (add one: POST ${sandbox.url}/_sandbox/webhook_endpoints {"url": "…"})`}`);
  io.out('Point the official SDK at it:');
  io.out(`  new Stripe('sk_test_sandbox', { host: '${sandbox.host}', port: ${sandbox.port}, protocol: 'http' })`);
  io.out(`Control API: ${sandbox.url}/_sandbox/health (pay, expire, settle, refund, dispute, faults, clock)`);
  const signal = await waitForSignal(io.signals);
  io.out(`Received ${signal}; closing the sandbox.`);
  await sandbox.close();
  return exitOk;
}
