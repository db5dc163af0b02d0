import { type Server, type Socket, createConnection, createServer } from 'node:net';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, call } from '../testing/api.ts';
import { freshDatabase, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { type Store, openStore } from './db.ts';
import { migrateToLatest } from './migrate.ts';
import { CommitOutcomeUnknown, REQUEST_WAIT_MS, parseHosts } from './pg-failover.ts';

/**
 * Failover on a real PostgreSQL, its hosts played by TCP proxies in front of the one test server: a proxy
 * that stops is a primary that died; one that cuts the connection right after forwarding COMMIT is a
 * primary lost while COMMIT was in flight (the commit landed, its answer did not).
 */
class Proxy {
  server: Server;
  sockets = new Set<Socket>();
  cutAfterCommit = false;
  port = 0;

  constructor(private readonly target: { host: string; port: number }) {
    this.server = createServer((client) => this.#pipe(client));
  }

  async listen(port = 0): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
  }

  /** The host dies: no new connections, every open one cut. */
  async stop(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
    this.server = createServer((client) => this.#pipe(client));
  }

  #pipe(client: Socket): void {
    const upstream = createConnection(this.target);
    this.sockets.add(client).add(upstream);
    let swallowAnswer = false;
    client.on('data', (chunk: Buffer) => {
      upstream.write(chunk);
      // A simple-query COMMIT ('Q' … "commit\0"): forwarded, then both ends cut before its answer returns.
      if (this.cutAfterCommit && chunk.includes('commit\0')) {
        this.cutAfterCommit = false;
        swallowAnswer = true;
      }
    });
    upstream.on('data', (chunk: Buffer) => {
      if (swallowAnswer) {
        client.destroy();
        upstream.destroy();
      } else if (!client.destroyed) client.write(chunk);
    });
    const end = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
  }
}

describe('parseHosts', () => {
  it('splits a libpq multi-host URL into one URL per host and keeps the other parameters', () => {
    const parsed = parseHosts('postgres://u:p@h1:5432,h2:5433/purse?target_session_attrs=read-write&sslmode=disable');
    expect(parsed).toEqual({ urls: ['postgres://u:p@h1:5432/purse?sslmode=disable', 'postgres://u:p@h2:5433/purse?sslmode=disable'], readWrite: true });
  });

  it('leaves a single-host URL as it is', () => {
    expect(parseHosts('postgres://postgres@127.0.0.1:5432/test')).toEqual({ urls: ['postgres://postgres@127.0.0.1:5432/test'], readWrite: false });
  });
});

const pgUrl = process.env.PURSE_TEST_DATABASE_URL ?? '';
const onPostgres = testDatabaseKind() === 'postgres';

function target(): { host: string; port: number } {
  // The describe below is collected (not run) on SQLite, where there is no URL to read.
  const url = new URL(pgUrl || 'postgres://127.0.0.1:5432/unused');
  return { host: url.hostname, port: Number(url.port || 5432) };
}

function multiHost(ports: number[]): string {
  const url = new URL(pgUrl);
  const auth = url.username ? `${url.username}${url.password ? `:${url.password}` : ''}@` : '';
  return `postgres://${auth}${ports.map((p) => `127.0.0.1:${p}`).join(',')}${url.pathname}?target_session_attrs=read-write`;
}

describe.skipIf(!onPostgres)('failover through a multi-host DATABASE_URL [postgres-only]', () => {
  const first = new Proxy(target());
  const second = new Proxy(target());
  let purse: Awaited<ReturnType<typeof startTestPurse>>;

  beforeAll(async () => {
    await first.listen();
    await second.listen();
    purse = await startTestPurse({ DATABASE_URL: multiHost([1, first.port, second.port]) });
  });

  afterAll(async () => {
    await purse?.close();
    await first.stop();
    await second.stop();
  });

  it('uses the first reachable writable host, skipping one that refuses connections', async () => {
    expect((await call(purse, 'GET', '/readyz')).status).toBe(200);
    expect(first.sockets.size).toBeGreaterThan(0);
    expect(second.sockets.size).toBe(0);
  });

  it('answers 503 DATABASE_UNAVAILABLE with Retry-After while no host is reachable, and /readyz 503', async () => {
    await first.stop();
    await second.stop();
    const startedMs = performance.now();
    const res = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'During failover', currency: 'BRL' });
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(Number(res.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(performance.now() - startedMs).toBeLessThan(REQUEST_WAIT_MS + 5_000);
    expect((await call(purse, 'GET', '/readyz')).status).toBe(503);
  });

  it('finds the writer again on the other host and serves writes, as a retrying client sees it', async () => {
    await second.listen(second.port);
    let res = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'After failover', currency: 'BRL' });
    for (let attempt = 0; attempt < 10 && res.status === 503; attempt += 1) {
      res = await admin(purse, 'POST', '/v1/admin/tenants', { name: 'After failover', currency: 'BRL' });
    }
    expect(res.status).toBe(201);
    expect((await call(purse, 'GET', '/readyz')).status).toBe(200);
    expect(second.sockets.size).toBeGreaterThan(0);
  });

  it('declares DATABASE_UNAVAILABLE on every documented route in the OpenAPI document', async () => {
    const doc = (await call(purse, 'GET', '/openapi.json')).body as { paths: Record<string, Record<string, { responses?: Record<string, unknown> }>> };
    const operations = Object.values(doc.paths).flatMap((methods) => Object.values(methods));
    expect(operations.length).toBeGreaterThan(10);
    const missing = operations.filter((op) => !JSON.stringify(op.responses?.['503'] ?? {}).includes('DATABASE_UNAVAILABLE'));
    expect(missing).toEqual([]);
  });
});

describe.skipIf(!onPostgres)('a COMMIT whose answer is lost [postgres-only]', () => {
  const proxy = new Proxy(target());
  let store: Store;
  let drop: () => Promise<void>;

  beforeAll(async () => {
    await proxy.listen();
    const fresh = await freshDatabase('postgres');
    drop = fresh.drop;
    store = openStore(multiHost([proxy.port]), { ...(fresh.schema ? { pgSchema: fresh.schema } : {}) });
    await migrateToLatest(store);
    await sql.raw('create table lost_commit_probe (id text primary key)').execute(store.db);
  });

  afterAll(async () => {
    await store?.close();
    await proxy.stop();
    await drop?.();
  });

  it('is never run again: every submission of the batch rejects as outcome-unknown and the work ran once', async () => {
    let runs = 0;
    proxy.cutAfterCommit = true;
    const outcome = await store.transact(async (trx) => {
      runs += 1;
      await sql`insert into lost_commit_probe (id) values ('landed')`.execute(trx);
      return 'ok';
    }).then(() => 'resolved', (error: unknown) => error);
    expect(outcome).toBeInstanceOf(CommitOutcomeUnknown);
    expect(runs).toBe(1);
    // It did land (the proxy forwarded the COMMIT): exactly one row, which a retry by its key would find.
    let rows: unknown[] = [];
    for (let attempt = 0; attempt < 10 && rows.length === 0; attempt += 1) {
      rows = await sql`select id from lost_commit_probe`.execute(store.db).then((r) => r.rows, () => []);
    }
    expect(rows).toEqual([{ id: 'landed' }]);
  });
});
