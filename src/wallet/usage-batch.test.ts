import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Principal } from '../auth/authenticate.ts';
import { PurseError } from '../errors/purse-error.ts';
import { asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { postTransaction } from '../ledger/post-transaction.ts';
import { type UsageResult, debitUsage } from './debit-usage.ts';

/**
 * Debits submitted together land in one group-commit batch; on PostgreSQL a run of them is decided in
 * memory and written in a few statements (ledger/post-many.ts). Whatever the batching, each debit must be
 * answered as if they had run one after another, in order: this is that model, checked on both databases.
 */
const CENTS = 100;

let purse: TestPurse;

beforeAll(async () => {
  // One lane and no time bound: everything submitted in one turn shares one batch.
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { store: { batch: { spanMsMax: Number.POSITIVE_INFINITY, lanes: 1 } } });
});

afterAll(async () => {
  await purse?.close();
});

interface Step {
  key: string;
  cents: number;
}

type Answer = { created: boolean; transactionId: string; balanceCents: number } | { code: string };

/** The one-by-one semantics: a used key replays (or is refused if the body differs), else the guard decides. */
function sequentialModel(startCents: number, used: Map<string, number>, steps: Step[]): Array<{ kind: 'new' | 'replay' | 'reused' | 'refused'; balanceCents: number }> {
  let balance = startCents;
  return steps.map(({ key, cents }) => {
    const earlier = used.get(key);
    if (earlier !== undefined) return { kind: earlier === cents ? 'replay' : 'reused', balanceCents: balance };
    if (balance - cents < 0) return { kind: 'refused', balanceCents: balance };
    balance -= cents;
    used.set(key, cents);
    return { kind: 'new', balanceCents: balance };
  });
}

async function answer(run: Promise<UsageResult>): Promise<Answer> {
  try {
    const result = await run;
    return { created: result.created, transactionId: result.transaction.id, balanceCents: Math.round(result.wallet.balance * CENTS) };
  } catch (err) {
    if (err instanceof PurseError) return { code: err.code };
    throw err;
  }
}

describe('a batch of usage debits mixing new ones, replays and refusals', () => {
  it('answers every debit as one after another would, moves the wallet by the accepted ones only and fires each crossing once', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '10.00');
    expect((await asKey(purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '2.00' })).status).toBe(200);
    const principal: Principal = { keyId: 'key_batch_test', tenantId: tenant.tenantId, scope: 'tenant', numberId: null, permissions: [] };
    const debit = (step: Step) => debitUsage(purse.ctx, principal, { amount: (step.cents / CENTS).toFixed(2) }, step.key);
    const earlier = await debit({ key: 'before', cents: 100 });
    const steps: Step[] = [
      { key: 'a', cents: 300 }, // new: 900 → 600
      { key: 'before', cents: 100 }, // replay of a debit committed before the batch
      { key: 'b', cents: 700 }, // refused: 600 left
      { key: 'c', cents: 500 }, // new: 600 → 100, below the 2.00 alert
      { key: 'a', cents: 300 }, // replay of a debit earlier in this batch
      { key: 'before', cents: 999 }, // the same key with another body
      { key: 'b', cents: 50 }, // a refused key is free: new, 100 → 50
      { key: 'd', cents: 100 }, // refused: 50 left
      { key: 'e', cents: 50 }, // new: 50 → 0, depleted
      { key: 'f', cents: 1 }, // refused: nothing left
    ];
    const model = sequentialModel(900, new Map([['before', 100]]), steps);
    const statsBefore = purse.ctx.store.batchStats();
    const answers = await Promise.all(steps.map((step) => answer(debit(step))));
    const byKey = new Map<string, string>([['before', earlier.transaction.id]]);
    answers.forEach((got, i) => {
      const want = model[i];
      const step = steps[i];
      if (!want || !step) throw new Error('one model entry per step');
      if (want.kind === 'refused') expect(got, `step ${i}`).toEqual({ code: 'INSUFFICIENT_FUNDS' });
      else if (want.kind === 'reused') expect(got, `step ${i}`).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED' });
      else if (want.kind === 'replay') expect(got, `step ${i}`).toMatchObject({ created: false, transactionId: byKey.get(step.key) });
      else {
        expect(got, `step ${i}`).toMatchObject({ created: true, balanceCents: want.balanceCents });
        if ('transactionId' in got) byKey.set(step.key, got.transactionId);
      }
    });
    const wallet = await purse.ctx.store.db.selectFrom('wallets').select(['balance_minor']).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
    expect(Number(wallet.balance_minor)).toBe(0);
    const events = await purse.ctx.store.db.selectFrom('events').select(['type']).where('tenant_id', '=', tenant.tenantId).execute();
    expect(events.filter((e) => e.type === 'wallet.low_balance')).toHaveLength(1);
    expect(events.filter((e) => e.type === 'wallet.depleted')).toHaveLength(1);
    if (testDatabaseKind() === 'postgres') {
      // Most of them were answered by the combined run, not one by one.
      expect(purse.ctx.store.batchStats().combined - statsBefore.combined).toBeGreaterThanOrEqual(steps.length / 2);
    }
    await expectLedgerSound(purse);
  });
});

describe('a reference taken by another transaction while the batch waited for the wallet [postgres-only]', () => {
  it.skipIf(testDatabaseKind() !== 'postgres')('answers the debit as a replay of that transaction and moves the wallet once', async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, '10.00');
    const principal: Principal = { keyId: 'key_batch_test', tenantId: tenant.tenantId, scope: 'tenant', numberId: null, permissions: [] };
    const { db } = purse.ctx.store;
    // Another instance's transaction: it holds the wallet row and has written the same usage reference.
    const other = await db.startTransaction().execute();
    const otherPid = (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(other)).rows[0]?.pid;
    const first = await postTransaction(other, {
      reference: `usage:${tenant.tenantId}:raced`, kind: 'usage', tenantId: tenant.tenantId, currency: 'BRL', overdraft: 'forbid',
      postings: [{ accountId: walletAccountId(tenant.tenantId), amountMinor: -250n }, { accountId: systemAccountId('usage_revenue', 'BRL'), amountMinor: 250n }],
    }, purse.ctx.nowMs());
    const replaysBefore = purse.ctx.store.batchStats().replays;
    const debit = debitUsage(purse.ctx, principal, { amount: '2.50' }, 'raced');
    // Until the batch's lock statement is queued behind the other transaction (its snapshot is then older).
    for (;;) {
      const waiting = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where ${otherPid} = any(pg_blocking_pids(pid))`.execute(db);
      if ((waiting.rows[0]?.n ?? 0) > 0) break;
    }
    await other.commit().execute();
    const result = await debit;
    expect(result.created).toBe(false);
    expect(result.transaction.id).toBe(first.transaction.id);
    expect(result.wallet.balance).toBe(7.5);
    // The combined run saw fewer rows written than it planned and the batch ran again one by one.
    expect(purse.ctx.store.batchStats().replays).toBeGreaterThan(replaysBefore);
    await expectLedgerSound(purse);
  });
});
