import type { ReceiptConfig } from '../config/config.ts';
import type { MoneyTrx, WalletHook, WalletMoved } from '../events/money-moved.ts';
import { newId } from '../ids/ids.ts';
import type { LedgerTransaction, TransactionKind } from '../ledger/post-transaction.ts';
import { toMajorNumber } from '../money/money.ts';
import type { ReceiptRow } from '../store/schema.ts';
import { crashPoint } from '../store/crash-points.ts';
import { assert } from '../errors/purse-error.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import { type ChargeFacts, takeChargeFacts } from './charge-facts.ts';
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
  const charge = takeChargeFacts(m, transaction.reference);
  if (charge) Object.assign(row, chargeColumns(charge));
  await insertReceipt(m.db, row);
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
  const text = precompiled(m.db, 'receipt_counters:next', () => 'update receipt_counters set last_number = last_number + 1 where scope = ? returning last_number');
  const row = (await runPrecompiled<{ last_number: bigint | number }>(m.db, text, [OPERATOR_SCOPE])).rows[0];
  assert(row !== undefined, `the receipt counter row '${OPERATOR_SCOPE}' exists`);
  return BigInt(row.last_number);
}

/** Every column, in the precompiled insert's order; `satisfies` makes a column added to the row type a compile error here. */
const RECEIPT_COLUMNS = Object.keys({
  id: 1, serial: 1, number: 1, kind: 1, tenant_id: 1, transaction_id: 1, order_id: 1, attempt_id: 1, refund_id: 1, currency: 1,
  credited_minor: 1, tax_minor: 1, total_minor: 1, presentment_amount_minor: 1, presentment_currency: 1, card_brand: 1, card_last4: 1,
  billing_address: 1, stripe_receipt_url: 1, issued_at_ms: 1,
} satisfies Record<keyof ReceiptRow, 1>) as Array<keyof ReceiptRow>;

async function insertReceipt(db: MoneyTrx['db'], row: ReceiptRow): Promise<void> {
  const text = precompiled(db, 'receipts:insert', () => `insert into receipts (${RECEIPT_COLUMNS.join(', ')}) values (${RECEIPT_COLUMNS.map(() => '?').join(', ')})`);
  await runPrecompiled(db, text, RECEIPT_COLUMNS.map((column) => row[column]));
}

/** What the payment provider said about the charge (charge-facts.ts), as receipt columns. */
function chargeColumns(facts: ChargeFacts): Partial<ReceiptRow> {
  return {
    total_minor: facts.totalMinor, tax_minor: facts.taxMinor,
    presentment_amount_minor: facts.presentment?.amountMinor ?? null, presentment_currency: facts.presentment?.currency ?? null,
    billing_address: facts.billingAddress === null ? null : JSON.stringify(facts.billingAddress),
  };
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
