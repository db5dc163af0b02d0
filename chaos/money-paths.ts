import type Stripe from 'stripe';
import type { Schedule } from './schedule.ts';
import { PURSE_DOWN_POLL_MS, PURSE_DOWN_WAIT_MS, whilePurseDown } from './purse-down.ts';
import type { World } from './world.ts';

/**
 * The money paths a schedule may add beside Checkout top-ups (issue 19): a saved card with auto top-up (its
 * off-session charges are refunded and disputed like any other), and a tenant-registered wallet.debited
 * endpoint created after the tenant. Purse may be down (a kill in a schedule running beside this one):
 * every call here waits for it to come back, within PURSE_DOWN_WAIT_MS.
 */
const SETTLE_AUTO_TOPUP_WAIT_MS = 15_000;
const CARD_OK = '4242424242424242';

export function pursePost(world: World, apiKey: string, method: 'POST' | 'PUT', path: string, body: unknown): Promise<Response> {
  return fetch(`${world.purseUrl}${path}`, { method, headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
}

async function okJson<T>(res: Response, what: string): Promise<T> {
  const text = await res.text();
  if (!res.ok) throw new Error(`${what} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}

/**
 * Saves a card through a setup-mode Checkout (its completion delivered at once) and turns auto top-up on.
 * A card still unsaved after PURSE_DOWN_WAIT_MS is reported as the schedule's problem (a violation naming
 * the seed), not thrown: one schedule must not end the whole run.
 */
export async function armAutoTopup(world: World, stripe: Stripe, apiKey: string, schedule: Schedule, deliver: (e: Stripe.Event) => Promise<void>): Promise<{ customerId: string | null; problem?: string }> {
  const settings = schedule.autoTopup;
  if (!settings) return { customerId: null };
  const checkout = await okJson<{ url: string }>(await whilePurseDown(() => pursePost(world, apiKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' })), 'add_card checkout');
  const sessionId = new URL(checkout.url).pathname.split('/').pop() ?? '';
  await sandboxControl(world, `/_sandbox/checkout/sessions/${sessionId}/pay`, { card: CARD_OK });
  for await (const event of stripe.events.list({ limit: 100, type: 'checkout.session.completed' })) {
    if ((event.data.object as { id: string }).id === sessionId) {
      await deliver(event);
      break;
    }
  }
  const body = { enabled: true, threshold: String(settings.thresholdMajor), amount: String(settings.amountMajor) };
  // 409 NO_PAYMENT_METHOD while the card is not saved yet: its completion may have met a Stripe 500 armed by a
  // schedule beside this one (the sandbox's faults are global), and waits for the inbox's retry job.
  try {
    const armed = await whilePurseDown(async () => {
      const res = await pursePost(world, apiKey, 'PUT', '/v1/billing/auto-topup', body);
      if (res.status === 409) throw new Error(`no saved card yet: ${await res.text()}`);
      return res;
    });
    await okJson(armed, 'auto top-up settings');
  } catch (err) {
    return { customerId: null, problem: `auto top-up could not be armed within ${PURSE_DOWN_WAIT_MS} ms (add_card session ${sessionId}): ${(err as Error).message}` };
  }
  const customer = (await stripe.checkout.sessions.retrieve(sessionId)).customer;
  return { customerId: typeof customer === 'string' ? customer : (customer?.id ?? null) };
}

/** Waits (bounded) until no auto top-up is in flight, so the charges the busy phase caused exist at Stripe. */
export async function autoTopupsSettled(world: World, apiKey: string): Promise<void> {
  const deadline = Date.now() + SETTLE_AUTO_TOPUP_WAIT_MS;
  while (Date.now() < deadline) {
    const res = await whilePurseDown(() => fetch(`${world.purseUrl}/v1/billing/auto-topup`, { headers: { 'x-api-key': apiKey } }));
    const state = (await res.json()) as { inFlight: unknown };
    if (state.inFlight === null) return;
    await new Promise((resolve) => setTimeout(resolve, PURSE_DOWN_POLL_MS));
  }
}

/** A tenant endpoint for wallet.debited, registered after the tenant exists. */
export async function registerTenantEndpoint(world: World, apiKey: string): Promise<void> {
  const res = await whilePurseDown(() => pursePost(world, apiKey, 'POST', '/v1/billing/webhook-endpoints', { url: world.sinkUrl, events: ['wallet.debited'] }));
  await okJson(res, 'tenant webhook endpoint');
}

/** The tenant's succeeded auto top-up charges at Stripe, oldest first. */
export async function autoTopupCharges(stripe: Stripe, tenantId: string, customerId: string | null): Promise<Stripe.Charge[]> {
  if (!customerId) return [];
  const out: Stripe.Charge[] = [];
  for await (const charge of stripe.charges.list({ customer: customerId, limit: 100 })) {
    if (charge.status === 'succeeded' && charge.metadata?.autoTopupAttemptId && charge.metadata.tenantId === tenantId) out.push(charge);
  }
  return out.reverse();
}

export async function sandboxControl(world: World, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${world.sandboxUrl}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`sandbox ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as unknown;
}
