import { type Static, Type } from 'typebox';
import { toMajorNumber } from '../money/money.ts';
import { TRANSACTION_KINDS, type LedgerTransaction } from '../ledger/post-transaction.ts';

/** A ledger transaction as a tenant sees it: its effect on the tenant's wallet, in major units. */
export const TransactionSchema = Type.Object({
  id: Type.String({ examples: ['txn_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1'] }),
  reference: Type.String({ description: 'Unique per transaction: order id, usage idempotency key, Stripe id…' }),
  kind: Type.Enum(TRANSACTION_KINDS),
  amount: Type.Number({ description: 'Signed change to the wallet balance, major units', examples: [-1.25] }),
  balanceAfter: Type.Union([Type.Number(), Type.Null()], { description: 'Wallet balance right after it; null if the wallet did not move' }),
  currency: Type.String({ examples: ['BRL'] }),
  description: Type.Union([Type.String(), Type.Null()]),
  numberId: Type.Union([Type.String(), Type.Null()], { description: 'The number usage was attributed to' }),
  metadata: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  createdAt: Type.String({ format: 'date-time' }),
});

export type TransactionView = Static<typeof TransactionSchema>;

/** For response examples in the API reference: a usage debit of 0.25 BRL. */
export const TRANSACTION_EXAMPLE: TransactionView = {
  id: 'txn_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1', reference: 'usage:ten_01JD8ZPQ4M6N8P0R2S4T6V8X0Z:sms-batch-2041', kind: 'usage',
  amount: -0.25, balanceAfter: 49.75, currency: 'BRL', description: '5 SMS', numberId: null, metadata: { campaign: 'spring' },
  createdAt: '2026-03-01T12:00:00.000Z',
};

export function toTransactionView(t: LedgerTransaction): TransactionView {
  return {
    id: t.id,
    reference: t.reference,
    kind: t.kind,
    amount: toMajorNumber(t.walletAmountMinor, t.currency),
    balanceAfter: t.walletBalanceAfterMinor === null ? null : toMajorNumber(t.walletBalanceAfterMinor, t.currency),
    currency: t.currency,
    description: t.description,
    numberId: t.numberId,
    metadata: t.metadata,
    createdAt: new Date(t.createdAtMs).toISOString(),
  };
}

/** One transaction with the credit blocks it moved (SPEC §9.1). */
export const TransactionDetailSchema = Type.Object({
  ...TransactionSchema.properties,
  blocks: Type.Array(Type.Object({
    id: Type.String({ examples: ['cb_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1'] }),
    amount: Type.Number({ description: 'Signed change to this block, major units: negative where a debit drew from it' }),
  }), { description: 'The credit blocks this transaction moved, in draw-down order; their amounts sum to amount' }),
});

export type TransactionDetailView = Static<typeof TransactionDetailSchema>;

/** For response examples: the usage debit above, drawn from a promotional block, then a purchased one. */
export const TRANSACTION_DETAIL_EXAMPLE: TransactionDetailView = {
  ...TRANSACTION_EXAMPLE,
  blocks: [{ id: 'cb_01JD8ZR7PROMO0000000000000', amount: -0.1 }, { id: 'cb_01JD8ZS9TOPUP0000000000000', amount: -0.15 }],
};
