import type { Ctx } from '../context.ts';
import type { ReceiptRow } from '../store/schema.ts';
import { type Lang, formatDate, formatMoney } from '../i18n/locale.ts';
import { labelsOf } from './labels.ts';
import { TITLE_SIZE_PT, BODY_SIZE_PT, businessHeader, fieldRow, renderPdf } from './pdf-document.ts';

export interface RenderedPdf {
  bytes: Buffer;
  fileName: string;
}

/** A receipt or credit note as PDF in `lang`: the operator's details, the customer, number, date, amounts. */
export async function renderReceiptPdf(ctx: Ctx, row: ReceiptRow, lang: Lang): Promise<RenderedPdf> {
  const tenant = await ctx.store.db.selectFrom('tenants').select(['name']).where('id', '=', row.tenant_id).executeTakeFirstOrThrow();
  const l = labelsOf(lang);
  const money = (minor: bigint, currency = row.currency) => formatMoney(minor, currency, lang);
  const title = `${row.kind === 'credit_note' ? l.creditNote : l.receipt} ${row.number}`;
  const bytes = await renderPdf(title, (doc) => {
    businessHeader(doc, ctx.config.receipts, l.taxId);
    doc.font('Helvetica-Bold').fontSize(TITLE_SIZE_PT).text(title).fontSize(BODY_SIZE_PT).moveDown();
    fieldRow(doc, l.number, row.number);
    fieldRow(doc, l.date, formatDate(Number(row.issued_at_ms), lang));
    fieldRow(doc, l.billedTo, [tenant.name, ...addressLines(row.billing_address)].join('\n'));
    doc.moveDown();
    fieldRow(doc, row.kind === 'credit_note' ? l.refund : row.attempt_id ? l.autoTopup : l.walletTopup, row.order_id ?? row.attempt_id ?? row.refund_id ?? '');
    fieldRow(doc, row.kind === 'credit_note' ? l.refunded : l.credited, money(row.credited_minor));
    if (row.tax_minor !== null) fieldRow(doc, l.tax, money(row.tax_minor));
    if (row.total_minor !== null) fieldRow(doc, l.total, money(row.total_minor));
    if (row.presentment_amount_minor !== null && row.presentment_currency) fieldRow(doc, l.presentment, money(row.presentment_amount_minor, row.presentment_currency));
    if (row.card_brand && row.card_last4) fieldRow(doc, l.card, `${row.card_brand} •••• ${row.card_last4}`);
    if (row.stripe_receipt_url) fieldRow(doc, l.stripeReceipt, row.stripe_receipt_url);
  });
  return { bytes, fileName: `${row.number}.pdf` };
}

/** The billing address as Checkout collected it (JSON of Stripe's address fields), one line per part. */
function addressLines(json: string | null): string[] {
  if (json === null) return [];
  const a = JSON.parse(json) as Record<string, string | null>;
  const cityLine = [a.postal_code, a.city, a.state].filter(Boolean).join(' ');
  return [a.name, a.line1, a.line2, cityLine, a.country].filter((s): s is string => typeof s === 'string' && s !== '');
}
