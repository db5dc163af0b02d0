import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
let customer: Stripe.Customer;

beforeEach(async () => {
  t = await startTestSandbox();
  customer = await t.stripe.customers.create({});
});
afterEach(async () => {
  await t.sandbox.close();
});

describe('payment methods', () => {
  it('lists a customer cards newest first through both SDK calls', async () => {
    const visa = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const mastercard = await t.stripe.paymentMethods.attach('pm_card_mastercard', { customer: customer.id });
    await t.stripe.paymentMethods.attach('pm_card_visa', { customer: (await t.stripe.customers.create({})).id });
    const viaPaymentMethods = await t.stripe.paymentMethods.list({ customer: customer.id, type: 'card' });
    expect(viaPaymentMethods.data.map((m) => m.id)).toEqual([mastercard.id, visa.id]);
    expect(viaPaymentMethods.url).toBe('/v1/payment_methods');
    const viaCustomers = await t.stripe.customers.listPaymentMethods(customer.id, { type: 'card' });
    expect(viaCustomers.data.map((m) => m.id)).toEqual([mastercard.id, visa.id]);
    expect(viaCustomers.data[0]?.card).toMatchObject({ brand: 'mastercard', last4: '4444', exp_month: 12 });
  });

  it('paginates a long card list with limit and starting_after', async () => {
    for (let i = 0; i < 3; i += 1) await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const page = await t.stripe.customers.listPaymentMethods(customer.id, { limit: 2 });
    expect(page.has_more).toBe(true);
    const rest = await t.stripe.customers.listPaymentMethods(customer.id, { limit: 2, starting_after: page.data[1]?.id });
    expect(rest.data).toHaveLength(1);
    expect(rest.has_more).toBe(false);
  });

  it('retrieves a payment method by id', async () => {
    const visa = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    expect(await t.stripe.paymentMethods.retrieve(visa.id)).toMatchObject({ id: visa.id, object: 'payment_method', customer: customer.id });
  });

  it('detaches a card, clearing it as the customer default', async () => {
    const visa = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await t.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: visa.id } });
    const detached = await t.stripe.paymentMethods.detach(visa.id);
    expect(detached.customer).toBeNull();
    expect(((await t.stripe.customers.retrieve(customer.id)) as Stripe.Customer).invoice_settings.default_payment_method).toBeNull();
    expect((await t.stripe.customers.listPaymentMethods(customer.id)).data).toEqual([]);
  });

  it('refuses to detach a card that is not attached', async () => {
    const visa = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    await t.stripe.paymentMethods.detach(visa.id);
    await expect(t.stripe.paymentMethods.detach(visa.id)).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
  });

  it('answers an unknown customer in the path with 404', async () => {
    const error = (await t.stripe.customers.listPaymentMethods('cus_nope').catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(error.statusCode).toBe(404);
  });
});
