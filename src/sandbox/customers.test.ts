import Stripe from 'stripe';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startTestSandbox, stripeClient } from './test-support.ts';
import type { TestSandbox } from './test-support.ts';

let t: TestSandbox;
beforeEach(async () => {
  t = await startTestSandbox();
});
afterEach(async () => {
  await t.sandbox.close();
});

describe('customers: create, retrieve and update', () => {
  it('creates a customer with a cus_ id and the clock time, and retrieves it', async () => {
    const created = await t.stripe.customers.create({
      email: 'ops@tenant.test',
      name: 'Tenant One',
      metadata: { tenantId: 'ten_1' },
      address: { country: 'BR', city: 'São Paulo' },
    });
    expect(created.id).toMatch(/^cus_[A-Za-z0-9]{24}$/);
    expect(created.object).toBe('customer');
    expect(created.created).toBe(Math.floor(t.sandbox.clock.nowMs() / 1000));
    expect(created.address).toMatchObject({ country: 'BR', city: 'São Paulo', line1: null });
    const fetched = await t.stripe.customers.retrieve(created.id);
    expect(fetched).toMatchObject({ id: created.id, email: 'ops@tenant.test', name: 'Tenant One', metadata: { tenantId: 'ten_1' } });
  });

  it('merges metadata on update, deletes keys set to empty, and updates the address', async () => {
    const created = await t.stripe.customers.create({ metadata: { a: '1', b: '2' } });
    const updated = await t.stripe.customers.update(created.id, {
      email: 'new@tenant.test',
      metadata: { a: '', c: '3' },
      address: { line1: 'Rua A, 1', country: 'BR' },
    });
    expect(updated.metadata).toEqual({ b: '2', c: '3' });
    expect(updated.email).toBe('new@tenant.test');
    expect(updated.address?.line1).toBe('Rua A, 1');
  });

  it('sets and clears invoice_settings.default_payment_method with an attached card', async () => {
    const customer = await t.stripe.customers.create({});
    const method = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: customer.id });
    const withDefault = await t.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: method.id } });
    expect(withDefault.invoice_settings.default_payment_method).toBe(method.id);
    const cleared = await t.stripe.customers.update(customer.id, { invoice_settings: { default_payment_method: '' } });
    expect(cleared.invoice_settings.default_payment_method).toBeNull();
  });
});

describe('customers: refused requests', () => {
  it('refuses a default payment method that belongs to nobody, naming the param and changing nothing', async () => {
    const customer = await t.stripe.customers.create({ name: 'Before' });
    const loose = await t.stripe.paymentMethods.attach('pm_card_visa', { customer: (await t.stripe.customers.create({})).id });
    const error = await t.stripe.customers
      .update(customer.id, { name: 'After', invoice_settings: { default_payment_method: loose.id } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect((error as Stripe.errors.StripeInvalidRequestError).param).toBe('invoice_settings[default_payment_method]');
    expect((await t.stripe.customers.retrieve(customer.id)) as Stripe.Customer).toMatchObject({ name: 'Before' });
  });

  it('answers an unknown customer with 404 resource_missing', async () => {
    const error = (await t.stripe.customers.retrieve('cus_missing').catch((e: unknown) => e)) as Stripe.errors.StripeError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(404);
    expect(error.code).toBe('resource_missing');
  });

  it('rejects an unknown parameter with 400 invalid_request_error naming it', async () => {
    const error = (await t.stripe.customers
      .create({ emial: 'typo@x.test' } as Stripe.CustomerCreateParams)
      .catch((e: unknown) => e)) as Stripe.errors.StripeInvalidRequestError;
    expect(error).toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    expect(error.statusCode).toBe(400);
    expect(error.param).toBe('emial');
    expect(error.message).toContain('Received unknown parameter: emial');
  });
});

describe('authentication', () => {
  it('rejects a live key with StripeAuthenticationError', async () => {
    const live = stripeClient(t.sandbox, 'sk_live_abcdef1234');
    await expect(live.customers.create({})).rejects.toBeInstanceOf(Stripe.errors.StripeAuthenticationError);
  });

  it('rejects a request with no key at all with 401', async () => {
    const response = await fetch(`${t.sandbox.url}/v1/customers`, { method: 'POST' });
    expect(response.status).toBe(401);
    expect(((await response.json()) as { error: { type: string } }).error.type).toBe('invalid_request_error');
  });

  it('accepts only the configured key when secretKey is set', async () => {
    const strict = await startTestSandbox({ secretKey: 'sk_test_only_this' });
    try {
      await expect(stripeClient(strict.sandbox, 'sk_test_other').customers.create({})).rejects.toBeInstanceOf(
        Stripe.errors.StripeAuthenticationError,
      );
      const ok = await stripeClient(strict.sandbox, 'sk_test_only_this').customers.create({});
      expect(ok.id).toMatch(/^cus_/);
    } finally {
      await strict.sandbox.close();
    }
  });
});

describe('idempotency', () => {
  it('replays the stored response for the same key and parameters, marked Idempotent-Replayed', async () => {
    const first = await t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'key-1' });
    const second = await t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'key-1' });
    expect(second.id).toBe(first.id);
    expect(second.lastResponse.headers['idempotent-replayed']).toBe('true');
    expect(first.lastResponse.headers['idempotent-replayed']).toBeUndefined();
  });

  it('refuses the same key with other parameters with StripeIdempotencyError', async () => {
    await t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'key-2' });
    const error = await t.stripe.customers.create({ email: 'b@x.test' }, { idempotencyKey: 'key-2' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Stripe.errors.StripeIdempotencyError);
    expect((error as Stripe.errors.StripeError).statusCode).toBe(400);
  });

  it('does not store a validation failure, so a corrected request may reuse the key', async () => {
    const bad = { email: 'a@x.test', bogus: '1' } as Stripe.CustomerCreateParams;
    await expect(t.stripe.customers.create(bad, { idempotencyKey: 'key-3' })).rejects.toBeInstanceOf(Stripe.errors.StripeInvalidRequestError);
    const corrected = await t.stripe.customers.create({ email: 'a@x.test' }, { idempotencyKey: 'key-3' });
    expect(corrected.id).toMatch(/^cus_/);
  });
});
