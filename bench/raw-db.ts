import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { percentile } from './http-load.ts';

/**
 * The database baseline: what the database alone does for one debit — a guarded UPDATE of a balance and
 * an INSERT of a ledger row, committed durably — with no HTTP, no framework, no Purse. SQLite: one
 * synchronous loop (it has one writer). PostgreSQL: one client in a tight loop, and, for context, 50
 * clients on one hot row and on 1,000 rows (each transaction its own commit, as without group commit).
 */
export interface RawResult {
  name: string;
  clients: number;
  txPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  transactions: number;
}

const RAW_FUNDS = 1_000_000_000_000;
const RAW_WALLETS_MANY = 1_000;

export function rawSqlite(dir: string, durationSeconds: number): RawResult {
  const db = new BetterSqlite3(join(dir, 'raw-baseline.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('create table wallets (id text primary key, balance integer not null)');
  db.exec('create table ledger (id integer primary key, wallet text not null, amount integer not null, reference text not null unique)');
  db.prepare('insert into wallets (id, balance) values (?, ?)').run('w1', RAW_FUNDS);
  const begin = db.prepare('begin');
  const debit = db.prepare('update wallets set balance = balance - 1 where id = ? and balance >= 1');
  const record = db.prepare('insert into ledger (wallet, amount, reference) values (?, -1, ?)');
  const commit = db.prepare('commit');
  const times: number[] = [];
  const endMs = performance.now() + durationSeconds * 1000;
  for (let i = 0; performance.now() < endMs; i += 1) {
    const startMs = performance.now();
    begin.run();
    if (debit.run('w1').changes !== 1) throw new Error('raw SQLite baseline: the guarded update refused');
    record.run('w1', `raw:${i}`);
    commit.run();
    times.push(performance.now() - startMs);
  }
  db.close();
  return summarise('raw SQLite tx (1 loop)', 1, times, durationSeconds);
}

export async function rawPostgres(url: string, clients: number, wallets: number, durationSeconds: number): Promise<RawResult> {
  const pool = new pg.Pool({ connectionString: url, max: clients });
  pool.on('error', () => {});
  const schema = `raw_${clients}_${wallets}`;
  await pool.query(`create schema ${schema}`);
  await pool.query(`create table ${schema}.wallets (id text primary key, balance bigint not null)`);
  await pool.query(`create table ${schema}.ledger (id bigserial primary key, wallet text not null, amount bigint not null, reference text not null unique)`);
  await pool.query(`insert into ${schema}.wallets (id, balance) select 'w' || g, $1 from generate_series(1, $2) g`, [RAW_FUNDS, wallets]);
  const times: number[] = [];
  const endMs = performance.now() + durationSeconds * 1000;
  let counter = 0;
  const loop = async () => {
    const client = await pool.connect();
    try {
      while (performance.now() < endMs) {
        counter += 1;
        const n = counter;
        const wallet = `w${1 + (n % wallets)}`;
        const startMs = performance.now();
        await client.query('begin');
        const debited = await client.query(`update ${schema}.wallets set balance = balance - 1 where id = $1 and balance >= 1`, [wallet]);
        if (debited.rowCount !== 1) throw new Error('raw PostgreSQL baseline: the guarded update refused');
        await client.query(`insert into ${schema}.ledger (wallet, amount, reference) values ($1, -1, $2)`, [wallet, `raw:${n}`]);
        await client.query('commit');
        times.push(performance.now() - startMs);
      }
    } finally {
      client.release();
    }
  };
  await Promise.all(Array.from({ length: clients }, loop));
  await pool.query(`drop schema ${schema} cascade`);
  await pool.end();
  const rows = wallets === 1 ? 'one hot row' : `${wallets} rows`;
  return summarise(`raw PostgreSQL tx (${clients} client${clients === 1 ? '' : 's'}, ${rows})`, clients, times, durationSeconds);
}

export const RAW_PG_ROWS_MANY = RAW_WALLETS_MANY;

function summarise(name: string, clients: number, times: number[], durationSeconds: number): RawResult {
  return { name, clients, txPerSecond: times.length / durationSeconds, p50Ms: percentile(times, 50), p99Ms: percentile(times, 99), transactions: times.length };
}
