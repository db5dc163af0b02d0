import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { systemAccountId, walletAccountId } from './accounts.ts';
import { type TransactionInput, findTransaction, postTransaction, transactOnce } from './post-transaction.ts';
import { recordTransaction } from '../testing/record-transaction.ts';
import { verifyLedger } from './verify-ledger.ts';

let purse: TestPurse;
let acme: TestTenant;
let other: TestTenant;

beforeAll(async () => {
  purse = await startTestPurse();
  acme = await setupTenant(purse);
  other = await setupTenant(purse);
});

afterAll(async () => {
  await purse?.close();
});

let referenceCounter = 0;
function newReference(): string {
  referenceCounter += 1;
  return `test:${Date.now()}:${referenceCounter}`;
}

/** A usage debit of `amountMinor` from the tenant's wallet to usage revenue. */
function debit(tenant: TestTenant, amountMinor: bigint, extra: Partial<TransactionInput> = {}): TransactionInput {
  return {
    reference: newReference(),
    kind: 'usage',
    tenantId: tenant.tenantId,
    currency: 'BRL',
    postings: [
      { accountId: walletAccountId(tenant.tenantId), amountMinor: -amountMinor },
      { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor },
    ],
    overdraft: 'forbid',
    ...extra,
  };
}

async function balanceOf(tenant: TestTenant): Promise<{ balance: number; held: number; available: number }> {
  const res = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet');
  expect(res.status).toBe(200);
  // The balances only; the auto top-up summary beside them is tested in auto-topup/.
  const { autoTopup: _autoTopup, expiring: _expiring, ...balances } = res.body;
  return balances;
}

async function setHeldMinor(tenant: TestTenant, heldMinor: bigint): Promise<void> {
  // No holds capability yet: a test stands in for it by reserving funds directly.
  await purse.ctx.store.db.updateTable('wallets').set({ held_minor: heldMinor }).where('tenant_id', '=', tenant.tenantId).execute();
}

describe('postTransaction: a balanced debit and malformed input', () => {
  it('a balanced debit moves the wallet and records the amount, balance after, number and metadata', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const input = debit(tenant, 250n, { numberId: tenant.numberId, description: 'SMS', metadata: { messages: '5' } });
    const result = await recordTransaction(purse.ctx, input);
    expect(result.created).toBe(true);
    expect(result.walletAfter).toMatchObject({ balanceMinor: 750n, heldMinor: 0n });
    expect(result.transaction).toMatchObject({ reference: input.reference, kind: 'usage', walletAmountMinor: -250n, walletBalanceAfterMinor: 750n });
    const stored = await findTransaction(purse.ctx.store.db, input.reference);
    expect(stored).toEqual(result.transaction);
    expect(stored).toMatchObject({ numberId: tenant.numberId, description: 'SMS', metadata: { messages: '5' } });
    expect(await balanceOf(tenant)).toEqual({ currency: 'BRL', balance: 7.5, held: 0, available: 7.5 });
  });

  const malformed: Array<[string, () => TransactionInput]> = [
    ['postings that do not sum to zero', () => ({ ...debit(acme, 100n), postings: [{ accountId: walletAccountId(acme.tenantId), amountMinor: -100n }, { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor: 99n }] })],
    ['a single posting', () => ({ ...debit(acme, 100n), postings: [{ accountId: walletAccountId(acme.tenantId), amountMinor: 0n }] })],
    ['a zero posting', () => ({ ...debit(acme, 100n), postings: [{ accountId: walletAccountId(acme.tenantId), amountMinor: 0n }, { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor: 0n }] })],
    ['two wallet postings', () => ({ ...debit(acme, 100n), postings: [{ accountId: walletAccountId(acme.tenantId), amountMinor: -100n }, { accountId: walletAccountId(other.tenantId), amountMinor: 100n }] })],
    ['a system account in another currency', () => ({ ...debit(acme, 100n), postings: [{ accountId: walletAccountId(acme.tenantId), amountMinor: -100n }, { accountId: systemAccountId('usage_revenue', 'USD'), amountMinor: 100n }] })],
    ["another tenant's wallet", () => ({ ...debit(other, 100n), tenantId: acme.tenantId })],
    ['a held change without a wallet posting', () => ({ ...debit(acme, 100n), heldDeltaMinor: -5n, postings: [{ accountId: systemAccountId('disputes', 'BRL'), amountMinor: -1n }, { accountId: systemAccountId('refunds', 'BRL'), amountMinor: 1n }] })],
    ['an unknown currency', () => ({ ...debit(acme, 100n), currency: 'XXX' })],
  ];

  it.each(malformed)('refuses %s as a bug and writes nothing', async (_name, make) => {
    await fundWallet(purse, acme.tenantId, 1);
    const before = await balanceOf(acme);
    const input = make();
    await expect(recordTransaction(purse.ctx, input)).rejects.toThrow(/Invariant violated/);
    expect(await findTransaction(purse.ctx.store.db, input.reference)).toBeUndefined();
    expect(await balanceOf(acme)).toEqual(before);
  });
});

describe('postTransaction: repeated references and concurrent posts', () => {
  it('a repeated reference returns the first transaction and moves money once', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 5);
    const input = debit(tenant, 100n);
    const first = await recordTransaction(purse.ctx, input);
    const second = await recordTransaction(purse.ctx, input);
    expect(second).toEqual({ transaction: first.transaction, created: false, walletAfter: null });
    expect((await balanceOf(tenant)).balance).toBe(4);
  });

  it('50 concurrent posts of one reference move money once', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 5);
    const input = debit(tenant, 100n);
    const results = await Promise.all(Array.from({ length: 50 }, () => recordTransaction(purse.ctx, input)));
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(new Set(results.map((r) => r.transaction.id)).size).toBe(1);
    expect((await balanceOf(tenant)).balance).toBe(4);
  });

  it('50 concurrent debits on one wallet never overdraw it', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '0.3');
    const outcomes = await Promise.allSettled(Array.from({ length: 50 }, () => recordTransaction(purse.ctx, debit(tenant, 1n))));
    const refused = outcomes.filter((o) => o.status === 'rejected');
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(30);
    expect(refused.every((o) => (o as PromiseRejectedResult).reason.code === 'INSUFFICIENT_FUNDS')).toBe(true);
    expect(await balanceOf(tenant)).toMatchObject({ balance: 0, available: 0 });
  });
});

describe('postTransaction: available funds, holds and overdraft', () => {
  it('a debit beyond the available balance is refused with INSUFFICIENT_FUNDS and writes nothing', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 1);
    const input = debit(tenant, 101n);
    await expect(recordTransaction(purse.ctx, input)).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS', status: 402 });
    expect(await findTransaction(purse.ctx.store.db, input.reference)).toBeUndefined();
    expect((await balanceOf(tenant)).balance).toBe(1);
  });

  it('held funds are not available to a debit that forbids overdraft', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    await setHeldMinor(tenant, 600n);
    await expect(recordTransaction(purse.ctx, debit(tenant, 401n))).rejects.toMatchObject({ code: 'INSUFFICIENT_FUNDS' });
    const ok = await recordTransaction(purse.ctx, debit(tenant, 400n));
    expect(ok.walletAfter).toMatchObject({ balanceMinor: 600n, heldMinor: 600n });
  });

  it('a capture moves the balance and releases held funds in the same write', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    await setHeldMinor(tenant, 300n);
    const result = await recordTransaction(purse.ctx, debit(tenant, 200n, { kind: 'hold_capture', heldDeltaMinor: -300n }));
    expect(result.walletAfter).toMatchObject({ balanceMinor: 800n, heldMinor: 0n });
    expect(await balanceOf(tenant)).toEqual({ currency: 'BRL', balance: 8, held: 0, available: 8 });
  });

  it('a held change that would take held below zero is refused as a bug', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const input = debit(tenant, 200n, { kind: 'hold_capture', heldDeltaMinor: -1n });
    await expect(recordTransaction(purse.ctx, input)).rejects.toThrow(/held .* stays ≥ 0/);
    expect((await balanceOf(tenant)).balance).toBe(10);
  });

  it('overdraft allow may take the balance below zero, visibly', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 1);
    const clawback: TransactionInput = {
      ...debit(tenant, 300n, { kind: 'refund_clawback', overdraft: 'allow' }),
      postings: [
        { accountId: walletAccountId(tenant.tenantId), amountMinor: -300n },
        { accountId: systemAccountId('refunds', 'BRL'), amountMinor: 300n },
      ],
    };
    const result = await recordTransaction(purse.ctx, clawback);
    expect(result.transaction.walletBalanceAfterMinor).toBe(-200n);
    expect(await balanceOf(tenant)).toMatchObject({ balance: -2, available: -2 });
  });
});

describe('postTransaction: replays, system-only transactions and a caller’s transaction', () => {
  it('a replay after the first post spent the funds is still a replay, not insufficient funds', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 1);
    const input = debit(tenant, 100n);
    const first = await recordTransaction(purse.ctx, input);
    const again = await recordTransaction(purse.ctx, input);
    expect(again.created).toBe(false);
    expect(again.transaction.id).toBe(first.transaction.id);
  });

  it('a transaction without a wallet posting records a zero wallet amount and no balance', async () => {
    const input: TransactionInput = {
      reference: newReference(),
      kind: 'dispute_release',
      tenantId: acme.tenantId,
      currency: 'BRL',
      postings: [
        { accountId: systemAccountId('disputes', 'BRL'), amountMinor: -500n },
        { accountId: systemAccountId('stripe_clearing', 'BRL'), amountMinor: 500n },
      ],
      overdraft: 'allow',
    };
    const first = await recordTransaction(purse.ctx, input);
    expect(first).toMatchObject({ created: true, walletAfter: null, transaction: { walletAmountMinor: 0n, walletBalanceAfterMinor: null } });
    expect(await recordTransaction(purse.ctx, input)).toMatchObject({ created: false, transaction: { id: first.transaction.id } });
  });

  it("a duplicate inside a caller's transaction rolls back the caller's other writes too", async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 5);
    const input = debit(tenant, 100n);
    const first = await recordTransaction(purse.ctx, input);
    const db = purse.ctx.store.db;
    const once = await transactOnce(db, async (trx) => {
      await trx.updateTable('tenants').set({ name: 'renamed in a doomed transaction' }).where('id', '=', tenant.tenantId).execute();
      return postTransaction(trx, input, purse.ctx.nowMs());
    });
    expect(once).toEqual({ created: false, existing: first.transaction });
    const row = await db.selectFrom('tenants').select('name').where('id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(row.name).toBe('Acme');
    expect((await balanceOf(tenant)).balance).toBe(4);
  });
});

describe('postTransaction: the ledger afterwards', () => {
  it('leaves a ledger that verifies', async () => {
    const report = await verifyLedger(purse.ctx.store.db);
    expect(report.checks.filter((c) => !c.ok)).toEqual([]);
    expect(report.ok).toBe(true);
  });
});
