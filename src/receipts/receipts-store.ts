import { PurseError, fieldError } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import type { ReceiptRow } from '../store/schema.ts';

export const RECEIPT_PAGE_SIZE_DEFAULT = 50;
export const RECEIPT_PAGE_SIZE_MAX = 200;
const SERIAL_PATTERN = /^[1-9][0-9]{0,18}$/;

/** One tenant's receipt; another tenant's is indistinguishable from none (404). */
export async function findReceipt(db: Db, tenantId: string, id: string): Promise<ReceiptRow> {
  const row = await db.selectFrom('receipts').selectAll().where('id', '=', id).where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row;
}

/** Newest first, keyset on (tenant_id, serial). */
export async function listReceiptRows(db: Db, tenantId: string, query: { limit?: string | undefined; cursor?: string | undefined }): Promise<{ rows: ReceiptRow[]; nextCursor: string | null }> {
  const limit = query.limit === undefined ? RECEIPT_PAGE_SIZE_DEFAULT : Number(query.limit);
  if (!(Number.isInteger(limit) && limit >= 1 && limit <= RECEIPT_PAGE_SIZE_MAX)) throw fieldError('VALIDATION_ERROR', 'limit', `must be an integer from 1 to ${RECEIPT_PAGE_SIZE_MAX}`);
  const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await db.selectFrom('receipts').selectAll().where('tenant_id', '=', tenantId)
    .$if(before !== undefined, (qb) => qb.where('serial', '<', before!))
    .orderBy('serial', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { rows: page, nextCursor: rows.length > limit && last ? Buffer.from(String(last.serial)).toString('base64url') : null };
}

function decodeCursor(cursor: string): bigint {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!SERIAL_PATTERN.test(text)) throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor this endpoint issued');
  return BigInt(text);
}
