import { PurseError, fieldError } from '../errors/purse-error.ts';
import { ulid } from '../ids/ids.ts';
import { toMajorNumber } from '../money/money.ts';
import { parseSignedAmount } from '../money/signed-amount.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../store/db.ts';
import { recordMoney } from '../events/money-transaction.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import type { LedgerTransaction, WalletAfter } from '../ledger/post-transaction.ts';
import { type TransactionView, toTransactionView } from './transaction-view.ts';

export const REASON_LENGTH_MAX = 500;
export const ADJUSTMENT_REFERENCE_LENGTH_MAX = 200;

export interface AdjustmentInput {
  /** Major units, string or JSON number; a leading minus takes money out. */
  amount?: unknown;
  reason: string;
  reference?: string | undefined;
  /** Lets a negative adjustment take the available balance below zero. */
  allowNegative?: boolean | undefined;
  /** Issue 23: rows to add to the adjustment's own commit (the console's audit entry), given the wallet after it. */
  alsoInCommit?: ((db: Db, walletAfter: WalletAfter | null, transaction: LedgerTransaction) => Promise<void>) | undefined;
}

export interface AdjustmentResult {
  created: boolean;
  transaction: TransactionView;
  /** Right after the adjustment; on a replay, the wallet as it is now. */
  wallet: { currency: string; balance: number; held: number; available: number };
}

/** An operator's manual correction: a ledger transaction against the currency's adjustments account. */
export async function adjustWallet(ctx: Ctx, tenantId: string, input: AdjustmentInput): Promise<AdjustmentResult> {
  const currency = await walletCurrency(ctx, tenantId);
  const amountMinor = parseSignedAmount(input.amount, currency);
  const reason = input.reason.trim();
  if (reason.length === 0) throw fieldError('VALIDATION_ERROR', 'reason', `must be 1 to ${REASON_LENGTH_MAX} characters`);
  // Namespaced so an operator's reference can never collide with an order id or a usage key.
  const reference = `adjustment:${tenantId}:${input.reference ?? ulid(ctx.nowMs())}`;
  const result = await recordMoney(ctx, {
    reference,
    kind: 'adjustment',
    tenantId,
    currency,
    description: reason,
    postings: [
      { accountId: walletAccountId(tenantId), amountMinor },
      { accountId: systemAccountId('adjustments', currency), amountMinor: -amountMinor },
    ],
    overdraft: amountMinor < 0n && input.allowNegative !== true ? 'forbid' : 'allow',
  }, async (m, posted) => {
    await m.emit({ type: 'wallet.adjusted', tenantId, data: adjustedData(posted.transaction, posted.walletAfter, reason) });
    await input.alsoInCommit?.(m.db, posted.walletAfter, posted.transaction);
  });
  if (!result.created) requireSameAdjustment(result.transaction, amountMinor, reason);
  const wallet = result.walletAfter ?? (await currentWallet(ctx, tenantId));
  return { created: result.created, transaction: toTransactionView(result.transaction), wallet: walletView(wallet, currency) };
}

async function walletCurrency(ctx: Ctx, tenantId: string): Promise<string> {
  const row = await ctx.store.db.selectFrom('wallets').select('currency').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row.currency;
}

async function currentWallet(ctx: Ctx, tenantId: string): Promise<WalletAfter> {
  const row = await ctx.store.db.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return { balanceMinor: row.balance_minor, heldMinor: row.held_minor };
}

/** A replay must be the same request; the same reference with another amount or reason is a mistake to surface. */
function requireSameAdjustment(existing: LedgerTransaction, amountMinor: bigint, reason: string): void {
  if (existing.kind === 'adjustment' && existing.walletAmountMinor === amountMinor && existing.description === reason) return;
  throw fieldError('CONFLICT', 'reference', 'was already used for a different adjustment');
}


function walletView(wallet: WalletAfter, currency: string): AdjustmentResult['wallet'] {
  return {
    currency,
    balance: toMajorNumber(wallet.balanceMinor, currency),
    held: toMajorNumber(wallet.heldMinor, currency),
    available: toMajorNumber(wallet.balanceMinor - wallet.heldMinor, currency),
  };
}

/** `wallet.adjusted` data: the transaction and the wallet right after it. */
function adjustedData(transaction: LedgerTransaction, after: WalletAfter | null, reason: string): Record<string, unknown> {
  const { currency } = transaction;
  return {
    transactionId: transaction.id,
    reference: transaction.reference,
    amount: toMajorNumber(transaction.walletAmountMinor, currency),
    reason,
    ...(after ? walletView(after, currency) : { currency }),
  };
}
