import { PurseError, assert, fieldError } from '../errors/purse-error.ts';
import { moveMoney } from '../events/money-transaction.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { type PostResult, findTransaction } from '../ledger/post-transaction.ts';
import { type TransactionView, toTransactionView } from './transaction-view.ts';
import { formatMajor } from '../money/money.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { settledHold } from './expire-holds.ts';
import { judgeHoldTransition } from './hold-states.ts';
import { type HoldView, toHoldView } from './hold-view.ts';
import { type CaptureAmount, type Hold, type HoldOwner, closeHold, holdOwnerOf } from './holds-store.ts';
import { type WalletView, readWallet, toWalletView } from './read-wallet.ts';
import { parseSpendAmount } from './spend-input.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';

export interface CaptureResult {
  hold: HoldView;
  transaction: TransactionView;
  /** Right after the capture; on a repeat, the wallet as it is now. */
  wallet: WalletView;
}

export function captureReference(holdId: string): string {
  return `hold:${holdId}:capture`;
}

/**
 * `POST /v1/billing/holds/{id}/capture`: take all or part of a live hold. One DB transaction: claim the
 * hold (guarded: still held, not expired by the clock, amount ≤ held), then ONE ledger transaction that
 * debits what is captured and, in the same wallet statement, releases the whole reservation.
 */
export async function captureHold(ctx: Ctx, principal: Principal, holdId: string, body: { amount?: unknown }): Promise<CaptureResult> {
  const owner = holdOwnerOf(principal);
  const currency = await tenantCurrency(ctx, owner.tenantId);
  const requested: CaptureAmount = body.amount === undefined ? 'all' : parseSpendAmount(body.amount, currency);
  const nowMs = ctx.nowMs();
  const once = await moveMoney(ctx, async (m) => {
    const hold = await closeHold(m.db, holdId, owner, 'captured', nowMs, requested);
    if (!hold) return undefined;
    const posted = await postCapture(m, hold);
    await m.db.updateTable('holds').set({ capture_transaction_id: posted.transaction.id }).where('id', '=', hold.id).execute();
    return { hold: { ...hold, captureTransactionId: posted.transaction.id }, posted };
  }, { key: owner.tenantId });
  // A repeated capture reference cannot get past the hold's claim; were it to, the refusal path explains it.
  const captured = once.created ? once.value : undefined;
  if (!captured) return explainRefusal(ctx, owner, holdId, requested, nowMs);
  const { hold, posted } = captured;
  const after = posted.walletAfter;
  assert(after, `capture of ${hold.id} moved the wallet`);
  return { hold: toHoldView(hold, nowMs), transaction: toTransactionView(posted.transaction), wallet: toWalletView(after.balanceMinor, after.heldMinor, hold.currency) };
}

/**
 * The reservation already guaranteed these funds, so the capture is not refused for the balance as it
 * stands now (a refund clawback may have taken it below held): available only rises, by held − captured.
 */
function postCapture(m: MoneyTrx, hold: Hold): Promise<PostResult> {
  assert(hold.capturedMinor > 0n && hold.capturedMinor <= hold.amountMinor, `capture of ${hold.id} is within the hold`);
  return m.post({
    reference: captureReference(hold.id),
    kind: 'hold_capture',
    tenantId: hold.tenantId,
    numberId: hold.numberId,
    currency: hold.currency,
    description: hold.description,
    metadata: hold.metadata,
    postings: [
      { accountId: walletAccountId(hold.tenantId), amountMinor: -hold.capturedMinor },
      { accountId: systemAccountId('usage_revenue', hold.currency), amountMinor: hold.capturedMinor },
    ],
    overdraft: 'allow',
    heldDeltaMinor: -hold.amountMinor,
  });
}

/** Why the claim found nothing: unknown hold, too large an amount, a repeat, or a hold no longer active. */
async function explainRefusal(ctx: Ctx, owner: HoldOwner, holdId: string, requested: CaptureAmount, nowMs: number): Promise<CaptureResult> {
  const hold = await settledHold(ctx, owner, holdId, nowMs);
  if (requested !== 'all' && requested > hold.amountMinor) {
    throw fieldError('AMOUNT_INVALID', 'amount', `must be at most the held amount, ${formatMajor(hold.amountMinor, hold.currency)} ${hold.currency}`);
  }
  const verdict = judgeHoldTransition(hold.state, 'captured');
  // Still held, live and big enough after the guarded claim missed it: nothing may move a hold back to held.
  assert(verdict !== 'apply', `hold ${holdId} refused a capture while capturable`);
  const sameCapture = requested === 'all' || requested === hold.capturedMinor;
  if (verdict === 'refused' || !sameCapture) throw new PurseError('HOLD_NOT_ACTIVE');
  const transaction = await findTransaction(ctx.store.db, captureReference(hold.id));
  assert(transaction && transaction.id === hold.captureTransactionId, `captured hold ${hold.id} has its capture transaction`);
  return { hold: toHoldView(hold, nowMs), transaction: toTransactionView(transaction), wallet: await readWallet(ctx, hold.tenantId) };
}
