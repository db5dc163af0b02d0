import { type Static, Type } from 'typebox';
import { toMajorNumber } from '../money/money.ts';
import { type Lang, formatMoney } from '../i18n/locale.ts';
import type { ReceiptConfig } from '../config/config.ts';
import { kindLabel, labelsOf } from './labels.ts';
import { BODY_SIZE_PT, TITLE_SIZE_PT, businessHeader, fieldRow, renderPdf } from './pdf-document.ts';
import type { Statement } from './statement.ts';
import { csvText, fixedMajor } from './transactions-csv.ts';
import { minorDigits } from '../money/currencies.ts';

const money = (description: string) => Type.Number({ description: `${description} (major units)` });
export const StatementSchema = Type.Object({
  period: Type.String({ description: 'YYYY-MM (UTC)' }),
  currency: Type.String(),
  opening: money('Balance when the month began'),
  credits: money('Into the wallet during the month'),
  debits: money('Out of the wallet during the month (positive)'),
  closing: money('opening + credits − debits: the balance when the month ended (for the current month: now)'),
  lines: Type.Array(Type.Object({
    kind: Type.String({ description: 'Ledger kind (a kind added later reads as "Other (kind)")' }),
    description: Type.String(), count: Type.Number(), amount: money('Signed: positive credits, negative debits'),
  })),
});
export type StatementView = Static<typeof StatementSchema>;

export function toStatementView(s: Statement, lang: Lang): StatementView {
  const major = (minor: bigint) => toMajorNumber(minor, s.currency);
  return {
    period: s.period, currency: s.currency, opening: major(s.openingMinor), credits: major(s.creditsMinor), debits: major(s.debitsMinor), closing: major(s.closingMinor),
    lines: s.lines.map((l) => ({ kind: l.kind, description: kindLabel(l.kind, lang), count: l.count, amount: major(l.amountMinor) })),
  };
}

/** RFC 4180: a header, the opening row, one row per line, the credits, debits and closing rows. */
export function statementCsv(s: Statement, lang: Lang): string {
  const l = labelsOf(lang);
  const digits = minorDigits(s.currency);
  const row = (cells: string[]) => `${cells.map((c) => csvText(c)).join(',')}\r\n`;
  const amount = (minor: bigint) => fixedMajor(minor, digits);
  return [
    row(['period', 'kind', 'description', 'count', 'amount', 'currency']),
    row([s.period, 'opening', l.opening, '', amount(s.openingMinor), s.currency]),
    ...s.lines.map((line) => row([s.period, line.kind, kindLabel(line.kind, lang), String(line.count), amount(line.amountMinor), s.currency])),
    row([s.period, 'credits', l.credits, '', amount(s.creditsMinor), s.currency]),
    row([s.period, 'debits', l.debits, '', amount(-s.debitsMinor), s.currency]),
    row([s.period, 'closing', l.closing, '', amount(s.closingMinor), s.currency]),
  ].join('');
}

export function statementPdf(s: Statement, lang: Lang, business: ReceiptConfig, tenantName: string): Promise<Buffer> {
  const l = labelsOf(lang);
  const m = (minor: bigint) => formatMoney(minor, s.currency, lang);
  const title = `${l.statement} ${s.period}`;
  return renderPdf(title, (doc) => {
    businessHeader(doc, business, l.taxId);
    doc.font('Helvetica-Bold').fontSize(TITLE_SIZE_PT).text(title).fontSize(BODY_SIZE_PT).moveDown();
    fieldRow(doc, l.billedTo, tenantName);
    fieldRow(doc, l.period, s.period);
    doc.moveDown();
    fieldRow(doc, l.opening, m(s.openingMinor));
    for (const line of s.lines) fieldRow(doc, `${kindLabel(line.kind, lang)} (${line.count})`, m(line.amountMinor));
    fieldRow(doc, l.credits, m(s.creditsMinor));
    fieldRow(doc, l.debits, m(s.debitsMinor));
    fieldRow(doc, l.closing, m(s.closingMinor));
  });
}
