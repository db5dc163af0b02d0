import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import pg from 'pg';
import { type CreatePurseOptions, type Purse, createPurse } from '../app.ts';
import { type Config, parseConfig } from '../config/config.ts';
import type { Secrets } from '../context.ts';

/**
 * A real Purse on a real database for one test file. The database is chosen by
 * PURSE_TEST_DATABASE_URL: unset → a fresh SQLite file; postgres://… → a fresh schema in that database.
 */
export const TEST_SECRETS: Secrets = {
  adminKey: 'pa_test_admin_key_0123456789abcdef',
  masterKey: 'test-master-key-0123456789abcdef0123456789',
};

export interface TestPurse extends Purse {
  /** Every JSON log line written so far. */
  logs(): string;
  databaseUrl: string;
  /** PostgreSQL schema of this test's database, if any. */
  pgSchema: string | undefined;
  /** DATABASE_URL for a child process (`purse …`) to open this same database, schema included. */
  cliDatabaseUrl: string;
}

export interface TestPurseOptions extends CreatePurseOptions {
  /** Run as a second instance on another test Purse's database (it stays owned by the first). */
  shareDatabaseOf?: TestPurse;
}

export function testDatabaseKind(): 'sqlite' | 'postgres' {
  return process.env.PURSE_TEST_DATABASE_URL?.startsWith('postgres') ? 'postgres' : 'sqlite';
}

export async function startTestPurse(env: Record<string, string> = {}, opts: TestPurseOptions = {}): Promise<TestPurse> {
  const { shareDatabaseOf, ...createOpts } = opts;
  const db = shareDatabaseOf ? borrowed(shareDatabaseOf) : await freshDatabase();
  const config: Config = parseConfig({ PURSE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: db.url, PUBLIC_URL: 'http://localhost:8080', ...env });
  const stream = new PassThrough();
  let logText = '';
  stream.on('data', (chunk: Buffer) => {
    logText += chunk.toString('utf8');
  });
  const purse = await createPurse(config, {
    secrets: TEST_SECRETS,
    logStream: stream,
    // Tests drive jobs themselves (or pass `jobs: { timers: manualTimers() }`), never on real intervals.
    jobs: false,
    ...createOpts,
    // Merged, not replaced: a test passing its own store options (batching) still runs in its own schema.
    ...(db.schema ? { store: { ...createOpts.store, pgSchema: db.schema } } : {}),
  });
  return {
    ...purse,
    databaseUrl: db.url,
    pgSchema: db.schema,
    cliDatabaseUrl: db.schema ? `${db.url}?options=${encodeURIComponent(`-c search_path=${db.schema}`)}` : db.url,
    logs: () => logText,
    async close() {
      await purse.close();
      await db.drop();
    },
  };
}

function borrowed(owner: TestPurse): FreshDatabase {
  return { url: owner.databaseUrl, ...(owner.pgSchema ? { schema: owner.pgSchema } : {}), drop: async () => {} };
}

interface FreshDatabase {
  url: string;
  schema?: string;
  drop(): Promise<void>;
}

export async function freshDatabase(kind: 'sqlite' | 'postgres' = testDatabaseKind()): Promise<FreshDatabase> {
  const pgUrl = process.env.PURSE_TEST_DATABASE_URL;
  if (kind === 'postgres' && pgUrl) return freshPostgresSchema(pgUrl);
  const dir = mkdtempSync(join(tmpdir(), 'purse-test-'));
  return { url: `sqlite:${join(dir, 'purse.sqlite')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function freshPostgresSchema(url: string): Promise<FreshDatabase> {
  const schema = `t_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create schema ${schema}`);
  await client.end();
  return {
    url,
    schema,
    async drop() {
      const c = new pg.Client({ connectionString: url });
      await c.connect();
      await c.query(`drop schema ${schema} cascade`);
      await c.end();
    },
  };
}
