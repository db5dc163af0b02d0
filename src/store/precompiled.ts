import { type Compilable, CompiledQuery, PostgresAdapter, type QueryResult } from 'kysely';
import type { Db } from './db.ts';
import { PREPARED_MARK } from './pg-pool.ts';

/**
 * SQL written once per dialect for the hottest statements (a debit's writes, the wallet read): building
 * and compiling them with Kysely's query builder on every call costs more CPU than SQLite takes to run
 * them. Text is written with `?` placeholders and no other `?`; PostgreSQL gets `$n` and a server-side
 * prepared statement per connection (pg-pool.ts), SQLite caches its own.
 */
const STATEMENTS = new WeakMap<object, Map<string, string>>();

/** The SQL text for `key` on this handle's dialect, built on first use. */
export function precompiled(db: Db, key: string, build: () => string): string {
  const adapter = db.getExecutor().adapter;
  let texts = STATEMENTS.get(adapter);
  if (!texts) {
    texts = new Map();
    STATEMENTS.set(adapter, texts);
  }
  let text = texts.get(key);
  if (text === undefined) {
    text = adapter instanceof PostgresAdapter ? PREPARED_MARK + numberPlaceholders(build()) : build();
    texts.set(key, text);
  }
  return text;
}

/** `?, ?` → `$1, $2`. */
function numberPlaceholders(text: string): string {
  let n = 0;
  return text.replace(/\?/g, () => `$${++n}`);
}

export function runPrecompiled<R>(db: Db, text: string, parameters: unknown[]): Promise<QueryResult<R>> {
  return db.executeQuery<R>(CompiledQuery.raw(text, parameters));
}

/**
 * A query-builder statement run as a server-side prepared statement on PostgreSQL (parsed and planned once
 * per connection), as it is on SQLite. For statements whose SQL text is the same on every call: no lists
 * whose length varies, no optional columns, no `*` (a named plan must keep its result shape). Still built by
 * Kysely per call (its plugins see it); `precompiled` above also saves that, for the very hottest.
 */
export function executePrepared<R>(db: Db, query: Compilable<R>): Promise<QueryResult<R>> {
  const compiled = query.compile();
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return db.executeQuery(compiled);
  return db.executeQuery<R>({ ...compiled, sql: PREPARED_MARK + compiled.sql });
}
