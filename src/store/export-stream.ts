import { Readable } from 'node:stream';
import BetterSqlite3 from 'better-sqlite3';
import type pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';

/**
 * Long reads for exports (issue 22: transactions.csv), kept off the paths that move money.
 *
 * - PostgreSQL: `COPY (query) TO STDOUT WITH (FORMAT csv, HEADER)` on a pooled connection of its own. The
 *   server formats RFC 4180 CSV; bytes flow through with the socket's backpressure, so memory stays flat
 *   whatever the row count. COPY takes no bind parameters: the caller inlines validated literals
 *   (quoteLiteral).
 * - SQLite: raw rows (arrays, no per-row objects) from a read-only connection of its own, so the one
 *   writing connection never waits on an export and the export reads one consistent snapshot (WAL).
 */
export interface RowExporter {
  kind: 'postgres' | 'sqlite';
  /** PostgreSQL only. The stream ends when the COPY ends; destroying it gives the connection back. */
  copyCsv(query: string): Readable;
  /** SQLite only. Call `close` when done (also after an error). */
  iterate(query: string, params: readonly unknown[]): { rows: IterableIterator<unknown[]>; close(): void };
}

/** A SQL string literal ('…', quotes doubled). Only for COPY, which cannot take parameters. */
export function quoteLiteral(value: string): string {
  if (value.includes('\0')) throw new Error('NUL in a SQL literal');
  return `'${value.replace(/'/g, "''")}'`;
}

export function postgresExporter(pool: { connect(): Promise<pg.PoolClient> }): RowExporter {
  return {
    kind: 'postgres',
    copyCsv(query) {
      const out = new Readable({ read() {} });
      void pool.connect().then((client) => {
        const copy = client.query(copyTo(`COPY (${query}) TO STDOUT WITH (FORMAT csv, HEADER true)`));
        let released = false;
        const release = (err?: Error) => {
          if (released) return;
          released = true;
          // A COPY cut off half way leaves the connection mid-protocol: drop it rather than reuse it.
          client.release(err ?? undefined);
        };
        copy.on('data', (chunk: Buffer) => {
          if (!out.push(chunk)) copy.pause();
        });
        out._read = () => copy.resume();
        copy.on('end', () => {
          release();
          out.push(null);
        });
        copy.on('error', (err: Error) => {
          release(err);
          out.destroy(err);
        });
        out.on('close', () => {
          if (!released) {
            release(new Error('export cancelled'));
            copy.destroy();
          }
        });
      }, (err: Error) => out.destroy(err));
      return out;
    },
    iterate() {
      throw new Error('iterate is for SQLite; PostgreSQL exports use copyCsv');
    },
  };
}

export function sqliteExporter(path: string, main: BetterSqlite3.Database): RowExporter {
  return {
    kind: 'sqlite',
    copyCsv() {
      throw new Error('copyCsv is for PostgreSQL; SQLite exports use iterate');
    },
    iterate(query, params) {
      // An in-memory database has no second connection to open: read on the main one.
      const reader = path === ':memory:' ? main : new BetterSqlite3(path, { readonly: true, fileMustExist: true });
      reader.defaultSafeIntegers(true);
      const rows = reader.prepare(query).raw(true).iterate(...params) as IterableIterator<unknown[]>;
      return {
        rows,
        close: () => {
          rows.return?.();
          if (reader !== main) reader.close();
        },
      };
    },
  };
}
