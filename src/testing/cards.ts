import { asKey, type TestTenant } from './api.ts';
import { type Rig, deliver, sessionIdOf } from './stripe-rig.ts';

/** Saves a card for the tenant the way a customer does: add_card checkout, paid in the sandbox, webhook delivered. */
export async function saveCard(rig: Rig, tenant: TestTenant, card: string): Promise<string> {
  // One second apart on the rig's manual clock, so "newest card" is well defined.
  rig.sandbox.clock.advance(1);
  const res = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
  if (res.status !== 200) throw new Error(`add_card failed ${res.status} ${JSON.stringify(res.body)}`);
  const session = rig.sandbox.paySession(sessionIdOf(res.body.url), { card, expMonth: 11, expYear: 2033 });
  await rig.sandbox.webhooks.idle();
  // For rigs that deliver webhooks by hand; when the sandbox already delivered it, this is a duplicate, ignored.
  const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === session.id);
  if (completed) await deliver(rig, JSON.stringify(completed));
  const setupIntent = await rig.stripe.setupIntents.retrieve(session.setup_intent as string);
  return setupIntent.payment_method as string;
}

export async function cardsOf(rig: Rig, tenant: TestTenant): Promise<Array<{ id: string; last4: string; isDefault: boolean }>> {
  return (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data;
}
