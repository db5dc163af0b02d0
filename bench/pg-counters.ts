import type { BenchDatabase } from './fixtures.ts';
import type { CounterName, CounterProbe } from './rounds.ts';

/**
 * PostgreSQL's own cumulative counters, read around each round (bench/rounds.ts): WAL bytes and full-page
 * images (`pg_stat_wal`, PostgreSQL 14+), checkpoints and buffers written by backends themselves
 * (`pg_stat_bgwriter` up to 16; 17 moved checkpoints to `pg_stat_checkpointer` and backend writes to
 * `pg_stat_io`). They are server-wide: anything else running on the server shows up in them too. A counter
 * this server does not have reads as NaN (shown as "-"), never as 0.
 */
export function postgresCounters(db: BenchDatabase): CounterProbe {
  return async () => {
    const [wal, checkpoints, backendWrites] = await Promise.all([
      one(db, 'select wal_bytes::float8 as a, wal_fpi::float8 as b from pg_stat_wal'),
      one(db, 'select (checkpoints_timed + checkpoints_req)::float8 as a from pg_stat_bgwriter')
        .then((row) => (Number.isNaN(row.a) ? one(db, 'select (num_timed + num_requested)::float8 as a from pg_stat_checkpointer') : row)),
      one(db, 'select buffers_backend::float8 as a from pg_stat_bgwriter'),
    ]);
    const counters: Record<CounterName, number> = { walBytes: wal.a, fullPageImages: wal.b, checkpoints: checkpoints.a, backendWrites: backendWrites.a };
    return counters;
  };
}

async function one(db: BenchDatabase, text: string): Promise<{ a: number; b: number }> {
  try {
    const [row] = await db.query<{ a: number; b?: number }>(text);
    return { a: Number(row?.a ?? Number.NaN), b: Number(row?.b ?? Number.NaN) };
  } catch {
    return { a: Number.NaN, b: Number.NaN };
  }
}
