import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import pg from 'pg';
import { BENCH_ADMIN_KEY } from './processes.ts';

/** A database made for one run and dropped after it, plus direct SQL for seeding and checking. */
/** Every bench top-up pays this much, in major units. */
export const TOPUP_AMOUNT_MAJOR = 50;

export interface BenchDatabase {
  kind: 'sqlite' | 'postgres';
  /** What Purse is given as DATABASE_URL. */
  url: string;
  /** Scratch space of this run (Purse's data dir, the raw baseline's files). */
  dir: string;
  query<T>(text: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

const SQLITE_BUSY_TIMEOUT_MS = 30_000;

export async function freshBenchDatabase(kind: 'sqlite' | 'postgres', postgresUrl: string): Promise<BenchDatabase> {
  const dir = mkdtempSync(join(tmpdir(), 'purse-bench-'));
  if (kind === 'sqlite') return sqliteDatabase(dir);
  const name = `purse_bench_${randomBytes(5).toString('hex')}`;
  await adminQuery(postgresUrl, `create database ${name}`);
  const url = withDatabase(postgresUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on('error', () => {});
  return {
    kind, url, dir,
    query: async (text, params) => (await pool.query(text, params)).rows,
    close: async () => {
      await pool.end();
      await adminQuery(postgresUrl, `drop database if exists ${name} with (force)`);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

function sqliteDatabase(dir: string): BenchDatabase {
  const path = join(dir, 'purse.sqlite');
  let handle: BetterSqlite3.Database | undefined;
  // Opened on first use: Purse creates the file and its schema when it starts.
  const open = () => {
    if (!handle) {
      handle = new BetterSqlite3(path);
      handle.pragma(`busy_timeout = ${SQLITE_BUSY_TIMEOUT_MS}`);
      handle.defaultSafeIntegers(false);
    }
    return handle;
  };
  return {
    kind: 'sqlite', url: `sqlite:${path}`, dir,
    query: async <T>(text: string, params: unknown[] = []) => {
      // The same SQL text as PostgreSQL's: $1, $2… (each used once, in order) become SQLite's positional ?.
      const statement = open().prepare(text.replace(/\$\d+/g, '?'));
      if (statement.reader) return statement.all(...params) as T[];
      statement.run(...params);
      return [];
    },
    close: async () => {
      handle?.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(url: string, text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

/** The admin API, as an operator's tooling would call it. */
export async function adminCall<T>(baseUrl: string, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${baseUrl}${path}`, {
    method,
    headers: { authorization: `Bearer ${BENCH_ADMIN_KEY}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

export interface BenchTenant {
  tenantId: string;
  apiKey: string;
}

/** A tenant with a tenant-scoped key (every permission) and `fundsMajor` in its wallet. */
export async function createFundedTenant(baseUrl: string, name: string, currency: string, fundsMajor: string): Promise<BenchTenant> {
  const tenant = await adminCall<{ id: string }>(baseUrl, 'POST', '/v1/admin/tenants', { name, currency });
  const key = await adminCall<{ secret: string }>(baseUrl, 'POST', `/v1/admin/tenants/${tenant.id}/keys`, { scope: 'tenant' });
  if (fundsMajor !== '0') await adminCall(baseUrl, 'POST', `/v1/admin/tenants/${tenant.id}/adjustments`, { amount: fundsMajor, reason: 'bench funding' });
  return { tenantId: tenant.id, apiKey: key.secret };
}

const SETUP_CONCURRENCY = 16;

/** Runs `make(i)` for i < count with a few in flight at once. */
export async function inParallel<T>(count: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const results: T[] = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const i = next;
      next += 1;
      results[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(SETUP_CONCURRENCY, count) }, worker));
  return results;
}
