import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError, parseConfig } from '../config/config.ts';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { type TestTenant, admin, asKey, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { expireHolds } from './expire-holds.ts';
import { HOLD_LEDGER_CHECKS } from './hold-checks.ts';

const START_MS = Date.UTC(2026, 0, 15, 9, 0, 0);
const SECOND_MS = 1000;
const DEFAULT_EXPIRES_SECONDS = 900;
const MAX_EXPIRES_SECONDS = 3600;

let purse: TestPurse;
let acme: TestTenant;
let clockMs = START_MS;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse(
    { RATE_LIMIT_PER_MINUTE: '1000000', HOLD_EXPIRES_SECONDS_DEFAULT: String(DEFAULT_EXPIRES_SECONDS), HOLD_EXPIRES_SECONDS_MAX: String(MAX_EXPIRES_SECONDS) },
    { nowMs: () => clockMs },
  );
  acme = await setupTenant(purse);
  await fundWallet(purse, acme.tenantId, 1000);
});

afterAll(async () => {
  await purse?.close();
});

function place(secret: string, body: unknown, idempotencyKey?: string) {
  return asKey(purse, secret, 'POST', '/v1/billing/holds', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
}
function capture(secret: string, holdId: string, body?: unknown) {
  return asKey(purse, secret, 'POST', `/v1/billing/holds/${holdId}/capture`, body);
}
function voidIt(secret: string, holdId: string) {
  return asKey(purse, secret, 'POST', `/v1/billing/holds/${holdId}/void`);
}
function read(secret: string, holdId: string) {
  return asKey(purse, secret, 'GET', `/v1/billing/holds/${holdId}`);
}
async function walletOf(tenant: TestTenant) {
  // The balances only; the auto top-up summary beside them is tested in auto-topup/.
  const { autoTopup: _autoTopup, expiring: _expiring, ...balances } = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
  return balances as { currency: string; balance: number; held: number; available: number };
}
async function fundedTenant(amount: number): Promise<TestTenant> {
  const tenant = await setupTenant(purse);
  await fundWallet(purse, tenant.tenantId, amount);
  return tenant;
}
function usage(secret: string, amount: number | string) {
  keyCounter += 1;
  return asKey(purse, secret, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': `hold-test-${keyCounter}` });
}

describe('placing a hold', () => {
  it('moves the amount from available to held and answers 201 with the hold and the wallet', async () => {
    const tenant = await fundedTenant(50);
    const res = await place(tenant.tenantKey, { amount: '20.5', description: 'call', metadata: { callId: 'c1' } });
    expect(res.status).toBe(201);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 50, held: 20.5, available: 29.5 });
    expect(res.body.hold).toEqual({
      id: expect.stringMatching(/^hld_[0-9A-Z]{26}$/), state: 'held', amount: 20.5, captured: 0, currency: 'BRL', numberId: null,
      description: 'call', metadata: { callId: 'c1' }, captureTransactionId: null,
      expiresAt: new Date(clockMs + DEFAULT_EXPIRES_SECONDS * SECOND_MS).toISOString(),
      createdAt: new Date(clockMs).toISOString(), updatedAt: new Date(clockMs).toISOString(),
    });
    expect(await walletOf(tenant)).toEqual(res.body.wallet);
    expect((await read(tenant.tenantKey, res.body.hold.id)).body).toEqual(res.body.hold);
    // A reservation is not a money movement: the history is the funding alone.
    expect((await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions')).body.data).toHaveLength(1);
  });

  it('refuses a hold larger than the available balance with 402 and reserves nothing', async () => {
    const tenant = await fundedTenant(10);
    expect((await place(tenant.tenantKey, { amount: 6 })).status).toBe(201);
    const res = await place(tenant.tenantKey, { amount: '4.01' });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({ error: 'Insufficient funds', code: 'INSUFFICIENT_FUNDS' });
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 6, available: 4 });
  });

  it('honours an Idempotency-Key: the same request gets the first hold with 200, reserved once', async () => {
    const tenant = await fundedTenant(10);
    const first = await place(tenant.tenantKey, { amount: 10, expiresInSeconds: 60 }, 'hold-1');
    const again = await place(tenant.tenantKey, { expiresInSeconds: 60, amount: '10' }, 'hold-1');
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.hold).toEqual(first.body.hold);
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 10, available: 0 });
  });

  it.each([
    ['a different amount', { amount: 2 }],
    ['a different lifetime', { amount: 1, expiresInSeconds: 61 }],
    ['a different description', { amount: 1, description: 'x' }],
    ['different metadata', { amount: 1, metadata: { a: 'b' } }],
  ])('answers 409 IDEMPOTENCY_KEY_REUSED when the key comes back with %s', async (_name, body) => {
    const tenant = await fundedTenant(10);
    expect((await place(tenant.tenantKey, { amount: 1 }, 'key')).status).toBe(201);
    const res = await place(tenant.tenantKey, body, 'key');
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect((await walletOf(tenant)).held).toBe(1);
  });

  it('without an Idempotency-Key, places a new hold each time', async () => {
    const tenant = await fundedTenant(10);
    const [a, b] = [await place(tenant.tenantKey, { amount: 1 }), await place(tenant.tenantKey, { amount: 1 })];
    expect(a.body.hold.id).not.toBe(b.body.hold.id);
    expect((await walletOf(tenant)).held).toBe(2);
  });

  it('attributes a number key\'s hold to its number, and lets a tenant key name one of its numbers', async () => {
    const byNumberKey = await place(acme.numberKey, { amount: 1 });
    expect(byNumberKey.body.hold.numberId).toBe(acme.numberId);
    const byTenantKey = await place(acme.tenantKey, { amount: 1, numberId: acme.numberId });
    expect(byTenantKey.body.hold.numberId).toBe(acme.numberId);
  });

  it('refuses a number key naming another number (403) and a tenant key naming a foreign one (404)', async () => {
    const other = await setupTenant(purse);
    const byNumberKey = await place(acme.numberKey, { amount: 1, numberId: other.numberId });
    expect(byNumberKey.status).toBe(403);
    expect(byNumberKey.body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    const byTenantKey = await place(acme.tenantKey, { amount: 1, numberId: other.numberId });
    expect(byTenantKey.status).toBe(404);
  });

  it.each([
    ['no amount', {}, 'AMOUNT_REQUIRED'],
    ['a zero amount', { amount: 0 }, 'AMOUNT_INVALID'],
    ['too many decimals', { amount: '0.001' }, 'AMOUNT_INVALID'],
    ['an exponent', { amount: '1e2' }, 'AMOUNT_INVALID'],
    ['a lifetime of 0', { amount: 1, expiresInSeconds: 0 }, 'VALIDATION_ERROR'],
    ['a lifetime above the maximum', { amount: 1, expiresInSeconds: MAX_EXPIRES_SECONDS + 1 }, 'VALIDATION_ERROR'],
    ['a fractional lifetime', { amount: 1, expiresInSeconds: 1.5 }, 'VALIDATION_ERROR'],
    ['a lifetime as a string', { amount: 1, expiresInSeconds: '60' }, 'VALIDATION_ERROR'],
    ['an unknown field', { amount: 1, capture: true }, 'VALIDATION_ERROR'],
    ['a malformed numberId', { amount: 1, numberId: 'x' }, 'VALIDATION_ERROR'],
    ['a long description', { amount: 1, description: 'd'.repeat(501) }, 'VALIDATION_ERROR'],
  ])('refuses %s with 400 %s and reserves nothing', async (_name, body, code) => {
    const before = await walletOf(acme);
    const res = await place(acme.tenantKey, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe(code);
    expect(await walletOf(acme)).toEqual(before);
  });

  it('accepts the maximum lifetime exactly', async () => {
    const res = await place(acme.tenantKey, { amount: 1, expiresInSeconds: MAX_EXPIRES_SECONDS });
    expect(res.body.hold.expiresAt).toBe(new Date(clockMs + MAX_EXPIRES_SECONDS * SECOND_MS).toISOString());
  });
});

describe('capturing and voiding', () => {
  it('captures the whole hold by default: one ledger transaction, held released, balance debited', async () => {
    const tenant = await fundedTenant(30);
    const { hold } = (await place(tenant.tenantKey, { amount: 12, description: 'session' })).body;
    const res = await capture(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ id: hold.id, state: 'captured', amount: 12, captured: 12, captureTransactionId: res.body.transaction.id });
    expect(res.body.transaction).toMatchObject({ kind: 'hold_capture', amount: -12, balanceAfter: 18, reference: `hold:${hold.id}:capture`, description: 'session' });
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 18, held: 0, available: 18 });
    const history = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions?limit=1')).body.data;
    expect(history).toEqual([res.body.transaction]);
  });

  it('captures part of a hold and releases the rest in the same transaction', async () => {
    const tenant = await fundedTenant(30);
    const { hold } = (await place(tenant.tenantKey, { amount: 10 })).body;
    await place(tenant.tenantKey, { amount: 5 });
    const res = await capture(tenant.tenantKey, hold.id, { amount: '3.25' });
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ state: 'captured', amount: 10, captured: 3.25 });
    expect(res.body.transaction.amount).toBe(-3.25);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 26.75, held: 5, available: 21.75 });
  });

  it('captures a number\'s hold with the number attributed in the ledger', async () => {
    const { hold } = (await place(acme.numberKey, { amount: 1 })).body;
    const res = await capture(acme.numberKey, hold.id);
    expect(res.body.transaction.numberId).toBe(acme.numberId);
  });

  it('answers a repeated capture with the same hold and transaction, moving money once', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    const first = await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const again = await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const bare = await capture(tenant.tenantKey, hold.id);
    for (const res of [again, bare]) {
      expect(res.status).toBe(200);
      expect(res.body.hold).toEqual(first.body.hold);
      expect(res.body.transaction).toEqual(first.body.transaction);
    }
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 7, held: 0, available: 7 });
  });

  it('refuses a capture for another amount once captured with 409 HOLD_NOT_ACTIVE', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    await capture(tenant.tenantKey, hold.id, { amount: 3 });
    const res = await capture(tenant.tenantKey, hold.id, { amount: 4 });
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ error: 'Hold is not active', code: 'HOLD_NOT_ACTIVE' });
  });

  it.each([
    ['more than held', '4.01', 400, 'AMOUNT_INVALID'],
    ['zero', 0, 400, 'AMOUNT_INVALID'],
    ['malformed', '1,5', 400, 'AMOUNT_INVALID'],
  ])('refuses a capture of %s with %i %s and leaves the hold held', async (_name, amount, status, code) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 4 })).body;
    const res = await capture(tenant.tenantKey, hold.id, { amount });
    expect(res.status).toBe(status);
    expect(res.body.code).toBe(code);
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('held');
    expect((await walletOf(tenant)).held).toBe(4);
  });

  it('refuses a capture body with unknown fields with 400', async () => {
    const { hold } = (await place(acme.tenantKey, { amount: 1 })).body;
    expect((await capture(acme.tenantKey, hold.id, { amount: 1, force: true })).status).toBe(400);
  });

  it('voids a hold, releasing its funds; a repeated void is a no-op answered with the hold', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 6 })).body;
    const res = await voidIt(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.hold).toMatchObject({ state: 'voided', captured: 0 });
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    const again = await voidIt(tenant.tenantKey, hold.id);
    expect(again.status).toBe(200);
    expect(again.body).toEqual(res.body);
  });

  it.each([
    ['capture a voided hold', 'void', 'capture'],
    ['void a captured hold', 'capture', 'void'],
  ])('refuses to %s with 409 HOLD_NOT_ACTIVE, changing nothing', async (_name, firstAction, secondAction) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 6 })).body;
    const act = (action: string) => (action === 'void' ? voidIt(tenant.tenantKey, hold.id) : capture(tenant.tenantKey, hold.id));
    await act(firstAction);
    const before = await walletOf(tenant);
    const res = await act(secondAction);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    expect(await walletOf(tenant)).toEqual(before);
  });

  it('captures a hold even after a clawback took the balance below held: the reservation guaranteed it', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 8 })).body;
    await admin(purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/adjustments`, { amount: -5, reason: 'refund clawback', allowNegative: true });
    const res = await capture(tenant.tenantKey, hold.id);
    expect(res.status).toBe(200);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: -3, held: 0, available: -3 });
  });
});

describe('expiry', () => {
  it('the job expires a hold at its expiry and releases the funds; capture and void then answer 409', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 60 })).body;
    clockMs += 59 * SECOND_MS;
    await expireHolds(purse.ctx);
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('held');
    clockMs += 1 * SECOND_MS;
    expect(await expireHolds(purse.ctx)).toBeGreaterThanOrEqual(1);
    expect((await read(tenant.tenantKey, hold.id)).body).toMatchObject({ state: 'expired', captured: 0, updatedAt: new Date(clockMs).toISOString() });
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    for (const res of [await capture(tenant.tenantKey, hold.id), await voidIt(tenant.tenantKey, hold.id)]) {
      expect(res.status).toBe(409);
      expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    }
    expect(await expireHolds(purse.ctx)).toBe(0);
  });

  it('a hold past its expiry reserves nothing even before the job runs: the wallet and the hold read so', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 30 })).body;
    clockMs += 30 * SECOND_MS;
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 10, held: 0, available: 10 });
    expect((await read(tenant.tenantKey, hold.id)).body.state).toBe('expired');
  });

  it.each([['capture'], ['void']])('refuses to %s a hold expired by the clock before the job reached it, and releases its funds', async (action) => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 7, expiresInSeconds: 30 })).body;
    clockMs += 31 * SECOND_MS;
    const res = action === 'capture' ? await capture(tenant.tenantKey, hold.id) : await voidIt(tenant.tenantKey, hold.id);
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('HOLD_NOT_ACTIVE');
    const stored = await purse.ctx.store.db.selectFrom('holds').select('state').where('id', '=', hold.id).executeTakeFirstOrThrow();
    expect(stored.state).toBe('expired');
    const wallet = await purse.ctx.store.db.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(wallet).toEqual({ balance_minor: 1000n, held_minor: 0n });
  });

  it.each([
    ['a debit', (t: TestTenant) => usage(t.tenantKey, 10)],
    ['a new hold', (t: TestTenant) => place(t.tenantKey, { amount: 10 })],
  ])('lets %s use funds of a lapsed hold the job has not released yet', async (_name, spend) => {
    const tenant = await fundedTenant(10);
    await place(tenant.tenantKey, { amount: 10, expiresInSeconds: 5 });
    expect((await usage(tenant.tenantKey, 1)).status).toBe(402);
    clockMs += 5 * SECOND_MS;
    expect((await spend(tenant)).status).toBe(201);
  });

  it('uses the configured default lifetime when none is given', async () => {
    const { hold } = (await place(acme.tenantKey, { amount: 1 })).body;
    expect(Date.parse(hold.expiresAt) - Date.parse(hold.createdAt)).toBe(DEFAULT_EXPIRES_SECONDS * SECOND_MS);
  });
});

describe('hold isolation', () => {
  it.each([
    ['GET', 'read'],
    ['POST', 'capture'],
    ['POST', 'void'],
  ])("answers 404 to another tenant's key on %s …/%s, changing nothing", async (method, action) => {
    const other = await fundedTenant(10);
    const { hold } = (await place(acme.tenantKey, { amount: 1 })).body;
    const url = action === 'read' ? `/v1/billing/holds/${hold.id}` : `/v1/billing/holds/${hold.id}/${action}`;
    const res = await asKey(purse, other.tenantKey, method as 'GET' | 'POST', url);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect((await read(acme.tenantKey, hold.id)).body.state).toBe('held');
  });

  it.each([['read'], ['capture'], ['void']])("answers 404 to a number key on %s of a hold that is not its number's", async (action) => {
    const { hold } = (await place(acme.tenantKey, { amount: 1 })).body;
    const url = action === 'read' ? `/v1/billing/holds/${hold.id}` : `/v1/billing/holds/${hold.id}/${action}`;
    const res = await asKey(purse, acme.numberKey, action === 'read' ? 'GET' : 'POST', url);
    expect(res.status).toBe(404);
    expect((await read(acme.tenantKey, hold.id)).body.state).toBe('held');
  });

  it('lets the tenant key act on a number\'s hold', async () => {
    const { hold } = (await place(acme.numberKey, { amount: 1 })).body;
    expect((await read(acme.tenantKey, hold.id)).status).toBe(200);
    expect((await voidIt(acme.tenantKey, hold.id)).status).toBe(200);
  });

  it.each([['hld_00000000000000000000000000'], ['not-an-id'], ['x'.repeat(65)]])('answers an unknown hold id %s with 4xx', async (id) => {
    const res = await read(acme.tenantKey, id);
    expect([400, 404]).toContain(res.status);
  });

  it('answers 401 without a key on every hold route', async () => {
    const { hold } = (await place(acme.tenantKey, { amount: 1 })).body;
    for (const [method, url] of [['POST', '/v1/billing/holds'], ['GET', `/v1/billing/holds/${hold.id}`], ['POST', `/v1/billing/holds/${hold.id}/capture`], ['POST', `/v1/billing/holds/${hold.id}/void`]] as const) {
      expect((await call(purse, method, url)).status).toBe(401);
    }
  });
});

describe('ledger verification of holds', () => {
  /** Breaks one row on purpose, checks the report, then puts it back so the final ledger test stays clean. */
  async function whileCorrupted(breakIt: () => Promise<unknown>, repair: () => Promise<unknown>, check: () => Promise<void>): Promise<void> {
    await breakIt();
    try {
      await check();
    } finally {
      await repair();
    }
    expect((await verifyLedger(purse.ctx.store.db, HOLD_LEDGER_CHECKS)).ok).toBe(true);
  }

  it("flags a wallet whose held differs from the sum of its held holds", async () => {
    const tenant = await fundedTenant(10);
    await place(tenant.tenantKey, { amount: 3 });
    const db = purse.ctx.store.db;
    const setHeld = (heldMinor: bigint) => db.updateTable('wallets').set({ held_minor: heldMinor }).where('tenant_id', '=', tenant.tenantId).execute();
    await whileCorrupted(() => setHeld(299n), () => setHeld(300n), async () => {
      const report = await verifyLedger(db, HOLD_LEDGER_CHECKS);
      expect(report.ok).toBe(false);
      expect(report.checks.find((c) => c.name === 'wallet_held_matches_holds')).toEqual({
        name: 'wallet_held_matches_holds', ok: false, detail: `wallet of ${tenant.tenantId}: held 299, held holds 300, open disputes 0 (minor units)`,
      });
    });
  });

  it('flags a captured hold whose captured amount differs from its capture transaction', async () => {
    const tenant = await fundedTenant(10);
    const { hold } = (await place(tenant.tenantKey, { amount: 3 })).body;
    await capture(tenant.tenantKey, hold.id, { amount: 2 });
    const db = purse.ctx.store.db;
    const setCaptured = (minor: bigint) => db.updateTable('holds').set({ captured_minor: minor }).where('id', '=', hold.id).execute();
    await whileCorrupted(() => setCaptured(201n), () => setCaptured(200n), async () => {
      const report = await verifyLedger(db, HOLD_LEDGER_CHECKS);
      expect(report.checks.find((c) => !c.ok)?.name).toBe('captured_holds_match_transactions');
    });
  });
});

describe('hold lifetime configuration', () => {
  it('defaults to 15 minutes, at most 7 days', () => {
    const config = parseConfig({});
    expect([config.holdExpiresSecondsDefault, config.holdExpiresSecondsMax]).toEqual([900, 7 * 24 * 60 * 60]);
  });

  it.each([
    ['a default above the maximum', { HOLD_EXPIRES_SECONDS_DEFAULT: '120', HOLD_EXPIRES_SECONDS_MAX: '60' }, 'HOLD_EXPIRES_SECONDS_DEFAULT'],
    ['a zero maximum', { HOLD_EXPIRES_SECONDS_MAX: '0' }, 'HOLD_EXPIRES_SECONDS_MAX'],
    ['a non-integer default', { HOLD_EXPIRES_SECONDS_DEFAULT: '1.5' }, 'HOLD_EXPIRES_SECONDS_DEFAULT'],
  ])('refuses %s, naming the variable', (_name, env, variable) => {
    expect(() => parseConfig(env)).toThrow(ConfigError);
    expect(() => parseConfig(env)).toThrow(variable);
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(purse);
});
