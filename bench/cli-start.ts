import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ROUNDS_MIN, spread } from './rounds.ts';

/**
 * `node --import tsx bench/cli-start.ts [--rounds N]`: how long `purse --help` takes to start, against a bare
 * `node -e 0` measured in the same rounds (A/B/A/B), as issue 12 asks ("within 8× a bare node start").
 * Each round times STARTS_PER_ROUND starts of each, one after the other; the ratio is per round.
 */
const STARTS_PER_ROUND = 10;
const DEFAULT_ROUNDS = 5;
const HELP_SLOWDOWN_MAX = 8;
const PURSE_BIN = fileURLToPath(new URL('../bin/purse.js', import.meta.url));

function timeStartsMs(args: string[]): number {
  const started = process.hrtime.bigint();
  for (let i = 0; i < STARTS_PER_ROUND; i += 1) {
    const run = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
    if (run.status !== 0) throw new Error(`node ${args.join(' ')} exited ${run.status}`);
  }
  return Number(process.hrtime.bigint() - started) / 1e6 / STARTS_PER_ROUND;
}

function roundsFromArgs(argv: string[]): number {
  const at = argv.indexOf('--rounds');
  const rounds = at === -1 ? DEFAULT_ROUNDS : Number(argv[at + 1]);
  if (!Number.isInteger(rounds) || rounds < ROUNDS_MIN) throw new Error(`--rounds must be an integer ≥ ${ROUNDS_MIN}`);
  return rounds;
}

const rounds = roundsFromArgs(process.argv.slice(2));
const bare: number[] = [];
const help: number[] = [];
const ratios: number[] = [];
for (let round = 0; round < rounds; round += 1) {
  const b = timeStartsMs(['-e', '0']);
  const h = timeStartsMs([PURSE_BIN, '--help']);
  bare.push(b);
  help.push(h);
  ratios.push(h / b);
}
const fmt = (s: { min: number; median: number; max: number }, digits: number) => `${s.median.toFixed(digits)} (${s.min.toFixed(digits)}–${s.max.toFixed(digits)})`;
const ratio = spread(ratios);
console.log(`node -e 0: ${fmt(spread(bare), 1)} ms; purse --help: ${fmt(spread(help), 1)} ms; ×bare node ${fmt(ratio, 2)} over ${rounds} rounds of ${STARTS_PER_ROUND} starts`);
console.log(`${ratio.median <= HELP_SLOWDOWN_MAX ? 'MET   ' : 'MISSED'} purse --help within ${HELP_SLOWDOWN_MAX}× a bare node start (median of rounds)`);
