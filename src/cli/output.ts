/** A command line that cannot be run as typed: exit 64 with the command's usage. */
export class UsageError extends Error {}

/** The options commander parsed for a command (`--json` is on every command). */
export type Options = Record<string, unknown> & { json?: boolean };

/** `--json` prints machine-readable JSON; otherwise a short human line. */
export function output(opts: Options, data: unknown, human: string): void {
  process.stdout.write(opts.json ? JSON.stringify(data, null, 2) + '\n' : human + '\n');
}

const CLEAR_LINE = '\r\x1b[K';

/**
 * Progress for long work (`ledger verify`, `migrate`), on stderr and only when it is a terminal, so
 * piped output and `--json` stay clean. `step` replaces the line; `done` clears it.
 */
export function progress(label: string): { step(text: string): void; done(): void } {
  const tty = process.stderr.isTTY === true;
  const started = Date.now();
  return {
    step(text) {
      if (tty) process.stderr.write(`${CLEAR_LINE}${label}: ${text} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
    },
    done() {
      if (tty) process.stderr.write(CLEAR_LINE);
    },
  };
}
