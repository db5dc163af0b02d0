import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey, setupTenant, type TestTenant } from '../testing/api.ts';
import { cardsOf, saveCard } from '../testing/cards.ts';
import { startTestPurse, testDatabaseKind } from '../testing/harness.ts';
import { type Rig, startRig } from '../testing/stripe-rig.ts';
import { savePaymentMethod } from './save-payment-method.ts';
import { detachDuplicates } from './detach-duplicates.ts';
import { eventsOf } from '../testing/auto-topup.ts';

let rig: Rig;
beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});

function call(tenant: TestTenant, method: 'GET' | 'POST' | 'DELETE', url: string) {
  return asKey(rig.purse, tenant.tenantKey, method, url);
}

describe('cards on file: saving and duplicates', () => {
  it('keeps the real brand, last4 and expiry Stripe reports', async () => {
    const tenant = await setupTenant(rig.purse);
    await saveCard(rig, tenant, '5555555555554444');
    expect(await cardsOf(rig, tenant)).toEqual([expect.objectContaining({ brand: 'mastercard', last4: '4444', expMonth: 11, expYear: 2033, isDefault: true })]);
  });

  it('lists a card saved again (same number, new payment method) once: the new one replaces it, keeping it the default', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(rig, tenant, '4242424242424242');
    const other = await saveCard(rig, tenant, '5555555555554444');
    const again = await saveCard(rig, tenant, '4242424242424242');
    expect(again).not.toBe(first);
    expect((await cardsOf(rig, tenant)).map((c) => [c.id, c.last4, c.isDefault])).toEqual([[again, '4242', true], [other, '4444', false]]);
    // The older copy is detached at Stripe too, and an event says which card replaced it.
    expect((await rig.stripe.paymentMethods.retrieve(first)).customer).toBeNull();
    expect((await rig.stripe.paymentMethods.retrieve(again)).customer).not.toBeNull();
    expect(await eventsOf(rig, tenant, 'payment_method.duplicate_detached')).toEqual([
      expect.objectContaining({ paymentMethodId: first, replacedBy: again, brand: 'visa', last4: '4242' }),
    ]);
  });

  it('a duplicate not yet detached (a crash after the commit) is detached by the job, once', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(rig, tenant, '4242424242424242');
    await saveCard(rig, tenant, '4242424242424242');
    await rig.purse.ctx.store.db.updateTable('payment_methods').set({ detached_at_ms: null }).where('id', '=', first).execute();
    expect(await detachDuplicates(rig.purse.ctx)).toBe(1);
    expect(await detachDuplicates(rig.purse.ctx)).toBe(0);
    expect((await rig.stripe.paymentMethods.retrieve(first)).customer).toBeNull();
    expect(await eventsOf(rig, tenant, 'payment_method.duplicate_detached')).toHaveLength(2);
  });

  it('refuses a second live copy of one card at the database (unique tenant + fingerprint)', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(rig, tenant, '4242424242424242');
    const row = await rig.purse.ctx.store.db.selectFrom('payment_methods').selectAll().where('id', '=', first).executeTakeFirstOrThrow();
    const copy = rig.purse.ctx.store.db.insertInto('payment_methods').values({ ...row, id: 'pm_copy_of_the_same_card', is_default: 0n }).execute();
    await expect(copy).rejects.toThrow();
  });
});

describe('cards on file: default and removal', () => {
  it('makes another card the default, leaving exactly one default', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(rig, tenant, '4242424242424242');
    const second = await saveCard(rig, tenant, '5555555555554444');
    const res = await call(tenant, 'POST', `/v1/billing/payment-methods/${second}/default`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: second, isDefault: true, last4: '4444' });
    expect((await cardsOf(rig, tenant)).map((c) => [c.id, c.isDefault])).toEqual([[second, true], [first, false]]);
  });

  it('removes a card, detaches it at Stripe, and makes the newest remaining card the default', async () => {
    const tenant = await setupTenant(rig.purse);
    const oldest = await saveCard(rig, tenant, '4242424242424242');
    const middle = await saveCard(rig, tenant, '5555555555554444');
    const newest = await saveCard(rig, tenant, '378282246310005');
    const res = await call(tenant, 'DELETE', `/v1/billing/payment-methods/${oldest}`);
    expect(res).toMatchObject({ status: 200, body: { id: oldest, removed: true } });
    expect((await rig.stripe.paymentMethods.retrieve(oldest)).customer).toBeNull();
    expect((await cardsOf(rig, tenant)).map((c) => [c.id, c.isDefault])).toEqual([[newest, true], [middle, false]]);
    expect((await call(tenant, 'DELETE', `/v1/billing/payment-methods/${oldest}`)).status).toBe(404);
  });

  it('removes a non-default card without moving the default', async () => {
    const tenant = await setupTenant(rig.purse);
    const first = await saveCard(rig, tenant, '4242424242424242');
    const second = await saveCard(rig, tenant, '5555555555554444');
    expect((await call(tenant, 'DELETE', `/v1/billing/payment-methods/${second}`)).status).toBe(200);
    expect((await cardsOf(rig, tenant)).map((c) => [c.id, c.isDefault])).toEqual([[first, true]]);
  });
});

describe('cards on file: isolation, scopes and the single default', () => {
  it("answers 404 for another tenant's card and changes nothing", async () => {
    const owner = await setupTenant(rig.purse);
    const stranger = await setupTenant(rig.purse);
    const card = await saveCard(rig, owner, '4242424242424242');
    await saveCard(rig, stranger, '5555555555554444');
    expect((await call(stranger, 'POST', `/v1/billing/payment-methods/${card}/default`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call(stranger, 'DELETE', `/v1/billing/payment-methods/${card}`)).body).toMatchObject({ code: 'NOT_FOUND' });
    expect((await call(owner, 'POST', '/v1/billing/payment-methods/pm_unknown/default')).status).toBe(404);
    expect(await cardsOf(rig, owner)).toEqual([expect.objectContaining({ id: card, isDefault: true })]);
    expect((await rig.stripe.paymentMethods.retrieve(card)).customer).not.toBeNull();
  });

  it('refuses a number-scoped key on the card changes', async () => {
    const tenant = await setupTenant(rig.purse);
    const card = await saveCard(rig, tenant, '4242424242424242');
    const byNumber = await asKey(rig.purse, tenant.numberKey, 'DELETE', `/v1/billing/payment-methods/${card}`);
    expect(byNumber.body.code).toBe('NUMBER_SCOPE_NOT_ALLOWED');
    expect(await cardsOf(rig, tenant)).toHaveLength(1);
  });

  it(`leaves exactly one default when many cards are saved at once on two instances (${testDatabaseKind()})`, async () => {
    const tenant = await setupTenant(rig.purse);
    const second = await startTestPurse({}, { shareDatabaseOf: rig.purse, payments: rig.purse.ctx.payments });
    const customer = await rig.stripe.customers.create({});
    // Distinct cards: the same card saved twice is listed once (fingerprint), which is not what this counts.
    const methods = await Promise.all(['pm_card_visa', 'pm_card_mastercard', 'pm_card_amex', 'pm_card_visa_debit'].map(async (token) => {
      const pm = await rig.stripe.paymentMethods.attach(token, { customer: customer.id });
      return pm.id;
    }));
    const instances = [rig.purse.ctx, second.ctx];
    const outcomes = await Promise.all(methods.map((id, i) => savePaymentMethod(instances[i % 2]!, tenant.tenantId, id, { makeDefault: false })))
      .finally(() => second.close());
    expect(outcomes).toEqual(methods.map(() => 'saved'));
    const cards = await cardsOf(rig, tenant);
    expect(cards).toHaveLength(4);
    expect(cards.filter((c) => c.isDefault)).toHaveLength(1);
  });

  it('refuses a second default at the database, whatever the code does', async () => {
    const tenant = await setupTenant(rig.purse);
    await saveCard(rig, tenant, '4242424242424242');
    const second = await saveCard(rig, tenant, '5555555555554444');
    const forced = rig.purse.ctx.store.db.updateTable('payment_methods').set({ is_default: 1n }).where('id', '=', second).execute();
    await expect(forced).rejects.toThrow();
  });
});
