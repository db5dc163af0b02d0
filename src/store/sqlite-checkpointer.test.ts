import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { startCheckpointer } from './sqlite-checkpointer.ts';

const dir = mkdtempSync(join(tmpdir(), 'purse-checkpoint-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('WAL checkpointer', () => {
  it('copies everything committed by the writer into the database file, from its own thread', async () => {
    const path = join(dir, 'db.sqlite');
    const writer = new BetterSqlite3(path);
    writer.pragma('journal_mode = WAL');
    writer.pragma('wal_autocheckpoint = 0');
    writer.exec('create table t (id integer primary key, v text)');
    const checkpointer = startCheckpointer(path, 1_000);
    const insert = writer.prepare('insert into t (v) values (?)');
    for (let i = 0; i < 500; i += 1) insert.run('x'.repeat(200));
    const result = await checkpointer.checkpointNow();
    expect(result.busy).toBe(0);
    expect(result.log).toBeGreaterThan(0);
    expect(result.checkpointed).toBe(result.log);
    await checkpointer.stop();
    writer.close();
  });
});
