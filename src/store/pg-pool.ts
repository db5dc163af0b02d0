import type { PostgresPool, PostgresPoolClient } from 'kysely';
import type pg from 'pg';
import { CommitOutcomeUnknown, type FailoverPool, isConnectionLoss } from './pg-failover.ts';

/**
 * The pg pool as Kysely sees it, with two additions on every connection:
 *
 * - Server-side prepared statements for the few statements that opt in: SQL text that starts with
 *   PREPARED_MARK runs as a named statement, parsed and planned once per connection instead of on every
 *   execution (for the ledger's one-statement debit that is most of its cost). Opt-in, so a query whose
 *   result shape a live migration could change (`select *`) never meets a stale plan. Names are per SQL
 *   text, shared by every connection; past PREPARED_STATEMENTS_MAX texts, statements run unnamed as before.
 * - A COMMIT that PostgreSQL answers with ROLLBACK (the transaction was aborted by an error someone
 *   caught and ignored) is an error, not a success: nothing may be acknowledged that was not committed.
 */
export const PREPARED_MARK = '/* prepared */ ';
export const PREPARED_STATEMENTS_MAX = 100;

export class CommitRolledBack extends Error {
  constructor() {
    super('COMMIT rolled back: the transaction had failed');
    this.name = 'CommitRolledBack';
  }
}

export function wrapPool(pool: FailoverPool): PostgresPool {
  const names = new Map<string, string>();
  const wrapped = new WeakMap<pg.PoolClient, PostgresPoolClient>();
  const nameOf = (text: string): string | undefined => {
    let name = names.get(text);
    if (name === undefined && names.size < PREPARED_STATEMENTS_MAX) {
      name = `purse_${names.size + 1}`;
      names.set(text, name);
    }
    return name;
  };
  return {
    connect: async () => {
      const client = await pool.connect();
      const owner = pool.pool();
      let view = wrapped.get(client);
      if (!view) {
        const noteError = (error: unknown): void => {
          if (owner) pool.noteError(error, owner);
        };
        view = wrapClient(client, nameOf, noteError);
        // A checked-out client whose connection drops emits 'error'; unheard, it would crash the process.
        client.on('error', noteError);
        wrapped.set(client, view);
      }
      return view;
    },
    end: () => pool.end(),
  };
}

function wrapClient(client: pg.PoolClient, nameOf: (text: string) => string | undefined, noteError: (error: unknown) => void): PostgresPoolClient {
  let broken = false;
  const failed = (error: unknown): never => {
    if (isConnectionLoss(error)) broken = true;
    noteError(error);
    throw error;
  };
  const query = (sqlOrCursor: unknown, parameters?: ReadonlyArray<unknown>): unknown => {
    if (typeof sqlOrCursor !== 'string') return client.query(sqlOrCursor as pg.Submittable);
    const values = [...(parameters ?? [])];
    if (sqlOrCursor === 'commit') return client.query(sqlOrCursor, values).then(refuseSilentRollback, (error: unknown) => failed(commitFailure(error)));
    const name = sqlOrCursor.startsWith(PREPARED_MARK) ? nameOf(sqlOrCursor) : undefined;
    const running = name === undefined ? client.query(sqlOrCursor, values) : client.query({ name, text: sqlOrCursor, values });
    return running.catch(failed);
  };
  // A connection that was lost is destroyed, never handed out again.
  return { query: query as PostgresPoolClient['query'], release: () => client.release(broken) };
}

/** A COMMIT whose connection was lost may have committed or not: nobody may run its work again blindly. */
function commitFailure(error: unknown): unknown {
  return isConnectionLoss(error) ? Object.assign(new CommitOutcomeUnknown(), { cause: error }) : error;
}

function refuseSilentRollback(result: pg.QueryResult): pg.QueryResult {
  if (result.command === 'ROLLBACK') throw new CommitRolledBack();
  return result;
}
