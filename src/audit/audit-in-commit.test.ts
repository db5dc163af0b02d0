import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../store/schema.ts';
import { newCommitRider, rideWithFirstCommit } from '../store/commit-rider.ts';
import { admin, setupTenant, type TestTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';

/** Issue 23: an admin write and its audit entry are one commit — a crash or a failure leaves both or neither. */
let purse: TestPurse;
let tenant: TestTenant;

beforeAll(async () => {
  purse = await startTestPurse();
  tenant = await setupTenant(purse);
});
afterAll(async () => purse.close());
afterEach(async () => dropRefusal());

/** A trigger that makes every INSERT into `table` fail, as a crash or a full disk would at that point. */
async function refuseInserts(table: keyof Database): Promise<void> {
  const db = purse.ctx.store.db;
  if (purse.ctx.store.dialect === 'sqlite') {
    await sql.raw(`create trigger test_refuse before insert on ${table} begin select raise(abort, 'refused by test'); end`).execute(db);
    return;
  }
  await sql.raw(`create or replace function test_refuse() returns trigger language plpgsql as $$ begin raise exception 'refused by test'; end $$`).execute(db);
  await sql.raw(`create trigger test_refuse before insert on ${table} for each row execute function test_refuse()`).execute(db);
}

let refusedTable: string | undefined;
async function refuse(table: keyof Database): Promise<void> {
  await refuseInserts(table);
  refusedTable = table;
}
async function dropRefusal(): Promise<void> {
  if (refusedTable === undefined) return;
  const on = purse.ctx.store.dialect === 'sqlite' ? '' : ` on ${refusedTable}`;
  await sql.raw(`drop trigger test_refuse${on}`).execute(purse.ctx.store.db);
  refusedTable = undefined;
}

async function count(table: keyof Database): Promise<number> {
  const row = await purse.ctx.store.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
  return Number(row.n);
}

const t = () => tenant.tenantId;
/** Each admin write, and the table its change lands in: with the audit insert refused, that table must not move. */
const WRITES: Array<{ name: string; table: keyof Database; send: () => ReturnType<typeof admin> }> = [
  { name: 'create a tenant', table: 'tenants', send: () => admin(purse, 'POST', '/v1/admin/tenants', { name: 'Never', currency: 'BRL' }) },
  { name: 'create a number', table: 'numbers', send: () => admin(purse, 'POST', `/v1/admin/tenants/${t()}/numbers`, { name: '+551100000000' }) },
  { name: 'create a key', table: 'api_keys', send: () => admin(purse, 'POST', `/v1/admin/tenants/${t()}/keys`, { scope: 'tenant' }) },
  { name: 'make an adjustment', table: 'ledger_transactions', send: () => admin(purse, 'POST', `/v1/admin/tenants/${t()}/adjustments`, { amount: '5', reason: 'never' }) },
  { name: 'grant credit', table: 'credit_blocks', send: () => admin(purse, 'POST', `/v1/admin/tenants/${t()}/credits`, { amount: '5', reason: 'never' }) },
  { name: 'create an endpoint', table: 'webhook_endpoints', send: () => admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: 'http://127.0.0.1:9/hook' }) },
  { name: 'issue a portal link', table: 'portal_sessions', send: () => admin(purse, 'POST', `/v1/admin/tenants/${t()}/portal-sessions`, {}) },
];

describe('admin writes and their audit entries share one commit', () => {
  it.each(WRITES)('$name: when the audit entry cannot be written, the change is not made either', async ({ table, send }) => {
    const before = await count(table);
    const auditBefore = await count('audit_log');
    await refuse('audit_log');
    const res = await send();
    expect(res.status).toBe(500);
    await dropRefusal();
    expect(await count(table)).toBe(before);
    expect(await count('audit_log')).toBe(auditBefore);
  });

  it('disabling a tenant whose audit entry fails leaves the tenant active', async () => {
    await refuse('audit_log');
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${t()}/disable`)).status).toBe(500);
    await dropRefusal();
    expect((await admin(purse, 'GET', `/v1/admin/tenants/${t()}`)).body.status).toBe('active');
  });

  it('a write that fails in its own transaction leaves no audit entry', async () => {
    const auditBefore = await count('audit_log');
    await refuse('numbers');
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${t()}/numbers`, { name: '+551100000001' })).status).toBe(500);
    await dropRefusal();
    expect(await count('audit_log')).toBe(auditBefore);
  });

  it('a successful write has exactly one entry, and an idempotent replay that moved nothing adds one of its own', async () => {
    const auditBefore = await count('audit_log');
    const body = { amount: '3', reason: 'once', reference: 'in-commit-1' };
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${t()}/adjustments`, body)).status).toBe(201);
    expect(await count('audit_log')).toBe(auditBefore + 1);
    expect((await admin(purse, 'POST', `/v1/admin/tenants/${t()}/adjustments`, body)).status).toBe(200);
    expect(await count('audit_log')).toBe(auditBefore + 2);
    const moved = await purse.ctx.store.db.selectFrom('ledger_transactions').select('id').where('reference', 'like', '%in-commit-1').execute();
    expect(moved).toHaveLength(1);
  });

  it('a rider rides on the first commit only, even when the scope commits twice', async () => {
    const auditBefore = await count('audit_log');
    const rider = newCommitRider(async (trx) => {
      await trx.insertInto('audit_log').values({ id: `aud_rider_${Date.now()}`, at_ms: 0n, actor: 'test', role: 'owner', action: 'rider', target: null, before: null, after: null, request_id: null }).execute();
    });
    await rideWithFirstCommit(rider, async () => {
      await purse.ctx.store.transact((trx) => trx.updateTable('tenants').set({ name: 'Acme' }).where('id', '=', t()).execute());
      await purse.ctx.store.transact((trx) => trx.updateTable('tenants').set({ name: 'Acme' }).where('id', '=', t()).execute());
    });
    expect(rider.committed).toBe(true);
    expect(await count('audit_log')).toBe(auditBefore + 1);
  });
});

describe('a commit rider', () => {
  it('is not carried by work that outlives its write (a timer started during the request)', async () => {
    const auditBefore = await count('audit_log');
    const rider = newCommitRider(async (trx) => {
      await trx.insertInto('audit_log').values({ id: `aud_late_${Date.now()}`, at_ms: 0n, actor: 'test', role: 'owner', action: 'late', target: null, before: null, after: null, request_id: null }).execute();
    });
    let late: Promise<unknown> | undefined;
    let release!: () => void;
    const gate = new Promise<void>((resolve) => { release = resolve; });
    rideWithFirstCommit(rider, () => {
      late = gate.then(() => purse.ctx.store.transact((trx) => trx.updateTable('tenants').set({ name: 'Acme' }).where('id', '=', t()).execute()));
    });
    rider.closed = true;
    release();
    await late;
    expect(rider.committed).toBe(false);
    expect(await count('audit_log')).toBe(auditBefore);
  });
});
