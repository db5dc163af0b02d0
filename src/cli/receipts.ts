import { writeFileSync } from 'node:fs';
import type { Ctx } from '../context.ts';
import { PurseError } from '../errors/purse-error.ts';
import { renderReceiptPdf } from '../receipts/receipt-pdf.ts';
import { listReceiptRows } from '../receipts/receipts-store.ts';
import { toReceiptView } from '../receipts/receipt-view.ts';
import type { ReceiptRow } from '../store/schema.ts';
import { type Options, UsageError, output } from './output.ts';

/** Issue 22: receipts and credit notes for operators, across tenants or for one (`--tenant`). */
const LIST_LIMIT = '50';

async function receiptByIdOrNumber(ctx: Ctx, idOrNumber: string): Promise<ReceiptRow> {
  const row = await ctx.store.db.selectFrom('receipts').selectAll().where((eb) => eb.or([eb('id', '=', idOrNumber), eb('number', '=', idOrNumber)])).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND', { message: `no receipt ${idOrNumber}` });
  return row;
}

/** `purse receipts list [--tenant T] [--json]`: the newest 50. */
export async function receiptsList(ctx: Ctx, opts: Options): Promise<void> {
  const rows = typeof opts.tenant === 'string'
    ? (await listReceiptRows(ctx.store.db, opts.tenant, { limit: LIST_LIMIT })).rows
    : await ctx.store.db.selectFrom('receipts').selectAll().orderBy('serial', 'desc').limit(Number(LIST_LIMIT)).execute();
  const views = rows.map((r) => toReceiptView(r, ctx.config.publicUrl));
  output(opts, views, views.map((v) => `${v.number}  ${v.kind.padEnd(11)}  ${v.issuedAt}  ${v.credited} ${v.currency}  ${v.orderId ?? v.attemptId ?? v.refundId ?? ''}  ${v.id}`).join('\n') || 'no receipts');
}

/** `purse receipts show <id|number> [--json]`. */
export async function receiptsShow(ctx: Ctx, opts: Options, [idOrNumber]: string[]): Promise<void> {
  const view = toReceiptView(await receiptByIdOrNumber(ctx, String(idOrNumber)), ctx.config.publicUrl);
  output(opts, view, Object.entries(view).map(([k, v]) => `${k}: ${typeof v === 'object' && v !== null ? JSON.stringify(v) : String(v)}`).join('\n'));
}

/** `purse receipts pdf <id|number> --out FILE [--lang en|pt-BR]`. */
export async function receiptsPdf(ctx: Ctx, opts: Options, [idOrNumber]: string[]): Promise<void> {
  const lang = opts.lang === undefined ? 'en' : opts.lang;
  if (lang !== 'en' && lang !== 'pt-BR') throw new UsageError('--lang must be en or pt-BR');
  const pdf = await renderReceiptPdf(ctx, await receiptByIdOrNumber(ctx, String(idOrNumber)), lang);
  const out = typeof opts.out === 'string' ? opts.out : pdf.fileName;
  writeFileSync(out, pdf.bytes);
  output(opts, { file: out, bytes: pdf.bytes.length }, `wrote ${out} (${pdf.bytes.length} bytes)`);
}
