/**
 * Stops `purse serve` once, in order, on SIGTERM, SIGINT or an uncaught error, then exits (0 when the close
 * worked; 1 on an error or when the grace period runs out).
 *
 * Ctrl-C on `npm start` reaches Purse two or three times: the terminal signals the whole foreground process
 * group (SIGINT), npm forwards it, and npm sends SIGTERM to its child as it exits itself (seen: 4 ms after
 * the SIGINT). A stop signal within DUPLICATE_SIGNAL_WINDOW_MS of the first is that echo and is ignored; a
 * later one is someone pressing Ctrl-C again to force the exit (exit 1 at once).
 * Replaces close-with-grace, whose second signal always exited 1 at once: half of all Ctrl-Cs on `npm start`
 * cut the shutdown short and could lose the sandbox's last state write.
 */
export const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** A stop signal within this window of the first is npm's echo of it, not a second request. */
export const DUPLICATE_SIGNAL_WINDOW_MS = 1_000;

export interface ShutdownOptions {
  graceMs: number;
  close: (reason: { signal?: string; err?: unknown }) => Promise<void>;
  onTimeout: () => void;
  /** Injected by tests; process.exit otherwise. */
  exit?: (code: number) => void;
  nowMs?: () => number;
}

export function stopOnSignals(opts: ShutdownOptions): void {
  const exit = opts.exit ?? ((code: number) => process.exit(code));
  const nowMs = opts.nowMs ?? Date.now;
  let first: { signal?: string; atMs: number } | undefined;
  const begin = (reason: { signal?: string; err?: unknown }) => {
    if (first) return repeat(reason);
    first = { signal: reason.signal, atMs: nowMs() };
    void closeWithin(opts, reason).then(exit);
  };
  const repeat = (reason: { signal?: string; err?: unknown }) => {
    const echo = reason.signal !== undefined && first !== undefined && nowMs() - first.atMs < DUPLICATE_SIGNAL_WINDOW_MS;
    if (!echo) exit(1);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => begin({ signal }));
  process.on('uncaughtException', (err) => begin({ err }));
  process.on('unhandledRejection', (err) => begin({ err }));
}

/** The exit code: 0 when close finished in time without a fatal error, 1 otherwise. */
async function closeWithin(opts: ShutdownOptions, reason: { signal?: string; err?: unknown }): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<'timeout'>((resolve) => {
    timer = setTimeout(() => resolve('timeout'), opts.graceMs);
  });
  try {
    const outcome = await Promise.race([opts.close(reason).then(() => 'closed' as const), timedOut]);
    if (outcome === 'timeout') {
      opts.onTimeout();
      return 1;
    }
    return reason.err === undefined ? 0 : 1;
  } catch {
    return 1;
  } finally {
    clearTimeout(timer);
  }
}
