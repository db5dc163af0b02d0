import { fieldError } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import { type CardView, toCardView } from './cards-store.ts';

export const CARDS_PAGE_SIZE_DEFAULT = 100;
export const CARDS_PAGE_SIZE_MAX = 100;
const LIMIT_PATTERN = /^[0-9]+$/;
const CARD_ID_PATTERN = /^pm_[A-Za-z0-9_]{1,250}$/;

export interface CardPage {
  data: CardView[];
  nextCursor: string | null;
}

/** Where the last page ended, in the list's order: default first, then oldest first, then by id. */
interface CardPosition {
  isDefault: bigint;
  createdAtMs: bigint;
  id: string;
}

/**
 * `GET /v1/billing/payment-methods`: the tenant's live cards, default first, in pages (`limit`, `cursor`).
 * The cursor names the last card's place in that order, so a page after a change of default may skip or
 * repeat a card, never fail.
 */
export async function listPaymentMethods(db: Db, tenantId: string, query: { limit?: string | undefined; cursor?: string | undefined }): Promise<CardPage> {
  const limit = query.limit === undefined ? CARDS_PAGE_SIZE_DEFAULT : LIMIT_PATTERN.test(query.limit) ? Number(query.limit) : NaN;
  if (!(limit >= 1 && limit <= CARDS_PAGE_SIZE_MAX)) throw fieldError('VALIDATION_ERROR', 'limit', `must be an integer from 1 to ${CARDS_PAGE_SIZE_MAX}`);
  const after = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await db.selectFrom('payment_methods').selectAll()
    .where('tenant_id', '=', tenantId).where('removed_at_ms', 'is', null)
    .$if(after !== undefined, (qb) => qb.where((eb) => eb.or([
      eb('is_default', '<', after!.isDefault),
      eb.and([eb('is_default', '=', after!.isDefault), eb('created_at_ms', '>', after!.createdAtMs)]),
      eb.and([eb('is_default', '=', after!.isDefault), eb('created_at_ms', '=', after!.createdAtMs), eb('id', '>', after!.id)]),
    ])))
    .orderBy('is_default', 'desc').orderBy('created_at_ms', 'asc').orderBy('id', 'asc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(toCardView), nextCursor: rows.length > limit && last ? encodeCursor({ isDefault: last.is_default, createdAtMs: last.created_at_ms, id: last.id }) : null };
}

function encodeCursor(position: CardPosition): string {
  return Buffer.from(`${position.isDefault}.${position.createdAtMs}.${position.id}`).toString('base64url');
}

function decodeCursor(cursor: string): CardPosition {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^([01])\.([0-9]{1,16})\.(.+)$/.exec(text);
  if (!match || !CARD_ID_PATTERN.test(match[3]!) || Buffer.from(text).toString('base64url') !== cursor) {
    throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor returned by this endpoint');
  }
  return { isDefault: BigInt(match[1]!), createdAtMs: BigInt(match[2]!), id: match[3]! };
}
