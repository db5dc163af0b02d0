import type { ReceiptConfig } from '../config/config.ts';
import type { MoneyTrx, WalletHook, WalletMoved } from '../events/money-moved.ts';
import { newId } from '../ids/ids.ts';
import type { LedgerTransaction, TransactionKind } from '../ledger/post-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import type { ReceiptRow } from '../store/schema.ts';
import { crashPoint } from '../store/crash-points.ts';
import { receiptPdfUrl } from './receipt-view.ts';

export type ReceiptKind = 'receipt' | 'credit_note';

/** Which ledger kinds are documented, and by what: a paid credit by a receipt, a refund by a credit note. */
const DOCUMENTED_KINDS: Partial<Record<TransactionKind, ReceiptKind>> = {
  topup: 'receipt',
  auto_topup: 'receipt',
  refund_clawback: 'credit_note',
};

/** The one numbering scope: numbers are gapless per operator (SPEC §9.2), and one Purse is one operator. */
export const OPERATOR_SCOPE = 'operator';
const NUMBER_DIGITS = 6;

export function formatReceiptNumber(prefix: string, serial: bigint): string {
  return `${prefix}-${serial.toString().padStart(NUMBER_DIGITS, '0')}`;
}

/**
 * The wallet hook that issues receipts (registered in open-ctx.ts): it runs inside the money transaction
 * that credits a top-up or auto top-up, or claws back a refund, so the document commits with the money or
 * not at all — a crash cannot leave one without the other. The number comes from the counter row in the
 * same transaction: the row lock orders issuers across instances, a rollback returns the number.
 */
export function receiptIssuer(config: { receipts: ReceiptConfig; publicUrl: string }): WalletHook {
  const hook: WalletHook = async (m, moved) => {
    const kind = moved.transaction ? DOCUMENTED_KINDS[moved.transaction.kind] : undefined;
    if (kind && moved.transaction) await issueReceipt(m, config, kind, moved);
  };
  // Never touches the wallet row: the usage hot path keeps its one-statement runs (money-moved.ts).
  hook.leavesWalletRow = () => true;
  return hook;
}

async function issueReceipt(m: MoneyTrx, config: { receipts: ReceiptConfig; publicUrl: string }, kind: ReceiptKind, moved: WalletMoved): Promise<void> {
  const transaction = moved.transaction as LedgerTransaction;
  const serial = await nextSerial(m);
  const row = receiptRow(transaction, kind, serial, config.receipts.prefix, m.nowMs);
  if (row.attempt_id !== null && kind === 'receipt') Object.assign(row, await autoTopupCharge(m, row.attempt_id));
  await m.db.insertInto('receipts').values(row).execute();
  crashPoint('receipt:after-issue');
  await m.emit({
    type: 'receipt.issued', tenantId: row.tenant_id,
    data: {
      receiptId: row.id, number: row.number, kind, credited: toMajorNumber(row.credited_minor, row.currency), currency: row.currency,
      orderId: row.order_id, attemptId: row.attempt_id, refundId: row.refund_id, transactionId: row.transaction_id,
      pdfUrl: receiptPdfUrl(config.publicUrl, row.id),
    },
  });
}

/**
 * An auto top-up charges the attempt's amount to the saved card, with no tax added (SPEC §8.2): its receipt
 * shows that total and a zero tax like a Checkout receipt, and the card the attempt charged. The provider's
 * receipt link follows (charge-details.ts).
 */
async function autoTopupCharge(m: MoneyTrx, attemptId: string): Promise<Partial<ReceiptRow>> {
  const attempt = await m.db.selectFrom('auto_topup_attempts as a').leftJoin('payment_methods as p', 'p.id', 'a.payment_method_id')
    .select(['a.amount_minor', 'p.brand', 'p.last4']).where('a.id', '=', attemptId).executeTakeFirst();
  if (!attempt) return {};
  return { total_minor: attempt.amount_minor, tax_minor: 0n, card_brand: attempt.brand ?? null, card_last4: attempt.last4 ?? null };
}

/** The next number: a conditional UPDATE of the scope's counter row, locked until this transaction ends. */
export async function nextSerial(m: Pick<MoneyTrx, 'db'>): Promise<bigint> {
  const row = await m.db.updateTable('receipt_counters')
    .set((eb) => ({ last_number: eb('last_number', '+', 1n) }))
    .where('scope', '=', OPERATOR_SCOPE)
    .returning('last_number')
    .executeTakeFirstOrThrow();
  return BigInt(row.last_number);
}

function receiptRow(t: LedgerTransaction, kind: ReceiptKind, serial: bigint, prefix: string, nowMs: number): ReceiptRow {
  const meta = t.metadata ?? {};
  return {
    id: newId('rcp'), serial, number: formatReceiptNumber(prefix, serial), kind,
    tenant_id: t.tenantId as string, transaction_id: t.id,
    order_id: meta.orderId ?? null, attempt_id: meta.autoTopupAttemptId || null,
    refund_id: kind === 'credit_note' ? t.reference : null,
    currency: t.currency,
    credited_minor: t.walletAmountMinor < 0n ? -t.walletAmountMinor : t.walletAmountMinor,
    tax_minor: null, total_minor: null, presentment_amount_minor: null, presentment_currency: null,
    card_brand: null, card_last4: null, billing_address: null, stripe_receipt_url: null,
    issued_at_ms: BigInt(nowMs),
  };
}
