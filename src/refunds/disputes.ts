import { creditReferenceOf, drawFirstFromCredit } from '../ledger/credit-intents.ts';
import { assert } from '../errors/purse-error.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { WALLET_STATE_COLUMNS, type WalletState, toWalletState } from '../ledger/wallet-state.ts';
import type { ChargeSource } from '../gateway/payment-gateway.ts';
import type { Db } from '../store/db.ts';
import type { DisputeRow } from '../store/schema.ts';
import { type NoCredit, creditedChargeOf, lockCredit, shareOfCredit, sourceColumns, sourceIds } from './credited-charge.ts';
import { type DisputeState, isDisputeState, judgeDisputeClose } from './dispute-states.ts';
import type { Ctx } from '../context.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import { moneyTrx, moveMoney } from '../events/money-transaction.ts';
import { toMajorNumber } from '../money/money.ts';

export interface DisputeFacts extends ChargeSource {
  disputeId: string;
  chargeId: string;
  disputedMinor: bigint;
  chargeAmountMinor: bigint;
}

export type OpenOutcome = 'opened' | 'already_open' | NoCredit;
export type CloseOutcome = 'won' | 'lost' | 'already_closed' | NoCredit;

/**
 * charge.dispute.created: the credited share of the disputed amount is held — wallets.held_minor rises,
 * so available drops and the balance stays as it is (SPEC §8.4). Not a money movement yet, so no ledger
 * transaction, like a hold; unlike a hold it is taken even when available cannot cover it. The wallet
 * hooks see it as a clawback: wallet.low_balance / wallet.depleted fire on a crossing, auto top-up does not.
 */
export async function openDispute(ctx: Ctx, f: DisputeFacts): Promise<OpenOutcome> {
  const credit = await creditedChargeOf(ctx, f);
  if (typeof credit === 'string') return credit;
  return ctx.store.transact(async (trx): Promise<OpenOutcome> => {
    await lockCredit(trx, ctx.store.dialect, credit);
    const nowMs = ctx.nowMs();
    const heldMinor = shareOfCredit(credit.creditedMinor, f.disputedMinor, f.chargeAmountMinor);
    const inserted = await trx.insertInto('disputes').values({
      id: f.disputeId, charge_id: f.chargeId, ...sourceColumns(credit), tenant_id: credit.tenantId, currency: credit.currency, state: 'open',
      disputed_minor: f.disputedMinor, held_minor: heldMinor, loss_transaction_id: null,
      created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), closed_at_ms: null,
    }).onConflict((oc) => oc.column('id').doNothing()).returning('id').executeTakeFirst();
    if (!inserted) return 'already_open';
    const m = moneyTrx(ctx, trx, nowMs);
    await m.emit({ type: 'dispute.opened', tenantId: credit.tenantId, data: {
      ...sourceIds(credit), disputeId: f.disputeId, chargeId: f.chargeId, currency: credit.currency, held: toMajorNumber(heldMinor, credit.currency),
    } });
    if (heldMinor > 0n) await moveHeld(m, credit.tenantId, credit.currency, heldMinor);
    return 'opened';
  }, { key: credit.tenantId });
}

/** How Stripe closed a dispute, and how to learn its opening facts if its opening never arrived here. */
export interface DisputeClosing {
  disputeId: string;
  outcome: 'won' | 'lost';
  /** The dispute's facts as charge.dispute.created would have given them (the closed dispute names its charge). */
  opening: () => Promise<DisputeFacts>;
}

/**
 * charge.dispute.closed: won → the hold is released; lost → the held share is clawed back (may go below zero).
 * A close that overtook its opening opens the dispute first (the closed dispute carries the same facts), so
 * the order of deliveries never matters; before the charge's credit lands it waits (WaitingFor) like a refund.
 */
export async function closeDispute(ctx: Ctx, c: DisputeClosing): Promise<CloseOutcome> {
  let known = await tenantOfDispute(ctx.store.db, c.disputeId);
  if (!known) {
    const opened = await openDispute(ctx, await c.opening());
    if (opened !== 'opened' && opened !== 'already_open') return opened;
    known = await tenantOfDispute(ctx.store.db, c.disputeId);
    assert(known, `dispute ${c.disputeId} is stored once opened`);
  }
  const outcome = c.outcome;
  const once = await moveMoney(ctx, async (m): Promise<CloseOutcome> => {
    const trx = m.db;
    const dispute = await lockDispute(trx, ctx.store.dialect, c.disputeId);
    if (judgeDisputeClose(dispute.state, outcome) !== 'apply') return 'already_closed';
    const nowMs = m.nowMs;
    const lossTransactionId = outcome === 'lost' ? await postLoss(m, dispute) : await releaseDisputeHold(m, dispute);
    const moved = await trx.updateTable('disputes')
      .set({ state: outcome, loss_transaction_id: lossTransactionId, updated_at_ms: BigInt(nowMs), closed_at_ms: BigInt(nowMs) })
      .where('id', '=', dispute.id).where('state', '=', 'open').executeTakeFirst();
    assert(moved.numUpdatedRows === 1n, `dispute ${dispute.id} was open under its lock`);
    await m.emit({ type: 'dispute.closed', tenantId: dispute.tenant_id, data: {
      orderId: dispute.order_id, attemptId: dispute.attempt_id, disputeId: dispute.id, chargeId: dispute.charge_id, status: outcome, currency: dispute.currency,
      held: toMajorNumber(dispute.held_minor, dispute.currency), transactionId: lossTransactionId,
    } });
    return outcome;
  }, { key: known });
  return once.created ? once.value : 'already_closed';
}

async function tenantOfDispute(db: Db, disputeId: string): Promise<string | undefined> {
  return (await db.selectFrom('disputes').select('tenant_id').where('id', '=', disputeId).executeTakeFirst())?.tenant_id;
}

type Dispute = Omit<DisputeRow, 'state'> & { state: DisputeState };

async function lockDispute(trx: Db, dialect: 'sqlite' | 'postgres', disputeId: string): Promise<Dispute> {
  const query = trx.selectFrom('disputes').selectAll().where('id', '=', disputeId);
  const row = await (dialect === 'postgres' ? query.forUpdate() : query).executeTakeFirstOrThrow();
  const state = row.state;
  assert(isDisputeState(state), `dispute ${row.id} has a known state (${state})`);
  return { ...row, state };
}

/** The loss: wallet → system:disputes for the held share, releasing the hold in the same guarded update. */
async function postLoss(m: MoneyTrx, d: Dispute): Promise<string | null> {
  if (d.held_minor === 0n) return null;
  const credit = creditReferenceOf({ orderId: d.order_id, attemptId: d.attempt_id });
  if (credit) await drawFirstFromCredit(m.db, `dispute:${d.id}:lost`, credit);
  const { transaction } = await m.post({
    reference: `dispute:${d.id}:lost`,
    kind: 'dispute_loss',
    tenantId: d.tenant_id,
    currency: d.currency,
    description: 'Dispute lost (Stripe)',
    metadata: { ...(d.order_id ? { orderId: d.order_id } : { autoTopupAttemptId: d.attempt_id ?? '' }), chargeId: d.charge_id, disputeId: d.id },
    postings: [
      { accountId: walletAccountId(d.tenant_id), amountMinor: -d.held_minor },
      { accountId: systemAccountId('disputes', d.currency), amountMinor: d.held_minor },
    ],
    heldDeltaMinor: -d.held_minor,
    overdraft: 'allow',
  });
  return transaction.id;
}

async function releaseDisputeHold(m: MoneyTrx, d: Dispute): Promise<null> {
  if (d.held_minor > 0n) await moveHeld(m, d.tenant_id, d.currency, -d.held_minor);
  return null;
}

/**
 * held += delta with no available-balance guard (a dispute is not the tenant's choice); held stays ≥ 0.
 * Then the wallet hooks, as a clawback: available moved by −delta.
 */
async function moveHeld(m: MoneyTrx, tenantId: string, currency: string, deltaMinor: bigint): Promise<void> {
  const row = await m.db.updateTable('wallets')
    .set((eb) => ({ held_minor: eb('held_minor', '+', deltaMinor), updated_at_ms: BigInt(m.nowMs) }))
    .where('tenant_id', '=', tenantId).where((eb) => eb(eb('held_minor', '+', deltaMinor), '>=', 0n))
    .returning(WALLET_STATE_COLUMNS).executeTakeFirst();
  assert(row, `wallet of ${tenantId}: held stays ≥ 0 after moving it by ${deltaMinor}`);
  const after: WalletState = toWalletState(row);
  await m.walletMoved({ tenantId, currency, availableDeltaMinor: -deltaMinor, after, transaction: null, clawback: true });
}
