import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { moveMoney } from '../events/money-transaction.ts';
import type { Ctx } from '../context.ts';
import type { PaymentOutcome } from '../gateway/payment-gateway.ts';
import type { Db } from '../store/db.ts';
import { type AttemptRow, attemptState, loadAttempt, moveConfig, rearmIfActive } from './config-store.ts';
import { emitAutoTopupEvent } from './events.ts';
import { type AttemptState, attemptStatesBefore, judgeAttempt } from './states.ts';

export type CreditOutcome = 'credited' | 'already_credited' | 'unknown_attempt' | 'amount_mismatch' | 'refused';

export function autoTopupReference(attemptId: string): string {
  return `auto_topup:${attemptId}`;
}

/** What the provider says was paid: checked against the attempt before anything is credited. */
export type PaidIntent = Pick<PaymentOutcome, 'paymentId' | 'amountMinor' | 'currency'>;

/**
 * Credits a paid attempt exactly once, whichever comes first or both: the worker's confirm response or
 * `payment_intent.succeeded` (also the recovery Checkout's payment). The guarded move to `succeeded` locks
 * the attempt row, so a racing second caller finds it already succeeded; the ledger reference
 * `auto_topup:{attemptId}` is the second guard. The credit, the move, the resumed config and the event
 * commit together. The amount credited is the attempt's own, never what the event says.
 */
export async function creditAttempt(ctx: Ctx, attemptId: string, intent: PaidIntent): Promise<CreditOutcome> {
  const attempt = await loadAttempt(ctx.store.db, attemptId);
  if (!attempt) return 'unknown_attempt';
  if (intent.amountMinor !== attempt.amount_minor || intent.currency.toUpperCase() !== attempt.currency) {
    ctx.log.error({ attemptId, attemptAmountMinor: String(attempt.amount_minor), intentAmountMinor: String(intent.amountMinor), intentCurrency: intent.currency },
      'ALERT: auto top-up payment amount or currency disagrees with the attempt; not credited');
    return 'amount_mismatch';
  }
  const once = await moveMoney(ctx, async (m): Promise<CreditOutcome> => {
    const { db: trx, nowMs } = m;
    const moved = await moveAttempt(trx, attempt.id, 'succeeded', nowMs, { payment_intent_id: intent.paymentId });
    if (!moved) return judgeAttempt(attemptState((await loadAttempt(trx, attempt.id)) ?? attempt), 'succeeded') === 'repeat' ? 'already_credited' : 'refused';
    const { transaction } = await m.post(creditInput(attempt));
    await trx.updateTable('auto_topup_attempts').set({ ledger_transaction_id: transaction.id }).where('id', '=', attempt.id).execute();
    await trx.updateTable('auto_topup_configs').set({ consecutive_failures: 0n, updated_at_ms: BigInt(nowMs) }).where('tenant_id', '=', attempt.tenant_id).execute();
    await resumeAfterRecovery(trx, attempt, nowMs);
    await rearmIfActive(trx, attempt.tenant_id);
    await emitAutoTopupEvent(trx, 'auto_topup.succeeded', attempt, { paymentIntentId: intent.paymentId, transactionId: transaction.id }, nowMs);
    return 'credited';
  }, { key: attempt.tenant_id });
  // A duplicate reference cannot get past the guarded move; were it to, the credit already exists.
  return once.created ? once.value : 'already_credited';
}

function creditInput(attempt: AttemptRow) {
  return {
    reference: autoTopupReference(attempt.id),
    kind: 'auto_topup' as const,
    tenantId: attempt.tenant_id,
    currency: attempt.currency,
    description: 'Auto top-up',
    metadata: { autoTopupAttemptId: attempt.id },
    postings: [
      { accountId: walletAccountId(attempt.tenant_id), amountMinor: attempt.amount_minor },
      { accountId: systemAccountId('stripe_clearing', attempt.currency), amountMinor: -attempt.amount_minor },
    ],
    overdraft: 'allow' as const,
  };
}

/** The attempt that paused auto top-up for authentication was paid on-session: auto top-up is active again. */
async function resumeAfterRecovery(trx: Db, attempt: AttemptRow, nowMs: number): Promise<void> {
  await moveConfig(trx, attempt.tenant_id, { from: ['paused'], to: 'active', nowMs, patch: { paused_reason: null, recovery_attempt_id: null }, only: { recovery_attempt_id: attempt.id } });
}

export type AttemptPatch = Partial<Pick<AttemptRow,
  'payment_intent_id' | 'payment_method_id' | 'failure_code' | 'failure_message' | 'recovery_session_id' | 'recovery_url' | 'claimed_until_ms' | 'amount_minor'>>;

const FINAL_STATES: readonly AttemptState[] = ['succeeded', 'failed', 'capped', 'canceled'];

/** One guarded move of the attempt state machine: applied only from a state the table allows. */
export async function moveAttempt(trx: Db, attemptId: string, to: AttemptState, nowMs: number, patch: AttemptPatch = {}): Promise<boolean> {
  const result = await trx.updateTable('auto_topup_attempts')
    .set({ ...patch, state: to, updated_at_ms: BigInt(nowMs), ...(FINAL_STATES.includes(to) ? { completed_at_ms: BigInt(nowMs), claimed_until_ms: null } : {}) })
    .where('id', '=', attemptId).where('state', 'in', attemptStatesBefore(to)).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}
