import { PurseError } from '../errors/purse-error.ts';
import { type TopupBounds, topupBounds } from '../money/limits.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../store/db.ts';
import { defaultCard } from '../customers/cards-store.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { armTrigger, cancelAttempts, inFlightAttempt } from './config-store.ts';
import { type AutoTopupBody, type AutoTopupSettings, validateAutoTopup } from './validate-config.ts';
import { type AutoTopupView, readAutoTopup } from './views.ts';

/**
 * `PUT /v1/billing/auto-topup` (SPEC §8.2). Enabling needs a saved card (409 NO_PAYMENT_METHOD) and
 * resumes a paused or disabled auto top-up: failures are forgotten, a scheduled retry and an attempt
 * waiting for authentication are dropped (that recovery link stays payable: money received always wins).
 */
export async function setAutoTopup(ctx: Ctx, tenantId: string, body: AutoTopupBody): Promise<AutoTopupView> {
  const currency = await tenantCurrency(ctx, tenantId);
  const bounds = topupBounds(currency, ctx.config.topupLimits);
  const settings = validateAutoTopup(body, currency, bounds);
  if (settings.enabled && !(await defaultCard(ctx.store.db, tenantId))) throw new PurseError('NO_PAYMENT_METHOD');
  const nowMs = ctx.nowMs();
  await ctx.store.transact(async (trx) => {
    await writeConfig(trx, tenantId, currency, { ...settings, bounds }, nowMs);
    await cancelAttempts(trx, tenantId, settings.enabled ? 'action_required' : 'pending', nowMs);
    const armed = settings.enabled && !(await inFlightAttempt(trx, tenantId));
    await armTrigger(trx, tenantId, armed ? settings.thresholdMinor : null);
  }, { key: tenantId });
  return readAutoTopup(ctx, tenantId);
}

async function writeConfig(trx: Db, tenantId: string, currency: string, settings: AutoTopupSettings & { bounds: TopupBounds }, nowMs: number): Promise<void> {
  const fields = {
    state: settings.enabled ? 'active' : 'off',
    threshold_minor: settings.thresholdMinor,
    amount_minor: settings.amountMinor,
    target_balance_minor: settings.targetBalanceMinor,
    monthly_cap_minor: settings.monthlyCapMinor,
    charge_min_minor: settings.bounds.minMinor,
    charge_max_minor: settings.bounds.maxMinor,
    paused_reason: null,
    recovery_attempt_id: null,
    consecutive_failures: 0n,
    retry_at_ms: null,
    updated_at_ms: BigInt(nowMs),
  };
  await trx.insertInto('auto_topup_configs').values({ tenant_id: tenantId, currency, capped_month: null, created_at_ms: BigInt(nowMs), ...fields })
    .onConflict((oc) => oc.column('tenant_id').doUpdateSet(fields)).execute();
}
