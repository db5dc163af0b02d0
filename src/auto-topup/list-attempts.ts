import { fieldError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { type AttemptView, toAttemptView } from './views.ts';

export const ATTEMPTS_PAGE_SIZE_DEFAULT = 20;
export const ATTEMPTS_PAGE_SIZE_MAX = 100;
const LIMIT_PATTERN = /^[0-9]+$/;
const ATTEMPT_ID_PATTERN = /^atu_[0-9A-HJKMNP-TV-Z]{26}$/;

export interface AttemptPage {
  data: AttemptView[];
  nextCursor: string | null;
}

/** `GET /v1/billing/auto-topup/attempts`: newest first; ids are ULIDs, so the cursor is the last id seen. */
export async function listAttempts(ctx: Ctx, tenantId: string, query: { limit?: string | undefined; cursor?: string | undefined }): Promise<AttemptPage> {
  const limit = query.limit === undefined ? ATTEMPTS_PAGE_SIZE_DEFAULT : LIMIT_PATTERN.test(query.limit) ? Number(query.limit) : NaN;
  if (!(limit >= 1 && limit <= ATTEMPTS_PAGE_SIZE_MAX)) throw fieldError('VALIDATION_ERROR', 'limit', `must be an integer from 1 to ${ATTEMPTS_PAGE_SIZE_MAX}`);
  const before = query.cursor === undefined ? undefined : decodeCursor(query.cursor);
  const rows = await ctx.store.reader().selectFrom('auto_topup_attempts').selectAll()
    .where('tenant_id', '=', tenantId)
    .$if(before !== undefined, (qb) => qb.where('id', '<', before!))
    .orderBy('id', 'desc').limit(limit + 1).execute();
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return { data: page.map(toAttemptView), nextCursor: rows.length > limit && last ? Buffer.from(last.id).toString('base64url') : null };
}

function decodeCursor(cursor: string): string {
  const id = Buffer.from(cursor, 'base64url').toString('utf8');
  if (!ATTEMPT_ID_PATTERN.test(id) || Buffer.from(id).toString('base64url') !== cursor) {
    throw fieldError('CURSOR_INVALID', 'cursor', 'is not a cursor returned by this endpoint');
  }
  return id;
}
