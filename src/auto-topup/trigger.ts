import type { MoneyTrx, WalletHook, WalletMoved } from '../events/money-moved.ts';
import type { Db } from '../store/db.ts';
import { newId } from '../ids/ids.ts';
import { minorStep } from '../money/currencies.ts';
import { armTrigger, configState, loadConfig, monthOf } from './config-store.ts';
import { chargeAmount } from './validate-config.ts';

/**
 * The wallet hook (ctx.walletHooks, events/money-transaction.ts): runs inside the database transaction of
 * every debit, capture, hold or adjustment, right after the wallet moved (SPEC §8.2); never on a clawback. A movement that leaves available ≥ threshold, or a wallet that is not armed, costs
 * nothing: the threshold came back with the wallet row. A crossing writes the attempt (pending) and disarms
 * the wallet in the same commit as the movement; the unique partial index on in-flight attempts makes a
 * second one impossible whatever the concurrency, across instances too (the insert does nothing).
 * The worker charges it, outside any transaction.
 */
export const startAutoTopupIfCrossed: WalletHook = Object.assign(async (m: MoneyTrx, moved: WalletMoved) => {
  if (!crossed(moved)) return;
  await startAttempt(m.db, moved.tenantId, moved.after.balanceMinor - moved.after.heldMinor, m.nowMs);
}, { leavesWalletRow: (moved: WalletMoved) => !crossed(moved) });

/**
 * Below the threshold of an armed wallet, through the tenant's own spending. A refund or dispute (clawback)
 * leaves the trigger armed: the tenant's next own spend below the line starts it.
 */
function crossed(moved: WalletMoved): boolean {
  if (moved.clawback === true) return false;
  const threshold = moved.after.watch.autoTopupThresholdMinor;
  return threshold !== null && moved.after.balanceMinor - moved.after.heldMinor < threshold;
}

/** Writes a pending attempt for the wallet's current shortfall and disarms the trigger. */
export async function startAttempt(trx: Db, tenantId: string, availableMinor: bigint, nowMs: number): Promise<string | undefined> {
  const config = await loadConfig(trx, tenantId);
  await armTrigger(trx, tenantId, null);
  if (!config || configState(config) !== 'active') return undefined;
  const id = newId('atu');
  const amountMinor = chargeAmount(
    { amountMinor: config.amount_minor, targetBalanceMinor: config.target_balance_minor },
    availableMinor,
    { minMinor: config.charge_min_minor, maxMinor: config.charge_max_minor },
    minorStep(config.currency),
  );
  const inserted = await trx.insertInto('auto_topup_attempts').values({
    id, tenant_id: tenantId, state: 'pending', amount_minor: amountMinor, currency: config.currency, month: monthOf(nowMs),
    payment_method_id: null, payment_intent_id: null, recovery_session_id: null, recovery_url: null,
    failure_code: null, failure_message: null, ledger_transaction_id: null, claimed_until_ms: null,
    created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), completed_at_ms: null,
  }).onConflict((oc) => oc.doNothing()).executeTakeFirst();
  return Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 1 ? id : undefined;
}
