import { toMajorNumber } from '../money/money.ts';
import type { Db } from '../store/db.ts';
import type { MoneyTrx, WalletHook, WalletMoved } from './money-moved.ts';

/** What one wallet move means for the edge-triggered wallet events; each field is null when nothing changes. */
export interface CrossingPlan {
  lowBalance: 'fire' | 'rearm' | null;
  depleted: 'fire' | 'rearm' | null;
  debited: boolean;
}

const DEBIT_KINDS: readonly string[] = ['usage', 'hold_capture'];

/**
 * Pure: from the wallet as the move left it (flags included, read under the row lock by the same
 * statement), which flags flip. An event fires only on a move that took available down across its line
 * while armed; a move that brings it back above re-arms. Everything else — the common case — is nothing.
 */
export function planCrossings(moved: WalletMoved): CrossingPlan {
  const { balanceMinor, heldMinor, watch } = moved.after;
  const availableMinor = balanceMinor - heldMinor;
  const fell = moved.availableDeltaMinor < 0n;
  let lowBalance: CrossingPlan['lowBalance'] = null;
  if (watch.lowBalanceMinor !== null) {
    const below = availableMinor < watch.lowBalanceMinor;
    if (below && fell && watch.lowBalanceArmed) lowBalance = 'fire';
    else if (!below && !watch.lowBalanceArmed) lowBalance = 'rearm';
  }
  let depleted: CrossingPlan['depleted'] = null;
  if (availableMinor <= 0n && fell && watch.depletedArmed) depleted = 'fire';
  else if (availableMinor > 0n && !watch.depletedArmed) depleted = 'rearm';
  const debited = watch.debitedSubscribed && moved.transaction !== null && DEBIT_KINDS.includes(moved.transaction.kind);
  return { lowBalance, depleted, debited };
}

/**
 * The built-in wallet hook: wallet.low_balance, wallet.depleted and (when subscribed) wallet.debited.
 * Writes nothing unless a line is crossed. The flag flips under the wallet row lock this transaction
 * already holds, so of any number of concurrent debits exactly one sees the flag armed and fires.
 */
export const emitWalletCrossings: WalletHook = Object.assign(crossWalletLines, {
  // Only a flag flip touches the row; the debited event does not.
  leavesWalletRow: (moved: WalletMoved) => {
    const plan = planCrossings(moved);
    return plan.lowBalance === null && plan.depleted === null;
  },
});

async function crossWalletLines(m: MoneyTrx, moved: WalletMoved): Promise<void> {
  const plan = planCrossings(moved);
  if (plan.lowBalance !== null && (await flipFlag(m.db, moved.tenantId, 'low_balance_armed', plan.lowBalance)) && plan.lowBalance === 'fire') {
    await m.emit({ type: 'wallet.low_balance', tenantId: moved.tenantId, data: { ...walletData(moved), lowBalance: toMajorNumber(moved.after.watch.lowBalanceMinor ?? 0n, moved.currency) } });
  }
  if (plan.depleted !== null && (await flipFlag(m.db, moved.tenantId, 'depleted_armed', plan.depleted)) && plan.depleted === 'fire') {
    await m.emit({ type: 'wallet.depleted', tenantId: moved.tenantId, data: walletData(moved) });
  }
  if (plan.debited && moved.transaction) {
    const t = moved.transaction;
    await m.emit({
      type: 'wallet.debited', tenantId: moved.tenantId,
      data: { transactionId: t.id, kind: t.kind, amount: toMajorNumber(-t.walletAmountMinor, t.currency), numberId: t.numberId, description: t.description, ...walletData(moved) },
    });
  }
}

/** Guarded, so a flag only ever flips once per crossing; true when this call flipped it. */
async function flipFlag(db: Db, tenantId: string, flag: 'low_balance_armed' | 'depleted_armed', to: 'fire' | 'rearm'): Promise<boolean> {
  const [from, next] = to === 'fire' ? [1n, 0n] : [0n, 1n];
  const result = await db.updateTable('wallets').set({ [flag]: next }).where('tenant_id', '=', tenantId).where(flag, '=', from).executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

function walletData(moved: WalletMoved): Record<string, unknown> {
  const { balanceMinor, heldMinor } = moved.after;
  return {
    currency: moved.currency,
    balance: toMajorNumber(balanceMinor, moved.currency),
    held: toMajorNumber(heldMinor, moved.currency),
    available: toMajorNumber(balanceMinor - heldMinor, moved.currency),
  };
}
