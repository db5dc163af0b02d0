import { type Static, Type } from 'typebox';
import { toMajorNumber } from '../money/money.ts';
import type { ReceiptRow } from '../store/schema.ts';

const nullable = <T extends ReturnType<typeof Type.String>>(s: T) => Type.Union([s, Type.Null()]);
const money = (description: string) => Type.Number({ description: `${description} (major units)` });

export const ReceiptSchema = Type.Object({
  id: Type.String({ description: 'rcp_…' }),
  number: Type.String({ description: 'Gapless per operator: `{prefix}-{000001}`' }),
  kind: Type.String({ enum: ['receipt', 'credit_note'] }),
  orderId: nullable(Type.String({ description: 'cto_… of a Checkout top-up' })),
  attemptId: nullable(Type.String({ description: 'atu_… of an auto top-up' })),
  refundId: nullable(Type.String({ description: 'The refund a credit note documents' })),
  credited: money('Credited to (receipt) or taken from (credit note) the wallet'),
  tax: Type.Union([money('Tax charged'), Type.Null()]),
  total: Type.Union([money('Total charged'), Type.Null()]),
  currency: Type.String({ description: 'ISO 4217, the account currency' }),
  presentment: Type.Union([Type.Object({ amount: money('Charged in the presentment currency'), currency: Type.String() }), Type.Null()]),
  card: Type.Union([Type.Object({ brand: Type.String(), last4: Type.String() }), Type.Null()]),
  billingAddress: Type.Union([Type.Record(Type.String(), Type.Union([Type.String(), Type.Null()])), Type.Null()]),
  issuedAt: Type.String({ format: 'date-time' }),
  stripeReceiptUrl: nullable(Type.String()),
  pdfUrl: Type.String(),
});
export type ReceiptView = Static<typeof ReceiptSchema>;

export function receiptPdfUrl(publicUrl: string, id: string): string {
  return `${publicUrl.replace(/\/$/, '')}/v1/billing/receipts/${id}.pdf`;
}

export function toReceiptView(row: ReceiptRow, publicUrl: string): ReceiptView {
  const major = (minor: bigint | null) => (minor === null ? null : toMajorNumber(minor, row.currency));
  return {
    id: row.id, number: row.number, kind: row.kind, orderId: row.order_id, attemptId: row.attempt_id, refundId: row.refund_id,
    credited: toMajorNumber(row.credited_minor, row.currency), tax: major(row.tax_minor), total: major(row.total_minor), currency: row.currency,
    presentment: row.presentment_amount_minor !== null && row.presentment_currency !== null
      ? { amount: toMajorNumber(row.presentment_amount_minor, row.presentment_currency), currency: row.presentment_currency } : null,
    card: row.card_brand !== null && row.card_last4 !== null ? { brand: row.card_brand, last4: row.card_last4 } : null,
    billingAddress: row.billing_address === null ? null : (JSON.parse(row.billing_address) as Record<string, string | null>),
    issuedAt: new Date(Number(row.issued_at_ms)).toISOString(),
    stripeReceiptUrl: row.stripe_receipt_url,
    pdfUrl: receiptPdfUrl(publicUrl, row.id),
  };
}
