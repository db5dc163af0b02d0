import { expireCreditBlocks } from '../credits/end-credit-block.ts';
import { Value } from 'typebox/value';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EVENT_TYPES, type EventType } from '../events/catalog.ts';
import { EVENT_DATA_SCHEMAS } from '../events/event-schemas.ts';
import { type TestTenant, admin, asKey, setupTenant } from '../testing/api.ts';
import { debit, tenantWithAutoTopup, work } from '../testing/auto-topup.ts';
import { saveCard } from '../testing/cards.ts';
import { testDatabaseKind } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import { type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { type Receiver, startReceiver } from '../testing/webhook-receiver.ts';
import { expireHolds } from '../wallet/expire-holds.ts';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { runWebhookWorker } from './delivery-worker.ts';

/**
 * The whole catalog (SPEC §8.3), end to end: for every event type its real trigger (HTTP, the Stripe
 * sandbox delivering its own webhooks, the jobs), then the delivery worker, then a local receiver that
 * verifies the signature with the `standardwebhooks` package and checks `data` against the published
 * schema. A type added to the catalog without a case here fails the first test.
 */
const HOUR_SECONDS = 3_600;
const DECLINED_CARD = '4000000000000341';
const AUTHENTICATION_CARD = '4000002760003184';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ currency: 'USD', env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

interface Scene {
  tenant: TestTenant;
  endpoint: { id: string; secret: string };
}

interface TriggerCase {
  /** The tenant the case starts from (default: a plain USD tenant). */
  tenant?: () => Promise<TestTenant>;
  /** What the endpoint names (default: just the type under test). */
  events?: string[];
  trigger: (scene: Scene) => Promise<void>;
}

const DAY_MS = 86_400_000;

async function grant(tenant: TestTenant, extra: Record<string, unknown>): Promise<{ id: string }> {
  const res = await admin(rig.purse, 'POST', `/v1/admin/tenants/${tenant.tenantId}/credits`, { amount: '3', reason: 'welcome', ...extra });
  expect(res.status).toBe(201);
  return res.body as { id: string };
}

const CASES: Record<EventType, TriggerCase> = {
  'topup.succeeded': { trigger: async ({ tenant }) => void (await paidTopup(tenant, 50)) },
  'topup.failed': {
    trigger: async ({ tenant }) => {
      const session = rig.sandbox.paySession(sessionIdOf((await checkout(tenant, 30)).url), { method: 'delayed' });
      await rig.sandbox.webhooks.idle();
      rig.sandbox.settlePayment(String(session.payment_intent), 'failed');
    },
  },
  'topup.expired': { trigger: async ({ tenant }) => void rig.sandbox.expireSession(sessionIdOf((await checkout(tenant, 20)).url)) },
  'receipt.issued': { trigger: async ({ tenant }) => void (await paidTopup(tenant, 40)) },
  'wallet.low_balance': {
    trigger: async ({ tenant }) => {
      await fundWallet(rig.purse, tenant.tenantId, 100);
      expect((await asKey(rig.purse, tenant.tenantKey, 'PUT', '/v1/billing/alerts', { lowBalance: '50' })).status).toBe(200);
      expect((await debit(rig, tenant, 60)).status).toBe(201);
    },
  },
  'wallet.depleted': {
    trigger: async ({ tenant }) => {
      await fundWallet(rig.purse, tenant.tenantId, 10);
      expect((await debit(rig, tenant, 10)).status).toBe(201);
    },
  },
  'wallet.adjusted': { trigger: async ({ tenant }) => void (await fundWallet(rig.purse, tenant.tenantId, 5)) },
  'wallet.debited': {
    trigger: async ({ tenant }) => {
      await fundWallet(rig.purse, tenant.tenantId, 10);
      expect((await debit(rig, tenant, '2.50')).status).toBe(201);
    },
  },
  'hold.expired': {
    trigger: async ({ tenant }) => {
      await fundWallet(rig.purse, tenant.tenantId, 10);
      expect((await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: '4.00', expiresInSeconds: 60 })).status).toBe(201);
      rig.sandbox.clock.advance(61);
      await expireHolds(rig.purse.ctx);
    },
  },
  'auto_topup.succeeded': { tenant: () => tenantWithAutoTopup(rig, { fund: 60 }), trigger: crossAutoTopupThreshold },
  'auto_topup.failed': { tenant: () => tenantWithAutoTopup(rig, { fund: 60, card: DECLINED_CARD }), trigger: crossAutoTopupThreshold },
  'auto_topup.action_required': { tenant: () => tenantWithAutoTopup(rig, { fund: 60, card: AUTHENTICATION_CARD }), trigger: crossAutoTopupThreshold },
  'auto_topup.capped': {
    tenant: () => tenantWithAutoTopup(rig, { fund: 60, settings: { monthlyCap: 20 } }),
    trigger: async (scene) => {
      await crossAutoTopupThreshold(scene);
      expect((await debit(rig, scene.tenant, 30)).status).toBe(201);
      await work(rig);
    },
  },
  'auto_topup.disabled': {
    tenant: () => tenantWithAutoTopup(rig, { fund: 60, card: DECLINED_CARD }),
    trigger: async (scene) => {
      await crossAutoTopupThreshold(scene);
      // The retry schedule (1 h, 6 h, 24 h); the fourth decline disables auto top-up.
      for (const hours of [1, 6, 24]) {
        rig.sandbox.clock.advance(hours * HOUR_SECONDS);
        await runAutoTopups(rig.purse.ctx);
      }
    },
  },
  'payment_method.saved': { trigger: async ({ tenant }) => void (await saveCard(rig, tenant, '5555555555554444')) },
  'payment_method.removed': {
    trigger: async ({ tenant }) => {
      const card = await saveCard(rig, tenant, '4242424242424242');
      expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${card}`)).status).toBe(200);
    },
  },
  'payment_method.duplicate_detached': {
    // The same card number saved twice: the older copy is retired and detached at Stripe.
    trigger: async ({ tenant }) => {
      await saveCard(rig, tenant, '4242424242424242');
      await saveCard(rig, tenant, '4242424242424242');
    },
  },
  'refund.clawed_back': { trigger: async ({ tenant }) => void rig.sandbox.refundCharge(await paidTopup(tenant, 40)) },
  'dispute.opened': { trigger: async ({ tenant }) => void rig.sandbox.disputeCharge(await paidTopup(tenant, 40)) },
  'dispute.closed': {
    trigger: async ({ tenant }) => {
      const dispute = rig.sandbox.disputeCharge(await paidTopup(tenant, 40));
      await rig.sandbox.webhooks.idle();
      rig.sandbox.closeDispute(dispute.id, 'lost');
    },
  },
  'webhook_endpoint.disabled': { trigger: async ({ tenant }) => failAnotherEndpointForThreeDays(tenant) },
  // issue 21: credit blocks
  'credit.granted': { trigger: async ({ tenant }) => void (await grant(tenant, {})) },
  'credit.expiring': { trigger: async ({ tenant }) => void (await grant(tenant, { expiresAt: new Date(rig.purse.ctx.nowMs() + DAY_MS).toISOString() }), await expireCreditBlocks(rig.purse.ctx)) },
  'credit.expired': {
    trigger: async ({ tenant }) => {
      const block = await grant(tenant, { expiresAt: new Date(rig.purse.ctx.nowMs() + 60_000).toISOString() });
      await rig.purse.ctx.store.db.updateTable('credit_blocks').set({ expires_at_ms: BigInt(rig.purse.ctx.nowMs() - 1) }).where('id', '=', block.id).execute();
      expect(await expireCreditBlocks(rig.purse.ctx)).toBeGreaterThanOrEqual(1);
    },
  },
  'credit.voided': {
    trigger: async ({ tenant }) => {
      const block = await grant(tenant, {});
      expect((await admin(rig.purse, 'POST', `/v1/admin/credits/${block.id}/void`, { reason: 'mistake' })).status).toBe(200);
    },
  },
  'webhook_endpoint.test': {
    events: [],
    trigger: async ({ tenant, endpoint }) => {
      expect((await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/webhook-endpoints/${endpoint.id}/test`)).status).toBe(202);
    },
  },
};

async function checkout(tenant: TestTenant, amount: number): Promise<{ url: string; orderId: string }> {
  const res = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount });
  expect(res.status).toBe(200);
  return res.body;
}

/** A top-up paid by card (the sandbox delivers its webhooks); returns the charge behind it. */
async function paidTopup(tenant: TestTenant, amount: number): Promise<string> {
  const session = rig.sandbox.paySession(sessionIdOf((await checkout(tenant, amount)).url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  const succeeded = rig.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === session.payment_intent);
  return (succeeded?.data.object as { latest_charge: string }).latest_charge;
}

/** Auto top-up is armed at 50 with 60 in the wallet: a debit of 20 crosses it, and the worker charges. */
async function crossAutoTopupThreshold({ tenant }: Scene): Promise<void> {
  expect((await debit(rig, tenant, 20)).status).toBe(201);
  await work(rig);
}

/** Another endpoint of the tenant answers 503 for three days of retries, until it is disabled. */
async function failAnotherEndpointForThreeDays(tenant: TestTenant): Promise<void> {
  const failing = await startReceiver();
  try {
    failing.answer = () => 503;
    const res = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/webhook-endpoints', { url: failing.url, events: ['wallet.adjusted'] });
    expect(res.status).toBe(201);
    await fundWallet(rig.purse, tenant.tenantId, 5);
    const deliveryOf = () => rig.purse.ctx.store.db.selectFrom('webhook_deliveries').selectAll().where('endpoint_id', '=', res.body.id).executeTakeFirstOrThrow();
    await runWebhookWorker(rig.purse.ctx);
    for (let due = await deliveryOf(); due.state === 'pending'; due = await deliveryOf()) {
      rig.sandbox.clock.advance(Math.max(0, Math.ceil((Number(due.next_attempt_at_ms) - rig.sandbox.clock.nowMs()) / 1000)));
      await runWebhookWorker(rig.purse.ctx);
    }
    expect(failing.received.length).toBeGreaterThan(1);
  } finally {
    await failing.close();
  }
}

/** Fans out and sends until nothing is due. */
async function drainOutbox(): Promise<void> {
  await rig.sandbox.webhooks.idle();
  while ((await runWebhookWorker(rig.purse.ctx)) > 0) {
    await rig.sandbox.webhooks.idle();
  }
}

describe(`every catalog event, from its trigger to a verifying receiver (${testDatabaseKind()})`, () => {
  it('has a trigger case for every event type in the catalog, and none for a type outside it', () => {
    expect(Object.keys(CASES).sort()).toEqual([...EVENT_TYPES].sort());
  });

  it.each(EVENT_TYPES.map((type) => [type]))('%s: emitted by its trigger, signed (standardwebhooks), data as published', async (type) => {
    const c = CASES[type];
    const tenant = await (c.tenant ?? (() => setupTenant(rig.purse, 'USD')))();
    const receiver: Receiver = await startReceiver();
    try {
      const created = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/webhook-endpoints', { url: receiver.url, events: c.events ?? [type] });
      expect(created.status).toBe(201);
      await c.trigger({ tenant, endpoint: created.body });
      await drainOutbox();
      const verified = receiver.verified(created.body.secret);
      const ofType = verified.filter((e) => e.type === type);
      expect(ofType, `received: ${verified.map((e) => e.type).join(', ')}`).toHaveLength(1);
      const [event] = ofType;
      expect(event).toMatchObject({ id: expect.stringMatching(/^evt_/), tenantId: tenant.tenantId, createdAt: expect.any(String) });
      const schema = EVENT_DATA_SCHEMAS[type];
      expect([...Value.Errors(schema, event!.data)], JSON.stringify(event!.data)).toEqual([]);
      // Every published field present, and nothing unpublished sent.
      expect(Object.keys(event!.data).sort()).toEqual(Object.keys((schema as unknown as { properties: object }).properties).sort());
    } finally {
      await receiver.close();
    }
  }, 60_000);
});

/**
 * Issue 19: an operator-wide endpoint registered BEFORE the tenant exists hears every event of that tenant
 * (wallet.debited was lost: the new wallet's subscription flag started at 0). Every type whose trigger is a
 * tenant's own life; `webhook_endpoint.test` is a ping of one endpoint by its owner, not a tenant event.
 */
const TENANT_LIFE_TYPES = EVENT_TYPES.filter((type) => type !== 'webhook_endpoint.test');

describe(`every catalog event reaches an endpoint registered before the tenant (${testDatabaseKind()})`, () => {
  it.each(TENANT_LIFE_TYPES.map((type) => [type]))('%s: delivered once for a tenant created after the endpoint', async (type) => {
    const c = CASES[type];
    const receiver: Receiver = await startReceiver();
    const created = await admin(rig.purse, 'POST', '/v1/admin/webhook-endpoints', { url: receiver.url, events: c.events ?? [type] });
    expect(created.status).toBe(201);
    try {
      const tenant = await (c.tenant ?? (() => setupTenant(rig.purse, 'USD')))();
      await c.trigger({ tenant, endpoint: created.body });
      await drainOutbox();
      const ofTenant = receiver.verified(created.body.secret).filter((e) => e.type === type && e.tenantId === tenant.tenantId);
      expect(ofTenant).toHaveLength(1);
    } finally {
      expect((await admin(rig.purse, 'DELETE', `/v1/admin/webhook-endpoints/${created.body.id}`)).status).toBe(200);
      await receiver.close();
    }
  }, 60_000);
});
