import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultBounds } from '../money/limits.ts';
import { formatMajor, parseMajor } from '../money/money.ts';
import { minorDigits } from '../money/currencies.ts';
import { currencyExponent, stepProblem } from '../sandbox/money.ts';
import { createTopup, type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { asKey } from '../testing/api.ts';

/** One row per currency where Stripe's minor units are not simply ISO's; Purse and the sandbox must both agree. */
const SPECIAL_CURRENCIES: Array<[code: string, exponent: number, accepted: [string, bigint], refused: string]> = [
  ['MGA', 0, ['10000', 10000n], '10000.5'],
  ['UGX', 0, ['5000', 5000n], '5000.5'],
  ['ISK', 2, ['5', 500n], '5.5'],
  ['HUF', 2, ['175.25', 17525n], '1.001'],
  ['TWD', 2, ['30.5', 3050n], '1.001'],
  ['BHD', 3, ['1.23', 1230n], '1.234'],
  ['JOD', 3, ['1.5', 1500n], '1.005'],
  ['KWD', 3, ['2.01', 2010n], '2.011'],
  ['OMR', 3, ['0.5', 500n], '0.501'],
  ['TND', 3, ['10.99', 10990n], '10.999'],
];

describe('the shared currency table follows Stripe, not ISO', () => {
  it.each(SPECIAL_CURRENCIES)('%s has exponent %i in Purse and in the sandbox', (code, exponent, [text, amountMinor], refused) => {
    expect(minorDigits(code)).toBe(exponent);
    expect(currencyExponent(code.toLowerCase())).toBe(exponent);
    expect(parseMajor(text, code)).toBe(amountMinor);
    expect(formatMajor(amountMinor, code)).toBe(text);
    expect(parseMajor(refused, code)).toBe('too_precise');
    expect(stepProblem(code.toLowerCase(), amountMinor)).toBeUndefined();
  });

  it.each([['ISK', 550n], ['BHD', 1234n], ['TND', 10999n]])('the sandbox refuses %s %s minor units, as Stripe does', (code, amountMinor) => {
    expect(stepProblem(code.toLowerCase(), amountMinor)).toMatch(/multiple of/);
  });

  it.each(SPECIAL_CURRENCIES.map((row) => row[0]))('the default top-up bounds of %s are amounts Stripe accepts', (code) => {
    const bounds = defaultBounds(code);
    expect(stepProblem(code, bounds.minMinor)).toBeUndefined();
    expect(stepProblem(code, bounds.maxMinor)).toBeUndefined();
  });
});

describe('a top-up in a special currency, through Stripe', () => {
  let rig: Rig;
  beforeAll(async () => {
    rig = await startRig({ deliverWebhooks: false, currency: 'MGA' });
  });
  afterAll(() => rig.close());

  it('sends 10,000 MGA to Stripe as 10000 minor units, not 1,000,000', async () => {
    const checkout = await createTopup(rig, 10000);
    const session = await rig.stripe.checkout.sessions.retrieve(sessionIdOf(checkout.url));
    expect(session.amount_subtotal).toBe(10000);
    expect(session.currency).toBe('mga');
  });

  it('refuses a fraction of an ariary with AMOUNT_INVALID', async () => {
    const res = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'wallet_topup', amount: '10000.5' });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('AMOUNT_INVALID');
  });
});
