import { toMajorNumber } from '../money/money.ts';
import type { Ctx } from '../context.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';
import { type AttemptRow, type ConfigRow, attemptState, configState, countedThisMonth, inFlightAttempt, loadAttempt, loadConfig, monthOf, pausedReasonOf } from './config-store.ts';
import type { AttemptState, ConfigState, PausedReason } from './states.ts';

export interface AttemptView {
  id: string;
  amount: number;
  state: AttemptState;
  failure: { code: string; message: string } | null;
  paymentIntentId: string | null;
  createdAt: string;
  completedAt: string | null;
}

export interface AutoTopupView {
  enabled: boolean;
  state: ConfigState;
  threshold: number | null;
  amount: number | null;
  targetBalance: number | null;
  monthlyCap: number | null;
  currency: string;
  chargedThisMonth: number;
  pausedReason: PausedReason | null;
  recoveryUrl: string | null;
  inFlight: AttemptView | null;
}

export function toAttemptView(row: AttemptRow): AttemptView {
  return {
    id: row.id,
    amount: toMajorNumber(row.amount_minor, row.currency),
    state: attemptState(row),
    failure: row.failure_code ? { code: row.failure_code, message: row.failure_message ?? '' } : null,
    paymentIntentId: row.payment_intent_id,
    createdAt: new Date(Number(row.created_at_ms)).toISOString(),
    completedAt: row.completed_at_ms === null ? null : new Date(Number(row.completed_at_ms)).toISOString(),
  };
}

function major(amountMinor: bigint | null, currency: string): number | null {
  return amountMinor === null ? null : toMajorNumber(amountMinor, currency);
}

/** `GET /v1/billing/auto-topup` (SPEC §8.2); never configured reads as off with no settings. */
export async function readAutoTopup(ctx: Ctx, tenantId: string): Promise<AutoTopupView> {
  const db = ctx.store.db;
  const config = await loadConfig(db, tenantId);
  const currency = config?.currency ?? (await tenantCurrency(ctx, tenantId));
  const charged = await countedThisMonth(db, tenantId, monthOf(ctx.nowMs()), ['succeeded']);
  const inFlight = await inFlightAttempt(db, tenantId);
  return {
    ...settingsView(config, currency),
    currency,
    chargedThisMonth: toMajorNumber(charged, currency),
    recoveryUrl: await recoveryUrlOf(ctx, config),
    inFlight: inFlight ? toAttemptView(inFlight) : null,
  };
}

function settingsView(config: ConfigRow | undefined, currency: string): Omit<AutoTopupView, 'currency' | 'chargedThisMonth' | 'recoveryUrl' | 'inFlight'> {
  if (!config) {
    return { enabled: false, state: 'off', threshold: null, amount: null, targetBalance: null, monthlyCap: null, pausedReason: null };
  }
  const state = configState(config);
  return {
    enabled: state !== 'off',
    state,
    threshold: major(config.threshold_minor, currency),
    amount: major(config.amount_minor, currency),
    targetBalance: major(config.target_balance_minor, currency),
    monthlyCap: major(config.monthly_cap_minor, currency),
    pausedReason: state === 'paused' ? pausedReasonOf(config) : null,
  };
}

/** The Checkout page that pays the attempt auto top-up is paused on, while it is still payable. */
export async function recoveryUrlOf(ctx: Ctx, config: ConfigRow | undefined): Promise<string | null> {
  if (!config?.recovery_attempt_id || config.state !== 'paused') return null;
  const attempt = await loadAttempt(ctx.store.db, config.recovery_attempt_id);
  return attempt && attempt.state === 'action_required' ? attempt.recovery_url : null;
}

/** The wallet's `autoTopup` summary: null when never configured. */
export async function autoTopupSummary(ctx: Ctx, tenantId: string): Promise<{ state: ConfigState; threshold: number } | null> {
  const config = await loadConfig(ctx.store.db, tenantId);
  if (!config) return null;
  return { state: configState(config), threshold: toMajorNumber(config.threshold_minor, config.currency) };
}
