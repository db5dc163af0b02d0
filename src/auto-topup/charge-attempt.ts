import type { Ctx } from '../context.ts';
import type { PaymentOutcome } from '../gateway/payment-gateway.ts';
import { toMajorNumber } from '../money/money.ts';
import { defaultCard } from '../customers/cards-store.ts';
import { ensureCustomer } from '../customers/ensure-customer.ts';
import { pauseForNoCard } from './card-changes.ts';
import { type AttemptRow, CAP_COUNTED_STATES, configState, countedThisMonth, loadAttempt, loadConfig } from './config-store.ts';
import { emitAutoTopupEvent } from './events.ts';
import { creditAttempt, moveAttempt } from './settle-attempt.ts';
import { failAttempt, requireAction } from './settle-failure.ts';

/** Slack beyond the Stripe call's own bound before another worker may take a claimed attempt over. */
const CLAIM_MARGIN_MS = 1_000;
/** A Stripe outage or timeout: the same attempt is tried again (same idempotency key) after this. */
export const STRIPE_RETRY_AFTER_MS = 5_000;
/**
 * A PaymentIntent Stripe answered `processing` is settled by its webhook; only this long after, in case the
 * webhook never came, does a worker take the attempt again, and then it looks the PaymentIntent up first.
 */
export const PROCESSING_RECHECK_AFTER_MS = 60 * 60 * 1000;

export type ChargeOutcome = 'credited' | 'unchanged' | 'failed' | 'disabled' | 'action_required' | 'capped' | 'canceled' | 'processing' | 'stripe_unavailable' | 'not_claimed';

/** How long a worker owns an attempt: the longest the Stripe call can take, with every SDK retry. */
function claimMs(ctx: Ctx): number {
  return ctx.config.stripeTimeoutMs * 2 + CLAIM_MARGIN_MS;
}

/** Slack before the attempt was created when asking Stripe what it charged (clocks differ a little). */
const LOOKUP_SLACK_SECONDS = 60 * 60;

/**
 * `takeover`: the attempt was claimed before (a worker died, or Stripe answered `processing` and the recheck
 * is due), so Stripe may already hold its PaymentIntent.
 */
type Claim = { kind: 'charge'; attempt: AttemptRow; paymentMethodId: string; takeover: boolean } | { kind: 'done'; outcome: ChargeOutcome };

/**
 * The worker's charge of one attempt (SPEC §8.2): claim it in a transaction (cap checked there), charge an
 * off-session PaymentIntent on the default card outside any transaction with the idempotency key
 * `purse:auto_topup:{attemptId}`, then record the outcome. A worker that dies after Stripe charged leaves the
 * attempt `processing` with a claim that runs out; the next worker charges again with the same key and
 * Stripe answers with the same PaymentIntent, so there is one charge and one credit.
 */
export async function chargeAttempt(ctx: Ctx, attemptId: string, tenantId: string): Promise<ChargeOutcome> {
  const claim = await claimAttempt(ctx, attemptId, tenantId);
  if (claim.kind === 'done') return claim.outcome;
  const { attempt, paymentMethodId, takeover } = claim;
  const customerId = await ensureCustomer(ctx, attempt.tenant_id);
  let payment: PaymentOutcome;
  try {
    const earlier = takeover ? await chargedBefore(ctx, attempt, customerId) : null;
    payment = earlier ?? await ctx.payments.chargeOffSession({
      attemptId: attempt.id, tenantId: attempt.tenant_id, amountMinor: attempt.amount_minor, currency: attempt.currency, customerId, paymentMethodId,
    });
  } catch (err) {
    return chargeUnavailable(ctx, attempt, err);
  }
  return chargeResult(ctx, attempt, payment);
}

/**
 * A taken-over attempt: the dead worker's request may have reached Stripe. The idempotency key alone covers
 * a restart within Stripe's 24-hour key lifetime; asking Stripe for the attempt's PaymentIntent first covers a
 * worker that stayed down longer, so a late restart never charges twice.
 */
function chargedBefore(ctx: Ctx, attempt: AttemptRow, customerId: string): Promise<PaymentOutcome | null> {
  const sinceSeconds = Math.floor(Number(attempt.created_at_ms) / 1000) - LOOKUP_SLACK_SECONDS;
  return ctx.payments.findAutoTopupCharge({ customerId, attemptId: attempt.id, sinceSeconds });
}

async function chargeResult(ctx: Ctx, attempt: AttemptRow, payment: PaymentOutcome): Promise<ChargeOutcome> {
  const failure = payment.failure ?? { code: 'payment_failed', message: 'The payment failed' };
  switch (payment.status) {
    case 'charged': {
      const credited = await creditAttempt(ctx, attempt.id, payment);
      return credited === 'credited' || credited === 'already_credited' ? 'credited' : 'processing';
    }
    case 'needs_action':
      return requireAction(ctx, attempt, payment.failure ?? { code: 'authentication_required', message: 'The bank requires the customer to authenticate this payment' }, payment.paymentId);
    case 'declined':
      return failAttempt(ctx, attempt.id, failure, payment.paymentId);
    case 'processing':
      // The payment settles later and payment_intent.succeeded / payment_failed brings the result. The worker
      // leaves the attempt alone until then, or until the recheck (a replay with the same key) if no webhook came.
      await ctx.store.db.updateTable('auto_topup_attempts').set({ payment_intent_id: payment.paymentId, claimed_until_ms: BigInt(ctx.nowMs() + PROCESSING_RECHECK_AFTER_MS) })
        .where('id', '=', attempt.id).where('state', '=', 'processing').execute();
      return 'processing';
  }
}

/**
 * Stripe down, slow or erroring: nothing is known to be charged. The attempt stays processing and is tried
 * again with the same idempotency key, so Stripe either runs it once or replays what it did.
 */
async function chargeUnavailable(ctx: Ctx, attempt: AttemptRow, err: unknown): Promise<ChargeOutcome> {
  ctx.log.warn({ attemptId: attempt.id, err: (err as Error).message }, 'auto top-up charge did not reach a result; will retry');
  await ctx.store.db.updateTable('auto_topup_attempts').set({ claimed_until_ms: BigInt(ctx.nowMs() + STRIPE_RETRY_AFTER_MS) })
    .where('id', '=', attempt.id).where('state', '=', 'processing').execute();
  return 'stripe_unavailable';
}

/**
 * Takes the attempt for this worker: a pending one (monthly cap checked, default card chosen and kept, so a
 * retry sends Stripe the very same request), or a processing one whose claim ran out (a worker died).
 */
async function claimAttempt(ctx: Ctx, attemptId: string, tenantId: string): Promise<Claim> {
  const nowMs = ctx.nowMs();
  return ctx.store.transact(async (trx): Promise<Claim> => {
    const attempt = await loadAttempt(trx, attemptId);
    if (!attempt) return { kind: 'done', outcome: 'not_claimed' };
    const claimedUntil = BigInt(nowMs + claimMs(ctx));
    if (attempt.state === 'processing' && attempt.payment_method_id && attempt.claimed_until_ms !== null && attempt.claimed_until_ms <= BigInt(nowMs)) {
      const taken = await trx.updateTable('auto_topup_attempts').set({ claimed_until_ms: claimedUntil, updated_at_ms: BigInt(nowMs) })
        .where('id', '=', attempt.id).where('state', '=', 'processing').where('claimed_until_ms', '=', attempt.claimed_until_ms).executeTakeFirst();
      return taken.numUpdatedRows === 1n ? { kind: 'charge', attempt, paymentMethodId: attempt.payment_method_id, takeover: true } : { kind: 'done', outcome: 'not_claimed' };
    }
    if (attempt.state !== 'pending') return { kind: 'done', outcome: 'not_claimed' };
    if (await overCap(trx, attempt)) return { kind: 'done', outcome: await capAttempt(trx, attempt, nowMs) };
    const card = await defaultCard(trx, attempt.tenant_id);
    if (!card) {
      await moveAttempt(trx, attempt.id, 'canceled', nowMs, { failure_code: 'no_payment_method', failure_message: 'No saved card to charge' });
      await pauseForNoCard(trx, attempt.tenant_id, nowMs);
      return { kind: 'done', outcome: 'canceled' };
    }
    const moved = await moveAttempt(trx, attempt.id, 'processing', nowMs, { payment_method_id: card.id, claimed_until_ms: claimedUntil });
    return moved ? { kind: 'charge', attempt, paymentMethodId: card.id, takeover: false } : { kind: 'done', outcome: 'not_claimed' };
  }, { key: tenantId });
}

/** Would this attempt take the month's charged + in-flight + awaiting-authentication past the cap? */
async function overCap(trx: Parameters<typeof loadConfig>[0], attempt: AttemptRow): Promise<boolean> {
  const config = await loadConfig(trx, attempt.tenant_id);
  if (!config || config.monthly_cap_minor === null) return false;
  const others = CAP_COUNTED_STATES.filter((state) => state !== 'pending');
  const counted = await countedThisMonth(trx, attempt.tenant_id, attempt.month, others);
  return counted + attempt.amount_minor > config.monthly_cap_minor;
}

/** Capped: nothing is charged; `auto_topup.capped` goes out once per month, and the trigger stays off until the month turns. */
async function capAttempt(trx: Parameters<typeof loadConfig>[0], attempt: AttemptRow, nowMs: number): Promise<ChargeOutcome> {
  await moveAttempt(trx, attempt.id, 'capped', nowMs, { failure_code: 'monthly_cap_reached', failure_message: 'The monthly auto top-up cap would be exceeded' });
  const config = await loadConfig(trx, attempt.tenant_id);
  if (config && configState(config) === 'active' && config.capped_month !== attempt.month) {
    await trx.updateTable('auto_topup_configs').set({ capped_month: attempt.month, updated_at_ms: BigInt(nowMs) }).where('tenant_id', '=', attempt.tenant_id).execute();
    await emitAutoTopupEvent(trx, 'auto_topup.capped', attempt, { monthlyCap: config.monthly_cap_minor === null ? null : toMajorNumber(config.monthly_cap_minor, config.currency), month: attempt.month }, nowMs);
  }
  return 'capped';
}
