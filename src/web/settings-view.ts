import type { Ctx } from '../context.ts';
import { type ConfigRow, configState, countedThisMonth, loadConfig, monthOf, pausedReasonOf } from '../auto-topup/config-store.ts';
import type { ConfigState, PausedReason } from '../auto-topup/states.ts';
import { recoveryUrlOf } from '../auto-topup/views.ts';

/**
 * What the page's settings sections show, in minor units straight from the rows the services write:
 * auto top-up (the same state, paused reason and recovery link as GET /v1/billing/auto-topup) and the
 * low-balance alert.
 */
export interface AutoTopupFacts {
  state: ConfigState;
  pausedReason: PausedReason | null;
  recoveryUrl: string | null;
  thresholdMinor: bigint | null;
  amountMinor: bigint | null;
  targetBalanceMinor: bigint | null;
  monthlyCapMinor: bigint | null;
  chargedThisMonthMinor: bigint;
}

export async function readAutoTopupFacts(ctx: Ctx, tenantId: string): Promise<AutoTopupFacts> {
  const config = await loadConfig(ctx.store.db, tenantId);
  if (!config) {
    return {
      state: 'off', pausedReason: null, recoveryUrl: null, thresholdMinor: null, amountMinor: null, targetBalanceMinor: null,
      monthlyCapMinor: null, chargedThisMonthMinor: 0n,
    };
  }
  const [recoveryUrl, charged] = await Promise.all([
    recoveryUrlOf(ctx, config),
    countedThisMonth(ctx.store.db, tenantId, monthOf(ctx.nowMs()), ['succeeded']),
  ]);
  return { ...settingsOf(config), recoveryUrl, chargedThisMonthMinor: charged };
}

function settingsOf(config: ConfigRow): Omit<AutoTopupFacts, 'recoveryUrl' | 'chargedThisMonthMinor'> {
  const state = configState(config);
  return {
    state,
    pausedReason: state === 'paused' ? pausedReasonOf(config) : null,
    thresholdMinor: config.threshold_minor,
    amountMinor: config.amount_minor,
    targetBalanceMinor: config.target_balance_minor,
    monthlyCapMinor: config.monthly_cap_minor,
  };
}

/** The low-balance alert line, as PUT /v1/billing/alerts stored it; null when there is none. */
export async function readLowBalanceMinor(ctx: Ctx, tenantId: string): Promise<bigint | null> {
  const row = await ctx.store.db.selectFrom('wallets').select('low_balance_minor').where('tenant_id', '=', tenantId).executeTakeFirst();
  return row?.low_balance_minor ?? null;
}
