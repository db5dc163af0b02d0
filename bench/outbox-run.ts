import { randomBytes } from 'node:crypto';
import { freshBenchDatabase } from './fixtures.ts';
import { measureOutbox } from './outbox.ts';
import { startBareServer, startPurse } from './processes.ts';
import { printTable, printTargets } from './report.ts';
import { ROUNDS_MIN } from './rounds.ts';
import { judgeTargets } from './targets.ts';

/**
 * Just the outbox delivery scenario of `npm run bench` (bench/outbox.ts), for a quick look after touching
 * the delivery worker: `node --import tsx bench/outbox-run.ts [--db=sqlite|postgres] [--events=N]`.
 * The full bench reports it with everything else; this writes no results file.
 */
const DEFAULT_EVENTS = 1_000;
const DEFAULT_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/test';

const arg = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const kind = (arg('db') ?? 'sqlite') as 'sqlite' | 'postgres';
if (kind !== 'sqlite' && kind !== 'postgres') throw new Error('--db must be sqlite or postgres');
const events = Number(arg('events') ?? DEFAULT_EVENTS);
if (!Number.isInteger(events) || events < 1) throw new Error('--events must be a positive integer');

const bare = await startBareServer();
const db = await freshBenchDatabase(kind, process.env.PURSE_BENCH_POSTGRES_URL ?? DEFAULT_POSTGRES_URL);
try {
  const purse = await startPurse(db.url, db.dir);
  try {
    const row = await measureOutbox({ kind, purse, receiverUrl: `${bare.url}/bare`, db, rounds: ROUNDS_MIN, events, runTag: randomBytes(4).toString('hex') });
    printTable([row]);
    printTargets(judgeTargets({ [kind]: { rows: [row], checkout: { addedP50Ms: 0 }, webhook: { events: 0, credited: 0 } } }).filter((t) => t.what.startsWith('outbox')));
  } finally {
    await purse.stop();
  }
} finally {
  await db.close();
  await bare.stop();
}
