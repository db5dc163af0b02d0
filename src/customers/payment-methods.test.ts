import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey, setupTenant, type TestTenant } from '../testing/api.ts';
import { type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

const CARDS = ['4242424242424242', '5555555555554444', '4000056655665556'];

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});

async function saveCard(tenant: TestTenant, card: string): Promise<string> {
  const res = await asKey(rig.purse, tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
  expect(res.status).toBe(200);
  rig.sandbox.paySession(sessionIdOf(res.body.url), { card });
  // A later card is newer by the clock: "newest remaining" must not depend on ids generated in one millisecond.
  rig.sandbox.advanceClock(1_000);
  await rig.sandbox.webhooks.idle();
  const cards = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data as Array<{ id: string; last4: string }>;
  return cards.find((c) => c.last4 === card.slice(-4))!.id;
}

async function cardsOf(tenant: TestTenant): Promise<Array<[string, boolean]>> {
  const cards = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods')).body.data as Array<{ last4: string; isDefault: boolean }>;
  return cards.map((c) => [c.last4, c.isDefault]);
}

describe('make default', () => {
  it('moves the default to the chosen card, answering the card with isDefault true', async () => {
    const tenant = await setupTenant(rig.purse);
    await saveCard(tenant, CARDS[0]!);
    const second = await saveCard(tenant, CARDS[1]!);
    const res = await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/payment-methods/${second}/default`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: second, last4: '4444', isDefault: true });
    expect(await cardsOf(tenant)).toEqual([['4444', true], ['4242', false]]);
    const again = await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/payment-methods/${second}/default`);
    expect(again.body.isDefault).toBe(true);
  });

  it('keeps exactly one default when two cards are made default at once', async () => {
    const tenant = await setupTenant(rig.purse);
    const ids = [await saveCard(tenant, CARDS[0]!), await saveCard(tenant, CARDS[1]!), await saveCard(tenant, CARDS[2]!)];
    const results = await Promise.all([ids[1], ids[2], ids[1], ids[2]].map((id) => asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/payment-methods/${id}/default`)));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect((await cardsOf(tenant)).filter(([, isDefault]) => isDefault)).toHaveLength(1);
  });

  it("answers 404 for another tenant's card, an unknown one, and refuses a number key", async () => {
    const owner = await setupTenant(rig.purse);
    const stranger = await setupTenant(rig.purse);
    const card = await saveCard(owner, CARDS[0]!);
    expect((await asKey(rig.purse, stranger.tenantKey, 'POST', `/v1/billing/payment-methods/${card}/default`)).body.code).toBe('NOT_FOUND');
    expect((await asKey(rig.purse, stranger.tenantKey, 'POST', '/v1/billing/payment-methods/pm_nope/default')).status).toBe(404);
    expect((await asKey(rig.purse, owner.numberKey, 'POST', `/v1/billing/payment-methods/${card}/default`)).body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    expect(await cardsOf(owner)).toEqual([['4242', true]]);
  });
});

describe('remove', () => {
  it('detaches the card at Stripe and makes the newest remaining card the default', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(tenant, CARDS[0]!);
    await saveCard(tenant, CARDS[1]!);
    await saveCard(tenant, CARDS[2]!);
    const res = await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${first}`);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: first, removed: true });
    expect(await cardsOf(tenant)).toEqual([['5556', true], ['4444', false]]);
    const atStripe = await rig.stripe.paymentMethods.retrieve(first);
    expect(atStripe.customer).toBeNull();
    expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${first}`)).status).toBe(404);
  });

  it('removing a card that is not the default leaves the default alone; removing the last leaves none', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(tenant, CARDS[0]!);
    const second = await saveCard(tenant, CARDS[1]!);
    expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${second}`)).status).toBe(200);
    expect(await cardsOf(tenant)).toEqual([['4242', true]]);
    expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${first}`)).status).toBe(200);
    expect(await cardsOf(tenant)).toEqual([]);
  });

  it('finishes a removal whose card Stripe already detached (a retry after a crash)', async () => {
    const tenant = await setupTenant(rig.purse);
    const card = await saveCard(tenant, CARDS[0]!);
    await rig.stripe.paymentMethods.detach(card);
    expect((await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${card}`)).status).toBe(200);
    expect(await cardsOf(tenant)).toEqual([]);
  });

  it('changes nothing when Stripe is down, answering 502', async () => {
    const tenant = await setupTenant(rig.purse);
    const card = await saveCard(tenant, CARDS[0]!);
    rig.sandbox.setFaults({ failNext: 10, status: 500 });
    const res = await asKey(rig.purse, tenant.tenantKey, 'DELETE', `/v1/billing/payment-methods/${card}`);
    rig.sandbox.setFaults({ failNext: 0 });
    expect(res.status).toBe(502);
    expect(res.body.code).toBe('STRIPE_UNAVAILABLE');
    expect(await cardsOf(tenant)).toEqual([['4242', true]]);
  });

  it("answers 404 for another tenant's card and leaves it in place", async () => {
    const owner = await setupTenant(rig.purse);
    const stranger = await setupTenant(rig.purse);
    const card = await saveCard(owner, CARDS[0]!);
    const res = await asKey(rig.purse, stranger.tenantKey, 'DELETE', `/v1/billing/payment-methods/${card}`);
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
    expect(await cardsOf(owner)).toEqual([['4242', true]]);
  });
});

describe('list', () => {
  it('pages through the cards default first, then oldest first, with nextCursor null on the last page', async () => {
    const tenant = await setupTenant(rig.purse);
    const ids = [await saveCard(tenant, CARDS[0]!), await saveCard(tenant, CARDS[1]!), await saveCard(tenant, CARDS[2]!)];
    expect((await asKey(rig.purse, tenant.tenantKey, 'POST', `/v1/billing/payment-methods/${ids[2]}/default`)).status).toBe(200);
    const seen: string[] = [];
    let cursor: string | null = null;
    const pageSizes: number[] = [];
    do {
      const query: string = cursor === null ? '?limit=2' : `?limit=2&cursor=${cursor}`;
      const page = await asKey(rig.purse, tenant.tenantKey, 'GET', `/v1/billing/payment-methods${query}`);
      expect(page.status).toBe(200);
      pageSizes.push(page.body.data.length);
      seen.push(...(page.body.data as Array<{ id: string }>).map((c) => c.id));
      cursor = page.body.nextCursor as string | null;
    } while (cursor !== null);
    expect(pageSizes).toEqual([2, 1]);
    expect(seen).toEqual([ids[2], ids[0], ids[1]]);
    const whole = await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/payment-methods');
    expect(whole.body.nextCursor).toBeNull();
  });

  it.each([
    ['limit=0', 'VALIDATION_ERROR'],
    ['limit=101', 'VALIDATION_ERROR'],
    ['limit=two', 'VALIDATION_ERROR'],
    ['cursor=nonsense', 'CURSOR_INVALID'],
    [`cursor=${Buffer.from('1.12.not-a-card').toString('base64url')}`, 'CURSOR_INVALID'],
  ])('refuses %s with 400 %s', async (query, code) => {
    const tenant = await setupTenant(rig.purse);
    const res = await asKey(rig.purse, tenant.tenantKey, 'GET', `/v1/billing/payment-methods?${query}`);
    expect([res.status, res.body.code]).toEqual([400, code]);
  });

  it("never lists another tenant's cards", async () => {
    const owner = await setupTenant(rig.purse);
    const stranger = await setupTenant(rig.purse);
    await saveCard(owner, CARDS[0]!);
    const res = await asKey(rig.purse, stranger.tenantKey, 'GET', '/v1/billing/payment-methods');
    expect(res.body).toEqual({ data: [], nextCursor: null });
  });
});
