import { ROUNDS_MIN } from './rounds.ts';

/**
 * `npm run bench [-- --quick] [-- --large [--postings N]] [-- --db sqlite|postgres|all] [-- --rounds N] [-- --only TEXT]`.
 * `--only`: just the scenarios whose name contains TEXT (case-insensitive; `A|B` for either), and only the setup they need
 * (bench/ab.ts compares one scenario across two builds).
 * Full: long enough for steady numbers (3 rounds × 5 s per scenario, each after 5 s of the baseline). Quick: a smoke run a reviewer can do in about
 * a minute per database. Large: also seeds ≥ 1,000,000 postings and re-measures the reads.
 */
export interface BenchOptions {
  quick: boolean;
  large: boolean;
  databases: Array<'sqlite' | 'postgres'>;
  /** Seconds of measured load per scenario, and of unmeasured warm-up before it. */
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Sequential requests for the checkout latency comparison (Purse vs the sandbox alone). */
  latencySamples: number;
  walletsMany: number;
  postgresUrl: string;
  /** Rounds of baseline-then-scenario per scenario (A/B/A/B), summarised as min/median/max. */
  rounds: number;
  /** Lower-case text a scenario's name must contain to run; undefined runs them all. */
  only?: string | undefined;
  /** `--large`: postings the seed adds (two per transaction). */
  seedPostings: number;
}

/** Whether a scenario (or a baseline, or a setup step named like the scenarios that need it) runs. */
export function selected(options: Pick<BenchOptions, 'only'>, name: string): boolean {
  if (options.only === undefined) return true;
  const lower = name.toLowerCase();
  return options.only.split(ONLY_ALTERNATIVES).some((part) => lower.includes(part));
}

/** `--only "balance read|transactions page"`: any of the alternatives. */
const ONLY_ALTERNATIVES = '|';

export const BENCH_CONNECTIONS = 50;
export const WALLETS_MANY = 1_000;
const FULL_DURATION_SECONDS = 5;
const FULL_WARMUP_SECONDS = 1;
const QUICK_DURATION_SECONDS = 1;
const QUICK_WARMUP_SECONDS = 0.5;
const DEFAULT_ROUNDS = 3;
const FULL_LATENCY_SAMPLES = 1_000;
const QUICK_LATENCY_SAMPLES = 200;
/** `--large` seeds this many postings unless `--postings` says otherwise (the goal reaches 10 million). */
export const SEED_POSTINGS_DEFAULT = 1_200_000;
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): BenchOptions {
  const known = new Set(['--quick', '--large', '--db', '--rounds', '--only', '--postings']);
  for (const arg of argv) {
    const name = arg.split('=')[0] ?? arg;
    if (arg.startsWith('--') && !known.has(name)) throw new Error(`unknown option ${arg} (known: --quick, --large, --db=sqlite|postgres|all, --rounds=N, --only=TEXT, --postings=N)`);
  }
  const quick = argv.includes('--quick');
  const dbArg = argv.find((a) => a.startsWith('--db='))?.slice('--db='.length) ?? argAfter(argv, '--db') ?? 'all';
  if (!['sqlite', 'postgres', 'all'].includes(dbArg)) throw new Error(`--db must be sqlite, postgres or all, not ${dbArg}`);
  return {
    quick,
    large: argv.includes('--large'),
    databases: dbArg === 'all' ? ['sqlite', 'postgres'] : [dbArg as 'sqlite' | 'postgres'],
    durationSeconds: quick ? QUICK_DURATION_SECONDS : FULL_DURATION_SECONDS,
    warmupSeconds: quick ? QUICK_WARMUP_SECONDS : FULL_WARMUP_SECONDS,
    connections: BENCH_CONNECTIONS,
    latencySamples: quick ? QUICK_LATENCY_SAMPLES : FULL_LATENCY_SAMPLES,
    walletsMany: WALLETS_MANY,
    postgresUrl: env.PURSE_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL,
    only: (argv.find((a) => a.startsWith('--only='))?.slice('--only='.length) ?? argAfter(argv, '--only'))?.toLowerCase(),
    rounds: parseRounds(argv.find((a) => a.startsWith('--rounds='))?.slice('--rounds='.length) ?? argAfter(argv, '--rounds')),
    seedPostings: parsePostings(argv.find((a) => a.startsWith('--postings='))?.slice('--postings='.length) ?? argAfter(argv, '--postings')),
  };
}

function argAfter(argv: string[], flag: string): string | undefined {
  const at = argv.indexOf(flag);
  return at === -1 ? undefined : argv[at + 1];
}

function parsePostings(text: string | undefined): number {
  if (text === undefined) return SEED_POSTINGS_DEFAULT;
  const postings = Number(text);
  if (!Number.isSafeInteger(postings) || postings < 2 || postings % 2 !== 0) throw new Error(`--postings must be an even integer ≥ 2, not ${text}`);
  return postings;
}

function parseRounds(text: string | undefined): number {
  if (text === undefined) return DEFAULT_ROUNDS;
  const rounds = Number(text);
  if (!Number.isInteger(rounds) || rounds < ROUNDS_MIN) throw new Error(`--rounds must be an integer ≥ ${ROUNDS_MIN}, not ${text}`);
  return rounds;
}
