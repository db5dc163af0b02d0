import { PurseError, assert, fieldError } from '../errors/purse-error.ts';
import { checkIdempotencyKey } from '../idempotency/idempotency.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { recordMoney } from '../events/money-transaction.ts';
import { type LedgerTransaction, REFERENCE_LENGTH_MAX, type TransactionInput } from '../ledger/post-transaction.ts';
import { type TransactionView, toTransactionView } from './transaction-view.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { releasingLapsedHolds } from './expire-holds.ts';
import { type WalletView, readWallet, toWalletView } from './read-wallet.ts';
import { attributedNumber, normalizeMetadata, parseSpendAmount, sameMetadata } from './spend-input.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';

export interface UsageBody {
  amount?: unknown;
  description?: string | undefined;
  numberId?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface UsageResult {
  /** false: a retry of a debit already made, answered with the first transaction. */
  created: boolean;
  transaction: TransactionView;
  /** Right after the debit; on a retry, the wallet as it is now. */
  wallet: WalletView;
}

interface UsageRequest {
  amountMinor: bigint;
  numberId: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
}

/**
 * `POST /v1/billing/usage`: debit the available balance now. The Idempotency-Key, namespaced by tenant,
 * is the ledger reference, so the one ledger transaction is both the debit and the idempotency record:
 * a success costs exactly that transaction, and a retry reads back the first one (SPEC §3.1, §4).
 */
export async function debitUsage(ctx: Ctx, principal: Principal, body: UsageBody, idempotencyKey: string | string[] | undefined): Promise<UsageResult> {
  const { tenantId } = principal;
  const reference = usageReference(tenantId, idempotencyKey);
  const currency = await tenantCurrency(ctx, tenantId);
  const request: UsageRequest = {
    amountMinor: parseSpendAmount(body.amount, currency),
    numberId: await attributedNumber(ctx, principal, body.numberId),
    description: body.description ?? null,
    metadata: normalizeMetadata(body.metadata),
  };
  const input: TransactionInput = {
    reference, kind: 'usage', tenantId, numberId: request.numberId, currency,
    description: request.description, metadata: request.metadata,
    postings: [
      { accountId: walletAccountId(tenantId), amountMinor: -request.amountMinor },
      { accountId: systemAccountId('usage_revenue', currency), amountMinor: request.amountMinor },
    ],
    overdraft: 'forbid',
  };
  const result = await releasingLapsedHolds(ctx, tenantId, () => recordMoney(ctx, input));
  if (!result.created) {
    requireSameUsage(result.transaction, request);
    return { created: false, transaction: toTransactionView(result.transaction), wallet: await readWallet(ctx, tenantId) };
  }
  const after = result.walletAfter;
  assert(after && result.transaction.walletAmountMinor === -request.amountMinor, `${reference}: the debit moved the wallet by its amount`);
  return { created: true, transaction: toTransactionView(result.transaction), wallet: toWalletView(after.balanceMinor, after.heldMinor, currency) };
}

function usageReference(tenantId: string, header: string | string[] | undefined): string {
  const key = checkIdempotencyKey(header);
  if (key === undefined) {
    throw fieldError('IDEMPOTENCY_KEY_REQUIRED', 'Idempotency-Key', 'is required: a retry with the same key never debits twice');
  }
  const prefix = `usage:${tenantId}:`;
  // The key becomes the ledger reference, whose length is bounded; tenant ids have a fixed length.
  if (prefix.length + key.length > REFERENCE_LENGTH_MAX) {
    throw fieldError('VALIDATION_ERROR', 'Idempotency-Key', `must be at most ${REFERENCE_LENGTH_MAX - prefix.length} characters for usage`);
  }
  return prefix + key;
}

/** A retry must be the same request: compared against the stored transaction, so no second record is kept. */
function requireSameUsage(existing: LedgerTransaction, request: UsageRequest): void {
  const same = existing.kind === 'usage'
    && existing.walletAmountMinor === -request.amountMinor
    && existing.numberId === request.numberId
    && existing.description === request.description
    && sameMetadata(existing.metadata, request.metadata);
  if (!same) throw new PurseError('IDEMPOTENCY_KEY_REUSED');
}
