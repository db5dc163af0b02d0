import { sql } from 'kysely';
import type { Ctx } from '../context.ts';
import { PurseError, assert } from '../errors/purse-error.ts';
import { moveMoney } from '../events/money-transaction.ts';
import type { MoneyTrx } from '../events/money-moved.ts';
import { type SystemAccountKind, systemAccountId } from '../ledger/accounts.ts';
import { toMajorNumber } from '../money/money.ts';
import { type BlockRow, type CreditBlockView, blockEventData, toBlockView } from './credit-blocks-store.ts';

/** Blocks ended per run of the expiry job; a backlog drains over the next runs. */
export const CREDIT_EXPIRY_BATCH_MAX = 500;
/** `credit.expiring` goes out once, this long before a block's expiry (SPEC §9.1). */
export const CREDIT_EXPIRING_NOTICE_MS = 7 * 86_400_000;

type Ending = 'expired' | 'voided';

interface EndPlan {
  ending: Ending;
  reference: string;
  kind: 'credit_expiry' | 'credit_void';
  account: SystemAccountKind;
  reason: string | null;
}

/**
 * Ends one block: the state machine's only move out of `active` (active → expired | voided), as a guarded
 * UPDATE in the same transaction as the ledger transaction taking its remainder out of the wallet
 * (reference `credit_expiry:{id}` / `credit_void:{id}`, drawn from that block first by its intent) and the
 * outbox event. Lock order as every money path: the wallet row first, then the block. The remainder leaves
 * with overdraft forbidden, so an amount an active hold reserves is never taken: the whole transaction
 * refuses (INSUFFICIENT_FUNDS) and the block stays active until the hold ends. Null when it was not active.
 */
async function endBlock(m: MoneyTrx, blockId: string, plan: EndPlan): Promise<BlockRow | null> {
  const head = await m.db.selectFrom('credit_blocks').select(['account_id']).where('id', '=', blockId).executeTakeFirst();
  if (!head) return null;
  await sql`update wallets set updated_at_ms = updated_at_ms where account_id = ${head.account_id}`.execute(m.db);
  const block = await m.db.selectFrom('credit_blocks').selectAll().where('id', '=', blockId).where('state', '=', 'active').executeTakeFirst();
  if (!block || block.category === 'deficit') return null;
  const remaining = BigInt(block.remaining_minor);
  let transactionId: string | null = null;
  if (remaining > 0n) {
    await m.db.insertInto('credit_block_intents').values({ reference: plan.reference, first_block_id: blockId, category: null, priority: null, expires_at_ms: null, cost_basis_minor: null, order_id: null, attempt_id: null, reason: null }).execute();
    const posted = await m.post({
      reference: plan.reference, kind: plan.kind, tenantId: block.tenant_id, currency: block.currency, description: plan.reason,
      postings: [{ accountId: block.account_id, amountMinor: -remaining }, { accountId: systemAccountId(plan.account, block.currency), amountMinor: remaining }],
      overdraft: 'forbid',
    });
    transactionId = posted.transaction.id;
  }
  const ended = await m.db.updateTable('credit_blocks').set({ state: plan.ending, ended_at_ms: BigInt(m.nowMs) })
    .where('id', '=', blockId).where('state', '=', 'active').where('remaining_minor', '=', 0n).executeTakeFirst();
  assert(ended.numUpdatedRows === 1n, `block ${blockId} was emptied by its own transaction and ended once`);
  const data = { ...blockEventData(block), remaining: 0, transactionId };
  const gone = toMajorNumber(remaining, block.currency);
  if (plan.ending === 'expired') await m.emit({ type: 'credit.expired', tenantId: block.tenant_id, data: { ...data, expired: gone } });
  else await m.emit({ type: 'credit.voided', tenantId: block.tenant_id, data: { ...data, voided: gone, reason: plan.reason ?? '' } });
  return { ...block, state: plan.ending, remaining_minor: 0n };
}

/** `POST /v1/admin/credits/{id}/void`: the remainder leaves the wallet in one ledger transaction. */
export async function voidCreditBlock(ctx: Ctx, blockId: string, reason: string): Promise<CreditBlockView> {
  const exists = await ctx.store.db.selectFrom('credit_blocks').select(['tenant_id', 'category']).where('id', '=', blockId).executeTakeFirst();
  if (!exists || exists.category === 'deficit') throw new PurseError('NOT_FOUND');
  const plan: EndPlan = { ending: 'voided', reference: `credit_void:${blockId}`, kind: 'credit_void', account: 'promotions', reason };
  const once = await moveMoney(ctx, (m) => endBlock(m, blockId, plan), { key: exists.tenant_id });
  const ended = once.created ? once.value : null;
  if (ended) return toBlockView(ended);
  const now = await ctx.store.db.selectFrom('credit_blocks').selectAll().where('id', '=', blockId).executeTakeFirstOrThrow();
  if (now.state === 'voided') return toBlockView(now);
  throw new PurseError('CREDIT_BLOCK_NOT_ACTIVE');
}

/**
 * The background job (every 10 s): ends blocks past their expiry, each exactly once across instances and
 * restarts (the guarded state move, the unique ledger reference, one commit), and sends `credit.expiring`
 * once per block inside the notice window (a guarded flag update with its outbox row).
 */
export async function expireCreditBlocks(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  await noticeExpiring(ctx, nowMs);
  const due = await ctx.store.db.selectFrom('credit_blocks').select(['id', 'tenant_id'])
    .where('state', '=', 'active').where('category', '<>', 'deficit').where('expires_at_ms', '<=', BigInt(nowMs))
    .orderBy('expires_at_ms').limit(CREDIT_EXPIRY_BATCH_MAX).execute();
  let expired = 0;
  for (const block of due) {
    const plan: EndPlan = { ending: 'expired', reference: `credit_expiry:${block.id}`, kind: 'credit_expiry', account: 'expired_credits', reason: null };
    try {
      const once = await moveMoney(ctx, (m) => endBlock(m, block.id, plan), { key: block.tenant_id });
      if (once.created && once.value) expired += 1;
    } catch (err) {
      // A hold still reserves part of it: it expires on a later run, once the hold has ended.
      if (!(err instanceof PurseError && err.code === 'INSUFFICIENT_FUNDS')) throw err;
    }
  }
  if (expired > 0) ctx.log.info({ expired, due: due.length }, 'credit blocks expired');
  return expired;
}

async function noticeExpiring(ctx: Ctx, nowMs: number): Promise<void> {
  const soon = await ctx.store.db.selectFrom('credit_blocks').select(['id', 'tenant_id'])
    .where('state', '=', 'active').where('expiring_notified_at_ms', 'is', null).where('remaining_minor', '>', 0n)
    .where('expires_at_ms', '<=', BigInt(nowMs + CREDIT_EXPIRING_NOTICE_MS)).where('expires_at_ms', '>', BigInt(nowMs))
    .limit(CREDIT_EXPIRY_BATCH_MAX).execute();
  for (const block of soon) {
    await moveMoney(ctx, async (m) => {
      const claimed = await m.db.updateTable('credit_blocks').set({ expiring_notified_at_ms: BigInt(m.nowMs) })
        .where('id', '=', block.id).where('expiring_notified_at_ms', 'is', null).returningAll().executeTakeFirst();
      if (claimed) await m.emit({ type: 'credit.expiring', tenantId: block.tenant_id, data: blockEventData(claimed) });
    }, { key: block.tenant_id });
  }
}
