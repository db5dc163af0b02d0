import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from '../src/testing/process.ts';
import { fileURLToPath } from 'node:url';

/** Real processes, started the way an operator starts them, and stopped by their own pid only. */
export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));
const READY_TIMEOUT_MS = 60_000;
const READY_POLL_MS = 100;
const STOP_TIMEOUT_MS = 15_000;
const OUTPUT_LINES_KEPT = 200;

export interface Child {
  name: string;
  url: string;
  /** The process id, for reading its CPU time from /proc. */
  pid: number;
  /** The last lines it wrote, for the report when something goes wrong. */
  output(): string[];
  /** Lines at level warn or above (pino's numeric level ≥ 40), counted over its whole life. */
  problemLines(): number;
  stop(): Promise<void>;
}


export interface StartOptions {
  name: string;
  args: string[];
  env: Record<string, string>;
  /** Answers 2xx once the process is ready to take load. */
  readyUrl: string;
  url: string;
  /** The checkout to run from (default: this one); bench/ab.ts runs an older build next to this one. */
  root?: string;
}

/** Every child still running; if the bench itself dies, they go with it (by pid, nothing else). */
const LIVE = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of LIVE) child.kill('SIGKILL');
});

export async function startProcess(opts: StartOptions): Promise<Child> {
  const child = spawn(process.execPath, opts.args, { cwd: opts.root ?? REPO_ROOT, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  LIVE.add(child);
  child.once('exit', () => LIVE.delete(child));
  const lines: string[] = [];
  let problems = 0;
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (line === '') continue;
      if (/"level":\s*(4|5|6)\d/.test(line)) problems += 1;
      lines.push(line);
      if (lines.length > OUTPUT_LINES_KEPT) lines.shift();
    }
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  await waitReady(opts, child, exited, lines);
  return {
    name: opts.name,
    url: opts.url,
    pid: child.pid ?? 0,
    output: () => [...lines],
    problemLines: () => problems,
    stop: () => stopChild(child, exited),
  };
}

async function waitReady(opts: StartOptions, child: ChildProcess, exited: Promise<number | null>, lines: string[]): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let gone = false;
  void exited.then(() => {
    gone = true;
  });
  while (Date.now() < deadline) {
    if (gone) throw new Error(`${opts.name} exited before it was ready:\n${lines.slice(-20).join('\n')}`);
    const ok = await fetch(opts.readyUrl).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  child.kill('SIGKILL');
  throw new Error(`${opts.name} was not ready within ${READY_TIMEOUT_MS} ms:\n${lines.slice(-20).join('\n')}`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

export const BENCH_ADMIN_KEY = 'pa_bench_admin_key_0123456789abcdef';
export const BENCH_MASTER_KEY = 'bench-master-key-0123456789abcdef0123456789';
export const BENCH_WEBHOOK_SECRET = 'whsec_purse_bench_0123456789abcdef';
const RATE_LIMIT_PER_MINUTE_UNLIMITED = 1_000_000;

export interface PurseProcess extends Child {
  sandboxUrl: string;
}

/** `purse serve` against `databaseUrl`, its in-process Stripe sandbox on a port of ours. */
export async function startPurse(databaseUrl: string, dataDir: string, root?: string, nodeArgs: string[] = []): Promise<PurseProcess> {
  const [port, sandboxPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const child = await startProcess({
    name: 'purse',
    args: [...nodeArgs, 'bin/purse.js', 'serve'],
    url,
    readyUrl: `${url}/readyz`,
    ...(root === undefined ? {} : { root }),
    env: {
      DATABASE_URL: databaseUrl,
      PORT: String(port),
      PUBLIC_URL: url,
      PURSE_ADMIN_KEY: BENCH_ADMIN_KEY,
      PURSE_MASTER_KEY: BENCH_MASTER_KEY,
      PURSE_DATA_DIR: dataDir,
      STRIPE_SANDBOX_PORT: String(sandboxPort),
      // Purse accepts every configured secret as well as its sandbox's own: the bench signs with this one.
      STRIPE_WEBHOOK_SECRET: BENCH_WEBHOOK_SECRET,
      LOG_LEVEL: 'warn',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT_PER_MINUTE_UNLIMITED),
    },
  });
  return { ...child, sandboxUrl: `http://127.0.0.1:${sandboxPort}` };
}

/** The framework baseline (bench/bare-server.ts), a process of its own like Purse. */
export async function startBareServer(): Promise<Child> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  return startProcess({ name: 'bare-fastify', args: ['--import', 'tsx', 'bench/bare-server.ts'], url, readyUrl: `${url}/bare`, env: { PORT: String(port) } });
}
