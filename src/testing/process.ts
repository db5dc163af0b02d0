import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { promisify } from 'node:util';

const run = promisify(execFile);
export const PURSE_BIN = new URL('../../bin/purse.js', import.meta.url).pathname;
const PROJECT_DIR = new URL('../../', import.meta.url).pathname;
const OUTPUT_WAIT_MS = 60_000;

/** Runs `purse …` to completion; resolves with its exit code and output (never rejects on a non-zero exit). */
export async function purseCli(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, [PURSE_BIN, ...args], { env: { ...process.env, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code?: number; stdout?: string; stderr?: string };
    return { code: typeof e.code === 'number' ? e.code : 1, stdout: e.stdout ?? '', stderr: e.stderr ?? '' };
  }
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** stdout and stderr interleaved as they arrived. */
  output(): string;
  /** stdout alone. */
  stdout(): string;
  /** Resolves once the output matches, rejects if the process exits first. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM unless already signalled, then the exit code. */
  stop(): Promise<number | null>;
  /** Resolves once every process writing to the child's stdout and stderr (npm's node child too) has exited. */
  closed(): Promise<void>;
}

/**
 * `purse <args>` as a child process; `npmStart` runs `npm start` instead (what an operator types);
 * `ownGroup` makes it the leader of its own process group, as a terminal's foreground job is, so a test can
 * signal the whole group (`process.kill(-child.pid, 'SIGINT')`) the way Ctrl-C does.
 */
export function startPurseProcess(args: string[], env: Record<string, string>, opts: { npmStart?: boolean; ownGroup?: boolean } = {}): RunningProcess {
  const spawnOpts = { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] as ['ignore', 'pipe', 'pipe'], detached: opts.ownGroup === true };
  const child = opts.npmStart
    ? spawn('npm', ['start', '--silent'], { ...spawnOpts, cwd: PROJECT_DIR })
    : spawn(process.execPath, [PURSE_BIN, ...args], spawnOpts);
  let text = '';
  let stdoutText = '';
  const listeners = new Set<() => void>();
  const onData = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const l of listeners) l();
  };
  child.stdout.on('data', (chunk: Buffer) => {
    stdoutText += chunk.toString('utf8');
  });
  child.stdout.on('data', onData);
  child.stderr.on('data', onData);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return {
    child,
    output: () => text,
    closed: () => closed,
    stdout: () => stdoutText,
    waitFor(pattern, timeoutMs = OUTPUT_WAIT_MS) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => finish(new Error(`timed out waiting for ${pattern}; output so far:\n${text}`)), timeoutMs);
        const check = () => {
          const match = text.match(pattern);
          if (match) finish(undefined, match);
        };
        const finish = (err?: Error, match?: RegExpMatchArray) => {
          clearTimeout(timer);
          listeners.delete(check);
          if (err) reject(err);
          else resolve(match!);
        };
        listeners.add(check);
        void exited.then((code) => finish(new Error(`process exited (${code}) before ${pattern}; output:\n${text}`)));
        check();
      });
    },
    async stop() {
      // Once signalled (by the test or an earlier stop), only wait: a second SIGTERM after the first second makes the shutdown
      // exit 1 at once, so a test that sent its own signal would see a failed shutdown that never happened.
      if (child.exitCode === null && !child.killed) child.kill('SIGTERM');
      return exited;
    },
  };
}
