import { PurseError, assert } from '../errors/purse-error.ts';
import { moneyTrx } from '../events/money-transaction.ts';
import { transact } from '../store/db.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { settledHold } from './expire-holds.ts';
import { judgeHoldTransition } from './hold-states.ts';
import { type HoldView, toHoldView } from './hold-view.ts';
import { closeHold, holdOwnerOf, releaseHeld } from './holds-store.ts';
import { type WalletView, readWallet, toWalletView } from './read-wallet.ts';

export interface VoidResult {
  hold: HoldView;
  /** Right after the release; on a repeat, the wallet as it is now. */
  wallet: WalletView;
}

/** `POST /v1/billing/holds/{id}/void`: release a live hold's reservation; repeating it is a no-op. */
export async function voidHold(ctx: Ctx, principal: Principal, holdId: string): Promise<VoidResult> {
  const owner = holdOwnerOf(principal);
  const nowMs = ctx.nowMs();
  const voided = await transact(ctx.store.db, async (trx) => {
    const hold = await closeHold(trx, holdId, owner, 'voided', nowMs);
    if (!hold) return undefined;
    const wallet = await releaseHeld(trx, hold.tenantId, hold.amountMinor, nowMs);
    await moneyTrx(ctx, trx, nowMs).walletMoved({ tenantId: hold.tenantId, currency: hold.currency, availableDeltaMinor: hold.amountMinor, after: wallet, transaction: null });
    return { hold, wallet };
  }, { key: owner.tenantId });
  if (voided) {
    const { hold, wallet } = voided;
    return { hold: toHoldView(hold, nowMs), wallet: toWalletView(wallet.balanceMinor, wallet.heldMinor, hold.currency) };
  }
  // Unknown (404), lapsed (expired now, 409), already voided (repeat) or captured/expired (409).
  const hold = await settledHold(ctx, owner, holdId, nowMs);
  const verdict = judgeHoldTransition(hold.state, 'voided');
  assert(verdict !== 'apply', `hold ${holdId} refused a void while voidable`);
  if (verdict === 'refused') throw new PurseError('HOLD_NOT_ACTIVE');
  return { hold: toHoldView(hold, nowMs), wallet: await readWallet(ctx, hold.tenantId) };
}
