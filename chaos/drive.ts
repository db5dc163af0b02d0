import Stripe from 'stripe';
import { type CreditSeen, type ManualClock, changeCredits, grantCredits } from './credits.ts';
import { type HoldSeen, runHolds } from './holds.ts';
import { armAutoTopup, autoTopupCharges, autoTopupsSettled, registerTenantEndpoint, sandboxControl as control } from './money-paths.ts';
import { whilePurseDown } from './purse-down.ts';
import { type Schedule, random, shuffled } from './schedule.ts';
import { CHAOS_WEBHOOK_SECRET, type World } from './world.ts';

/**
 * Runs one schedule against the world and records what Purse acknowledged, so the invariants can be
 * checked afterwards against the database alone: what Purse said yes to must be there exactly once.
 */
export const CURRENCY = 'USD';
const MINOR_PER_MAJOR = 100;
const CARD_OK = '4242424242424242';
const DEBIT_CONCURRENCY = 8;
const DELIVERY_CONCURRENCY = 8;
const AUTO_TOPUP_HEADROOM_MAJOR = 5;
/** The events that credit a charge; a creditLate schedule holds them back until after the refunds and disputes. */
const CREDIT_EVENT_TYPES = new Set(['checkout.session.completed', 'checkout.session.async_payment_succeeded', 'payment_intent.succeeded']);

export interface Expectation {
  seed: number;
  tenantId: string;
  /** Orders whose payment Stripe completed: each must be credited exactly once, for its amount. */
  paidOrders: Array<{ orderId: string; amountMinor: number; chargeId: string | null }>;
  /** Orders created but never paid: never credited. */
  unpaidOrders: string[];
  /** Idempotency-Keys of debits Purse acknowledged with 201, and their amounts. */
  acknowledgedDebits: Array<{ key: string; amountMinor: number }>;
  /** `creditId`: the order (cto_…) or auto top-up attempt (atu_…) the charge paid for. */
  refunds: Array<{ chargeId: string; creditId: string; creditedMinor: number; chargeMinor: number; refundedMinor: number }>;
  disputes: Array<{ disputeId: string; chargeId: string; creditId: string; creditedMinor: number; chargeMinor: number; disputedMinor: number; outcome: 'won' | 'lost' | 'open' }>;
  /** The tenant's Stripe customer when known (auto top-up tenants): its charges are checked one by one against the ledger. */
  customerId: string | null;
  /** What the schedule could not do at all (each one a violation naming the seed). */
  problems: string[];
  /** Holds the client was told of, and how they ended as far as an answer said. */
  holds: HoldSeen[];
  /** Credit grants and voids Purse acknowledged (issue 21). */
  credits?: CreditSeen;
}

/** Events Purse has not yet answered 2xx to (Stripe keeps retrying those), and ones held back on purpose. */
export interface Mailbag {
  seen: Set<string>;
  undelivered: Map<string, Stripe.Event>;
  delayed: Stripe.Event[];
  /** Credit events a creditLate schedule holds back until its money back has been delivered. */
  late: Stripe.Event[];
}

export async function runSchedule(world: World, schedule: Schedule, mail: Mailbag, clock: ManualClock): Promise<Expectation> {
  const stripe = sandboxStripe(world.sandboxUrl);
  const next = random(schedule.seed ^ 0x5eed);
  const tenant = await adminUp<{ id: string }>(world, 'POST', '/v1/admin/tenants', { name: `chaos ${schedule.seed}`, currency: CURRENCY });
  const key = await adminUp<{ secret: string }>(world, 'POST', `/v1/admin/tenants/${tenant.id}/keys`, { scope: 'tenant' });
  if (schedule.endpointAfterTenant) await registerTenantEndpoint(world, key.secret);
  const { customerId, problem } = await armAutoTopup(world, stripe, key.secret, schedule, (event) => deliverMarked(world, mail, event));
  // Funded a little above the threshold, so the busy phase's first debits cross it and auto top-up charges.
  if (schedule.autoTopup && customerId !== null) await adminUp(world, 'POST', `/v1/admin/tenants/${tenant.id}/adjustments`, { amount: schedule.autoTopup.thresholdMajor + AUTO_TOPUP_HEADROOM_MAJOR, reason: 'chaos funding' });
  const expect: Expectation = { seed: schedule.seed, tenantId: tenant.id, paidOrders: [], unpaidOrders: [], acknowledgedDebits: [], refunds: [], disputes: [], customerId, problems: problem ? [problem] : [], holds: [] };
  const orders = await createTopups(world, schedule, key.secret, stripe, expect);
  expect.credits = await grantCredits(world, schedule.seed, tenant.id, schedule.credits);
  const kill = schedule.killAfterMs === null ? null : killLater(world, schedule.killAfterMs);
  await Promise.all([
    runHolds(world, schedule.seed, key.secret, schedule.holds, false),
    debit(world, schedule, key.secret, expect),
    deliverNew(world, stripe, mail, next, schedule),
    changeCredits(world, clock, schedule.credits, expect.credits),
  ]);
  if (kill) await kill;
  await world.restartPurse();
  expect.holds = await runHolds(world, schedule.seed, key.secret, schedule.holds, true);
  if (customerId !== null) await autoTopupsSettled(world, key.secret);
  await moneyBack(world, schedule, stripe, orders, expect);
  await autoMoneyBack(world, schedule, stripe, expect);
  await deliverNew(world, stripe, mail, next, schedule);
  await deliverLate(world, mail);
  await redeliverUnanswered(world, mail);
  return expect;
}

/** An admin call that waits for Purse when a schedule beside this one has just killed it. */
async function adminUp<T>(world: World, method: string, path: string, body: unknown): Promise<T> {
  const res = await whilePurseDown(() => fetch(`${world.purseUrl}${path}`, {
    method, headers: { authorization: `Bearer ${world.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  }));
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

interface CreatedOrder {
  orderId: string;
  amountMinor: number;
  chargeId: string | null;
}

async function createTopups(world: World, schedule: Schedule, apiKey: string, stripe: Stripe, expect: Expectation): Promise<CreatedOrder[]> {
  if (schedule.stripeFailures > 0) await control(world, '/_sandbox/faults', { failNext: schedule.stripeFailures, status: 500 });
  const created: CreatedOrder[] = [];
  for (const topup of schedule.topups) {
    const res = await purse(world, apiKey, '/v1/billing/checkout', { purpose: 'wallet_topup', amount: topup.amountMajor }).catch(() => null);
    // 502 while Stripe fails, or Purse killed by a schedule beside this one: nothing was charged, nothing is expected.
    if (res?.status !== 200) continue;
    const body = (await res.json()) as { orderId: string; url: string };
    const sessionId = new URL(body.url).pathname.split('/').pop() ?? '';
    const amountMinor = topup.amountMajor * MINOR_PER_MAJOR;
    if (!topup.pay) {
      expect.unpaidOrders.push(body.orderId);
      continue;
    }
    const chargeId = await pay(world, stripe, sessionId, topup.payment);
    expect.paidOrders.push({ orderId: body.orderId, amountMinor, chargeId });
    created.push({ orderId: body.orderId, amountMinor, chargeId });
  }
  await control(world, '/_sandbox/faults', { failNext: 0 });
  return created;
}

async function pay(world: World, stripe: Stripe, sessionId: string, payment: 'card' | 'delayed'): Promise<string | null> {
  const session = (await control(world, `/_sandbox/checkout/sessions/${sessionId}/pay`, payment === 'card' ? { card: CARD_OK } : { method: 'delayed' })) as { payment_intent: string };
  if (payment === 'delayed') await control(world, `/_sandbox/payment_intents/${session.payment_intent}/settle`, { outcome: 'succeeded' });
  const intent = await stripe.paymentIntents.retrieve(session.payment_intent);
  return typeof intent.latest_charge === 'string' ? intent.latest_charge : (intent.latest_charge?.id ?? null);
}

async function debit(world: World, schedule: Schedule, apiKey: string, expect: Expectation): Promise<void> {
  const sends = schedule.debits.flatMap((d, i) => Array.from({ length: 1 + d.retries }, () => ({ key: `chaos-${schedule.seed}-${i}`, amountMinor: d.amountMinor })));
  const acknowledged = new Map<string, number>();
  await inPool(sends, DEBIT_CONCURRENCY, async (send) => {
    const res = await purse(world, apiKey, '/v1/billing/usage', { amount: (send.amountMinor / MINOR_PER_MAJOR).toFixed(2) }, send.key).catch(() => null);
    if (res?.status === 201) acknowledged.set(send.key, send.amountMinor);
  });
  for (const [key, amountMinor] of acknowledged) expect.acknowledgedDebits.push({ key, amountMinor });
}

async function moneyBack(world: World, schedule: Schedule, stripe: Stripe, orders: CreatedOrder[], expect: Expectation): Promise<void> {
  for (const r of schedule.refunds) {
    const order = orders[r.topup];
    if (!order?.chargeId) continue;
    const charge = await stripe.charges.retrieve(order.chargeId);
    let refundedMinor = 0;
    for (const share of r.shares) {
      const amount = Math.min(charge.amount - refundedMinor, Math.max(1, Math.floor(charge.amount * share)));
      if (amount <= 0) break;
      await control(world, `/_sandbox/charges/${order.chargeId}/refund`, { amount });
      refundedMinor += amount;
    }
    expect.refunds.push({ chargeId: order.chargeId, creditId: order.orderId, creditedMinor: order.amountMinor, chargeMinor: charge.amount, refundedMinor });
  }
  for (const d of schedule.disputes) {
    const order = orders[d.topup];
    if (!order?.chargeId) continue;
    const charge = await stripe.charges.retrieve(order.chargeId);
    const dispute = (await control(world, `/_sandbox/charges/${order.chargeId}/dispute`, {})) as { id: string; amount: number };
    if (d.outcome !== 'open') await control(world, `/_sandbox/disputes/${dispute.id}/close`, { status: d.outcome });
    expect.disputes.push({ disputeId: dispute.id, chargeId: order.chargeId, creditId: order.orderId, creditedMinor: order.amountMinor, chargeMinor: charge.amount, disputedMinor: dispute.amount, outcome: d.outcome });
  }
}

/** Refunds and disputes of the tenant's auto top-up charges, as the schedule says, by their order at Stripe. */
async function autoMoneyBack(world: World, schedule: Schedule, stripe: Stripe, expect: Expectation): Promise<void> {
  if (schedule.autoMoneyBack.length === 0) return;
  const charges = await autoTopupCharges(stripe, expect.tenantId, expect.customerId);
  for (const step of schedule.autoMoneyBack) {
    const charge = charges[step.charge];
    if (!charge) continue;
    const creditId = charge.metadata.autoTopupAttemptId ?? '';
    if (step.kind === 'refund') {
      await control(world, `/_sandbox/charges/${charge.id}/refund`, {});
      expect.refunds.push({ chargeId: charge.id, creditId, creditedMinor: charge.amount, chargeMinor: charge.amount, refundedMinor: charge.amount });
      continue;
    }
    const dispute = (await control(world, `/_sandbox/charges/${charge.id}/dispute`, {})) as { id: string; amount: number };
    if (step.kind !== 'open') await control(world, `/_sandbox/disputes/${dispute.id}/close`, { status: step.kind });
    expect.disputes.push({ disputeId: dispute.id, chargeId: charge.id, creditId, creditedMinor: charge.amount, chargeMinor: charge.amount, disputedMinor: dispute.amount, outcome: step.kind });
  }
}

/** Stripe's new events, each dropped, delayed, duplicated or delivered, in a shuffled order. */
async function deliverNew(world: World, stripe: Stripe, mail: Mailbag, next: () => number, schedule: Schedule): Promise<void> {
  const fresh: Stripe.Event[] = [];
  for await (const event of stripe.events.list({ limit: 100 })) {
    if (!mail.seen.has(event.id)) fresh.push(event);
  }
  for (const e of fresh) mail.seen.add(e.id);
  const sends: Stripe.Event[] = [];
  for (const event of fresh) {
    const roll = next();
    const { dropShare, delayShare, duplicateShare } = schedule.delivery;
    if (roll < dropShare) continue; // never delivered: only reconcile can find it
    if (schedule.creditLate && CREDIT_EVENT_TYPES.has(event.type)) {
      mail.late.push(event);
      continue;
    }
    if (roll < dropShare + delayShare) {
      mail.delayed.push(event);
      continue;
    }
    mail.undelivered.set(event.id, event);
    sends.push(event);
    if (next() < duplicateShare) sends.push(event);
  }
  await inPool(shuffled(sends, next), DELIVERY_CONCURRENCY, (event) => deliver(world, mail, event));
}

export async function redeliverUnanswered(world: World, mail: Mailbag): Promise<void> {
  await inPool([...mail.undelivered.values()], DELIVERY_CONCURRENCY, (event) => deliver(world, mail, event));
}

/** The held-back credits, after the refunds and disputes that overtook them. */
async function deliverLate(world: World, mail: Mailbag): Promise<void> {
  const late = mail.late.splice(0);
  for (const e of late) mail.undelivered.set(e.id, e);
  await inPool(late, DELIVERY_CONCURRENCY, (event) => deliver(world, mail, event));
}

/** Delivered now (a setup the schedule needs before it starts), and never again by deliverNew. */
async function deliverMarked(world: World, mail: Mailbag, event: Stripe.Event): Promise<void> {
  mail.seen.add(event.id);
  mail.undelivered.set(event.id, event);
  // Until acknowledged: Purse may be down for a moment (a kill in a schedule beside this one).
  await whilePurseDown(async () => {
    await deliver(world, mail, event);
    if (mail.undelivered.has(event.id)) throw new Error(`${event.id} not acknowledged yet`);
    return new Response(null);
  });
}

export async function deliverDelayed(world: World, mail: Mailbag): Promise<void> {
  const delayed = mail.delayed.splice(0);
  for (const e of delayed) mail.undelivered.set(e.id, e);
  await redeliverUnanswered(world, mail);
}

async function deliver(world: World, mail: Mailbag, event: Stripe.Event): Promise<void> {
  const payload = JSON.stringify(event);
  const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: CHAOS_WEBHOOK_SECRET });
  const res = await fetch(`${world.purseUrl}/v1/webhooks/stripe`, {
    method: 'POST', headers: { 'content-type': 'application/json', 'stripe-signature': signature }, body: payload,
  }).catch(() => null);
  if (res) await res.arrayBuffer();
  if (res?.ok) mail.undelivered.delete(event.id);
}

function killLater(world: World, afterMs: number): Promise<void> {
  return new Promise((resolve) => {
    setTimeout(() => {
      world.killPurse();
      resolve();
    }, afterMs);
  });
}

async function purse(world: World, apiKey: string, path: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  return fetch(`${world.purseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
}

export function sandboxStripe(sandboxUrl: string): Stripe {
  const url = new URL(sandboxUrl);
  return new Stripe('sk_test_purse_chaos_driver', { host: url.hostname, port: Number(url.port), protocol: 'http', maxNetworkRetries: 2, telemetry: false });
}

async function inPool<T>(items: T[], concurrency: number, work: (item: T) => Promise<void>): Promise<void> {
  let index = 0;
  const worker = async () => {
    while (index < items.length) {
      const item = items[index] as T;
      index += 1;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}
