import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REFERENCE_LENGTH_MAX } from '../ledger/post-transaction.ts';
import { type TestTenant, admin, asKey, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';

let purse: TestPurse;
let acme: TestTenant;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' });
  acme = await setupTenant(purse);
  await fundWallet(purse, acme.tenantId, 1000);
});

afterAll(async () => {
  await purse?.close();
});

function newKey(): string {
  keyCounter += 1;
  return `usage-test-${keyCounter}`;
}

function debit(secret: string, body: unknown, idempotencyKey: string | null = newKey()) {
  return asKey(purse, secret, 'POST', '/v1/billing/usage', body, idempotencyKey === null ? {} : { 'idempotency-key': idempotencyKey });
}

async function walletOf(tenant: TestTenant) {
  // The balances only; the auto top-up summary beside them is tested in auto-topup/.
  const { autoTopup: _autoTopup, expiring: _expiring, ...balances } = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
  return balances as { balance: number; held: number; available: number };
}

describe('POST /v1/billing/usage — debiting', () => {
  it('debits the wallet and answers 201 with the transaction (as the history shows it) and the wallet after it', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const res = await debit(tenant.tenantKey, { amount: '2.50', description: '5 SMS', metadata: { campaign: 'spring' } }, 'sms-batch-1');
    expect(res.status).toBe(201);
    expect(res.body.wallet).toEqual({ currency: 'BRL', balance: 7.5, held: 0, available: 7.5 });
    expect(res.body.transaction).toMatchObject({
      kind: 'usage', amount: -2.5, balanceAfter: 7.5, currency: 'BRL', description: '5 SMS', numberId: null,
      metadata: { campaign: 'spring' }, reference: `usage:${tenant.tenantId}:sms-batch-1`,
    });
    const history = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions?limit=1');
    expect(history.body.data).toEqual([res.body.transaction]);
  });

  it('refuses a debit that would overdraw with 402 and writes nothing', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '1.5');
    const res = await debit(tenant.tenantKey, { amount: '1.51' });
    expect(res.status).toBe(402);
    expect(res.body).toEqual({ error: 'Insufficient funds', code: 'INSUFFICIENT_FUNDS' });
    expect(await walletOf(tenant)).toEqual({ currency: 'BRL', balance: 1.5, held: 0, available: 1.5 });
    const history = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions');
    expect(history.body.data).toHaveLength(1);
  });

  it('debits only the available balance: funds held by a hold cannot be spent', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    expect((await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: 8 })).status).toBe(201);
    expect((await debit(tenant.tenantKey, { amount: '2.01' })).status).toBe(402);
    const ok = await debit(tenant.tenantKey, { amount: 2 });
    expect(ok.status).toBe(201);
    expect(ok.body.wallet).toEqual({ currency: 'BRL', balance: 8, held: 8, available: 0 });
  });

  it('writes amounts exactly in a currency without minor units and one with three', async () => {
    const jpy = await setupTenant(purse, 'JPY');
    await fundWallet(purse, jpy.tenantId, 1000);
    expect((await debit(jpy.tenantKey, { amount: 7 })).body.wallet.balance).toBe(993);
    expect((await debit(jpy.tenantKey, { amount: '1.5' })).body.details[0].code).toBe('AMOUNT_INVALID');
    const kwd = await setupTenant(purse, 'KWD');
    await fundWallet(purse, kwd.tenantId, '1.000');
    // A wallet's own debits move single fils (issue 19); only charges at Stripe go in its steps of ten.
    expect((await debit(kwd.tenantKey, { amount: '0.1255' })).body.details[0].code).toBe('AMOUNT_INVALID');
    const res = await debit(kwd.tenantKey, { amount: '0.125' });
    expect(res.body.transaction.amount).toBe(-0.125);
    expect(res.body.wallet.balance).toBe(0.875);
  });
});

describe('POST /v1/billing/usage — idempotency', () => {
  it('answers a retry with the same key with 200 and the first transaction, debiting once', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const body = { amount: 1, metadata: { a: '1', b: '2' } };
    const first = await debit(tenant.tenantKey, body, 'retry-me');
    const again = await debit(tenant.tenantKey, { metadata: { b: '2', a: '1' }, amount: '1.00' }, 'retry-me');
    expect(first.status).toBe(201);
    expect(again.status).toBe(200);
    expect(again.body.transaction).toEqual(first.body.transaction);
    expect(again.body.wallet).toEqual({ currency: 'BRL', balance: 9, held: 0, available: 9 });
    expect((await walletOf(tenant)).balance).toBe(9);
  });

  it('replays a debit that used up the funds rather than refusing it with 402', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 3);
    const first = await debit(tenant.tenantKey, { amount: 3 }, 'all-of-it');
    const again = await debit(tenant.tenantKey, { amount: 3 }, 'all-of-it');
    expect([first.status, again.status]).toEqual([201, 200]);
    expect(again.body.transaction.id).toBe(first.body.transaction.id);
  });

  it.each([
    ['a different amount', { amount: 2 }],
    ['a different description', { amount: 1, description: 'other' }],
    ['different metadata', { amount: 1, metadata: { x: 'y' } }],
    ['a number', { amount: 1, numberId: 'NUMBER' }],
  ])('answers 409 IDEMPOTENCY_KEY_REUSED when the key comes back with %s, and debits nothing more', async (_name, changed) => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    expect((await debit(tenant.tenantKey, { amount: 1 }, 'reused')).status).toBe(201);
    const body = 'numberId' in changed ? { ...changed, numberId: tenant.numberId } : changed;
    const res = await debit(tenant.tenantKey, body, 'reused');
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
    expect((await walletOf(tenant)).balance).toBe(9);
  });

  it('lets a debit refused once succeed with the same key after a top-up (a refusal is not remembered)', async () => {
    const tenant = await setupTenant(purse);
    expect((await debit(tenant.tenantKey, { amount: 5 }, 'later')).status).toBe(402);
    await fundWallet(purse, tenant.tenantId, 5);
    expect((await debit(tenant.tenantKey, { amount: 5 }, 'later')).status).toBe(201);
  });

  it('keeps keys per tenant: the same key debits two tenants once each', async () => {
    const [a, b] = [await setupTenant(purse), await setupTenant(purse)];
    await fundWallet(purse, a.tenantId, 1);
    await fundWallet(purse, b.tenantId, 1);
    const resA = await debit(a.tenantKey, { amount: 1 }, 'shared-key');
    const resB = await debit(b.tenantKey, { amount: 1 }, 'shared-key');
    expect([resA.status, resB.status]).toEqual([201, 201]);
    expect(resA.body.transaction.id).not.toBe(resB.body.transaction.id);
  });
});

describe('POST /v1/billing/usage — amount validation', () => {
  it.each([
    ['zero', 0, 'AMOUNT_INVALID'],
    ['"0.00"', '0.00', 'AMOUNT_INVALID'],
    ['negative', -1, 'AMOUNT_INVALID'],
    ['a negative string', '-1', 'AMOUNT_INVALID'],
    ['too many decimals', '1.001', 'AMOUNT_INVALID'],
    ['a float with too many decimals', 0.001, 'AMOUNT_INVALID'],
    ['an exponent', '1e3', 'AMOUNT_INVALID'],
    ['a number in exponent form', 1e21, 'AMOUNT_INVALID'],
    ['a plus sign', '+5', 'AMOUNT_INVALID'],
    ['a thousands separator', '1,000', 'AMOUNT_INVALID'],
    ['spaces', ' 5 ', 'AMOUNT_INVALID'],
    ['an empty string', '', 'AMOUNT_INVALID'],
    ['NaN', 'NaN', 'AMOUNT_INVALID'],
    ['Infinity', 'Infinity', 'AMOUNT_INVALID'],
    ['a boolean', true, 'AMOUNT_INVALID'],
    ['an object', { value: 1 }, 'AMOUNT_INVALID'],
    ['an array', [1], 'AMOUNT_INVALID'],
    ['absurdly large', '999999999999999', 'AMOUNT_INVALID'],
    ['missing', undefined, 'AMOUNT_REQUIRED'],
    ['null', null, 'AMOUNT_REQUIRED'],
  ])('refuses an amount that is %s with 400 %s', async (_name, amount, code) => {
    const res = await debit(acme.tenantKey, { amount });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Validation error', code, details: [{ field: 'amount', code }] });
  });
});

describe('POST /v1/billing/usage — Idempotency-Key validation', () => {
  it('refuses a request without an Idempotency-Key with 400 IDEMPOTENCY_KEY_REQUIRED', async () => {
    const res = await debit(acme.tenantKey, { amount: 1 }, null);
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ error: 'Validation error', code: 'IDEMPOTENCY_KEY_REQUIRED', details: [{ field: 'Idempotency-Key' }] });
  });

  it.each([
    ['empty', ''],
    ['with a non-ASCII character', 'clé'],
    ['with a space', 'a b'],
    ['longer than a ledger reference allows', 'k'.repeat(220)],
  ])('refuses an Idempotency-Key that is %s with 400', async (_name, key) => {
    const res = await call(purse, 'POST', '/v1/billing/usage', { body: { amount: 1 }, headers: { 'x-api-key': acme.tenantKey, 'idempotency-key': key } });
    expect(res.status).toBe(400);
    expect(['VALIDATION_ERROR', 'IDEMPOTENCY_KEY_REQUIRED']).toContain(res.body.code);
  });

  it('accepts the longest Idempotency-Key that fits the ledger reference, and not one character more', async () => {
    const longest = REFERENCE_LENGTH_MAX - `usage:${acme.tenantId}:`.length;
    expect((await debit(acme.tenantKey, { amount: '0.01' }, 'k'.repeat(longest))).status).toBe(201);
    const res = await debit(acme.tenantKey, { amount: '0.01' }, 'k'.repeat(longest + 1));
    expect(res.status).toBe(400);
    expect(res.body.details).toEqual([{ field: 'Idempotency-Key', code: 'VALIDATION_ERROR', message: `must be at most ${longest} characters for usage` }]);
  });
});

describe('POST /v1/billing/usage — body validation', () => {
  it.each([
    ['an unknown field', { amount: 1, note: 'x' }],
    ['a description over 500 characters', { amount: 1, description: 'x'.repeat(501) }],
    ['a non-string description', { amount: 1, description: 5 }],
    ['a malformed numberId', { amount: 1, numberId: 'num_nope' }],
    ['a numberId of the wrong type', { amount: 1, numberId: 42 }],
    ['metadata that is not an object', { amount: 1, metadata: 'x' }],
    ['a metadata value that is not a string', { amount: 1, metadata: { a: 1 } }],
    ['more than 20 metadata keys', { amount: 1, metadata: Object.fromEntries(Array.from({ length: 21 }, (_, i) => [`k${i}`, 'v'])) }],
    ['a metadata key over 40 characters', { amount: 1, metadata: { ['k'.repeat(41)]: 'v' } }],
    ['a metadata value over 200 characters', { amount: 1, metadata: { k: 'v'.repeat(201) } }],
    ['a metadata key with a line break and a bad value', { amount: 1, metadata: { 'a\nb': 5 } }],
    ['a body that is an array', [1]],
    ['a NUL character in the description', { amount: 1, description: 'a\u0000b' }],
    ['a NUL character in a metadata value', { amount: 1, metadata: { k: 'a\u0000b' } }],
    ['a NUL character in a metadata key', { amount: 1, metadata: { 'a\u0000b': 'v' } }],
    ['a lone surrogate in the description', { amount: 1, description: 'a\ud800b' }],
  ])('refuses %s with 400 VALIDATION_ERROR and debits nothing', async (_name, body) => {
    const before = await walletOf(acme);
    const res = await debit(acme.tenantKey, body);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(await walletOf(acme)).toEqual(before);
  });

  it('answers malformed JSON with 400 INVALID_JSON', async () => {
    const res = await call(purse, 'POST', '/v1/billing/usage', { rawBody: '{"amount": 1', headers: { 'x-api-key': acme.tenantKey, 'idempotency-key': newKey() } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('INVALID_JSON');
  });

  it('takes hostile strings as plain data', async () => {
    const hostile = `'; DROP TABLE wallets; -- <script>alert(1)</script> \u202e \ud83d\udcb8 %s {{x}}`;
    const res = await debit(acme.tenantKey, { amount: '0.01', description: hostile, metadata: { [hostile.slice(0, 40)]: hostile } });
    expect(res.status).toBe(201);
    expect(res.body.transaction.description).toBe(hostile);
  });
});

describe('POST /v1/billing/usage — keys and numbers', () => {
  it('attributes a number key\'s usage to its own number', async () => {
    const res = await debit(acme.numberKey, { amount: '0.10' });
    expect(res.status).toBe(201);
    expect(res.body.transaction.numberId).toBe(acme.numberId);
    expect((await debit(acme.numberKey, { amount: '0.10', numberId: acme.numberId })).body.transaction.numberId).toBe(acme.numberId);
  });

  it('refuses a number key naming another number with 403 NUMBER_SCOPE_NOT_ALLOWED', async () => {
    const other = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/numbers`, { name: 'second line' });
    const res = await debit(acme.numberKey, { amount: '0.10', numberId: other.body.id });
    expect(res.status).toBe(403);
    expect(res.body).toMatchObject({ code: 'NUMBER_SCOPE_NOT_ALLOWED', details: [{ field: 'numberId' }] });
  });

  it('lets a tenant key attribute usage to one of its numbers', async () => {
    const res = await debit(acme.tenantKey, { amount: '0.10', numberId: acme.numberId });
    expect(res.status).toBe(201);
    expect(res.body.transaction.numberId).toBe(acme.numberId);
  });

  it.each([
    ['an unknown number', () => 'num_00000000000000000000000000'],
    ["another tenant's number", async () => (await setupTenant(purse)).numberId],
  ])('answers 404 to a tenant key naming %s, and debits nothing', async (_name, numberOf) => {
    const before = await walletOf(acme);
    const res = await debit(acme.tenantKey, { amount: '0.10', numberId: await numberOf() });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ code: 'NOT_FOUND', details: [{ field: 'numberId' }] });
    expect(await walletOf(acme)).toEqual(before);
  });

  it('debits the caller\'s own wallet only: tenant B\'s key never touches tenant A', async () => {
    const b = await setupTenant(purse);
    const before = await walletOf(acme);
    expect((await debit(b.tenantKey, { amount: 1 })).status).toBe(402);
    expect(await walletOf(acme)).toEqual(before);
  });

  it('answers 401 without a key and 403 INSUFFICIENT_SCOPE to a key without usage:write', async () => {
    expect((await call(purse, 'POST', '/v1/billing/usage', { body: { amount: 1 }, headers: { 'idempotency-key': newKey() } })).status).toBe(401);
    const readOnly = await admin(purse, 'POST', `/v1/admin/tenants/${acme.tenantId}/keys`, { scope: 'tenant', permissions: ['billing:read'] });
    expect(readOnly.status).toBe(201);
    const res = await debit(readOnly.body.secret, { amount: 1 });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('INSUFFICIENT_SCOPE');
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(purse);
});
