import { PurseError } from '../errors/purse-error.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import { type HoldView, toHoldView } from './hold-view.ts';
import { findHold, holdOwnerOf } from './holds-store.ts';

/** `GET /v1/billing/holds/{id}`: another tenant's hold, or another number's for a number key, is a 404. */
export async function readHold(ctx: Ctx, principal: Principal, holdId: string): Promise<HoldView> {
  const hold = await findHold(ctx.store.db, holdOwnerOf(principal), holdId);
  if (!hold) throw new PurseError('NOT_FOUND');
  return toHoldView(hold, ctx.nowMs());
}
