import type { Ctx } from '../context.ts';
import { armTrigger, monthOf } from './config-store.ts';
import { type ChargeOutcome, chargeAttempt } from './charge-attempt.ts';
import { startAttempt } from './trigger.ts';

/** How often the worker looks for work (jobs.ts); each pass handles at most this many of each kind. */
export const AUTO_TOPUP_EVERY_MS = 1_000;
export const AUTO_TOPUP_BATCH = 50;

export interface AutoTopupPass {
  retriesStarted: number;
  rearmed: number;
  charged: Record<string, ChargeOutcome | 'error'>;
}

/**
 * One pass of the auto top-up worker, safe on many instances at once (every step claims with a guarded
 * update): due retries become pending attempts, a month that turned re-arms capped wallets, and pending
 * attempts (or processing ones whose worker died) are charged.
 */
export async function runAutoTopups(ctx: Ctx): Promise<AutoTopupPass> {
  const retriesStarted = await startDueRetries(ctx);
  const rearmed = await rearmAfterCappedMonth(ctx);
  const nowMs = BigInt(ctx.nowMs());
  const due = await ctx.store.db.selectFrom('auto_topup_attempts').select(['id', 'tenant_id'])
    .where((eb) => eb.or([
      eb('state', '=', 'pending'),
      eb.and([eb('state', '=', 'processing'), eb('claimed_until_ms', '<=', nowMs)]),
    ]))
    .orderBy('created_at_ms').limit(AUTO_TOPUP_BATCH).execute();
  const charged: Record<string, ChargeOutcome | 'error'> = {};
  for (const attempt of due) {
    try {
      charged[attempt.id] = await chargeAttempt(ctx, attempt.id, attempt.tenant_id);
    } catch (err) {
      // One attempt's trouble (say, Stripe down while making its recovery page) must not stall the others;
      // it is still processing, and its claim runs out, so a later pass finishes it.
      ctx.log.error({ attemptId: attempt.id, err: (err as Error).message }, 'auto top-up attempt failed this pass; will retry');
      charged[attempt.id] = 'error';
    }
  }
  return { retriesStarted, rearmed, charged };
}

/** A scheduled retry that is due becomes a pending attempt for the wallet's shortfall as it is now. */
async function startDueRetries(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const due = await ctx.store.db.selectFrom('auto_topup_configs').select(['tenant_id', 'retry_at_ms'])
    .where('state', '=', 'active').where('retry_at_ms', '<=', BigInt(nowMs)).limit(AUTO_TOPUP_BATCH).execute();
  let started = 0;
  for (const config of due) {
    const id = await ctx.store.transact(async (trx) => {
      const taken = await trx.updateTable('auto_topup_configs').set({ retry_at_ms: null, updated_at_ms: BigInt(nowMs) })
        .where('tenant_id', '=', config.tenant_id).where('state', '=', 'active').where('retry_at_ms', '=', config.retry_at_ms).executeTakeFirst();
      if (taken.numUpdatedRows !== 1n) return undefined;
      const wallet = await trx.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', config.tenant_id).executeTakeFirstOrThrow();
      return startAttempt(trx, config.tenant_id, wallet.balance_minor - wallet.held_minor, nowMs);
    }, { key: config.tenant_id });
    if (id) started += 1;
  }
  return started;
}

/** A capped wallet's trigger stays off for the rest of its month; the next month arms it again. */
async function rearmAfterCappedMonth(ctx: Ctx): Promise<number> {
  const nowMs = ctx.nowMs();
  const month = monthOf(nowMs);
  const capped = await ctx.store.db.selectFrom('auto_topup_configs').select(['tenant_id', 'threshold_minor', 'capped_month'])
    .where('state', '=', 'active').where('capped_month', '<', month).where('retry_at_ms', 'is', null).limit(AUTO_TOPUP_BATCH).execute();
  let rearmed = 0;
  for (const config of capped) {
    await ctx.store.transact(async (trx) => {
      const cleared = await trx.updateTable('auto_topup_configs').set({ capped_month: null, updated_at_ms: BigInt(nowMs) })
        .where('tenant_id', '=', config.tenant_id).where('capped_month', '=', config.capped_month).where('state', '=', 'active').executeTakeFirst();
      if (cleared.numUpdatedRows !== 1n) return;
      const inFlight = await trx.selectFrom('auto_topup_attempts').select('id').where('tenant_id', '=', config.tenant_id).where('state', 'in', ['pending', 'processing']).executeTakeFirst();
      if (!inFlight) await armTrigger(trx, config.tenant_id, config.threshold_minor);
      rearmed += 1;
    }, { key: config.tenant_id });
  }
  return rearmed;
}
