import { describe, expect, it } from 'vitest';
import { isCurrency, minorDigits } from './currencies.ts';
import { boundsFromMajor, defaultBounds, topupBounds } from './limits.ts';
import { formatMajor, parseMajor, toMajorNumber } from './money.ts';

describe('parseMajor', () => {
  it.each([
    ['10', 'BRL', 1000n],
    ['10.5', 'BRL', 1050n],
    ['10.50', 'BRL', 1050n],
    ['10.500', 'BRL', 1050n],
    [10.5, 'BRL', 1050n],
    [0, 'BRL', 0n],
    ['0.01', 'USD', 1n],
    ['007.10', 'EUR', 710n],
    ['500', 'JPY', 500n],
    ['500.0', 'JPY', 500n],
    ['1.23', 'KWD', 1230n],
    ['1.2', 'BHD', 1200n],
    ['999999999999999', 'BRL', 99999999999999900n],
  ])('reads %j %s as %s minor units', (input, currency, minor) => {
    expect(parseMajor(input, currency)).toBe(minor);
  });

  it.each([
    ['10.505', 'BRL'],
    ['0.001', 'USD'],
    ['1.5', 'JPY'],
    ['1.2345', 'KWD'],
    // Stripe takes three-decimal currencies in steps of ten minor units (last digit 0).
    ['1.234', 'KWD'],
    [0.001, 'EUR'],
  ])('refuses %j %s as too precise', (input, currency) => {
    expect(parseMajor(input, currency)).toBe('too_precise');
  });

  it.each([
    ['', 'empty'], [' 10', 'space'], ['10 ', 'trailing space'], ['-10', 'sign'], ['+10', 'plus'], ['1e3', 'exponent'],
    ['1,000', 'separator'], ['1.000,50', 'comma decimal'], ['.5', 'no whole part'], ['5.', 'empty fraction'],
    ['0x10', 'hex'], ['NaN', 'NaN text'], [Number.NaN, 'NaN'], [Number.POSITIVE_INFINITY, 'Infinity'], [1e21, 'exponent number'],
    [-1, 'negative number'], [null, 'null'], [undefined, 'undefined'], [true, 'boolean'], [{}, 'object'], [['1'], 'array'],
    ['1000000000000000', 'sixteen integer digits'],
  ] as Array<[unknown, string]>)('refuses %j (%s) as invalid', (input) => {
    expect(parseMajor(input, 'BRL')).toBe('invalid');
  });
});

describe('formatMajor and toMajorNumber', () => {
  it.each([
    [1050n, 'BRL', '10.5', 10.5],
    [1000n, 'BRL', '10', 10],
    [1n, 'USD', '0.01', 0.01],
    [0n, 'USD', '0', 0],
    [-250n, 'EUR', '-2.5', -2.5],
    [500n, 'JPY', '500', 500],
    [1230n, 'KWD', '1.23', 1.23],
    [10n, 'KWD', '0.01', 0.01],
    [999_999_999_999_999n, 'BRL', '9999999999999.99', 9999999999999.99],
  ])('writes %s %s as %j and %j', (minor, currency, text, number) => {
    expect(formatMajor(minor, currency)).toBe(text);
    expect(toMajorNumber(minor, currency)).toBe(number);
    // What is written reads back as the same amount.
    if (minor >= 0n) expect(parseMajor(text, currency)).toBe(minor);
  });

  it('refuses to write an amount too large for an exact JSON number', () => {
    expect(() => toMajorNumber(10n ** 15n, 'BRL')).toThrow(/too large/);
    expect(() => toMajorNumber(-(10n ** 15n), 'BRL')).toThrow(/too large/);
  });
});

describe('currencies', () => {
  it.each([
    ['BRL', 2], ['USD', 2], ['EUR', 2], ['JPY', 0], ['KRW', 0], ['CLP', 0], ['KWD', 3], ['BHD', 3], ['TND', 3],
  ])('%s has %i decimals', (code, digits) => {
    expect(isCurrency(code)).toBe(true);
    expect(minorDigits(code)).toBe(digits);
  });

  it.each(['XXX', 'brl', 'BR', 'BTC', ''])('%j is not a currency, and asking its decimals throws', (code) => {
    expect(isCurrency(code)).toBe(false);
    expect(() => minorDigits(code)).toThrow(/Unknown currency/);
  });
});

describe('top-up limits per currency', () => {
  const STRIPE_AMOUNT_MAX_MINOR = 99_999_999n;
  it.each([
    ['USD', 500n, 500_000n],
    ['BRL', 50n, STRIPE_AMOUNT_MAX_MINOR],
    ['EUR', 50n, STRIPE_AMOUNT_MAX_MINOR],
    ['GBP', 30n, STRIPE_AMOUNT_MAX_MINOR],
    ['MXN', 1000n, STRIPE_AMOUNT_MAX_MINOR],
    ['JPY', 50n, STRIPE_AMOUNT_MAX_MINOR],
    ['KRW', 50n, STRIPE_AMOUNT_MAX_MINOR],
    // The largest amount in KWD's steps of ten.
    ['KWD', 500n, STRIPE_AMOUNT_MAX_MINOR - 9n],
  ])('%s defaults to %s..%s minor units', (currency, minMinor, maxMinor) => {
    expect(defaultBounds(currency)).toEqual({ minMinor, maxMinor });
    expect(topupBounds(currency, {})).toEqual({ minMinor, maxMinor });
  });

  it.each([
    ['BRL', '10', '2000', { minMinor: 1000n, maxMinor: 200_000n }],
    ['JPY', '100', '100000', { minMinor: 100n, maxMinor: 100_000n }],
    ['KWD', '1.5', '100', { minMinor: 1500n, maxMinor: 100_000n }],
    ['USD', '5', '5', { minMinor: 500n, maxMinor: 500n }],
  ])('TOPUP_LIMITS %s %s..%s override the default', (currency, min, max, bounds) => {
    expect(boundsFromMajor(currency, min, max)).toEqual(bounds);
    expect(topupBounds(currency, { [currency]: { min, max } })).toEqual(bounds);
  });

  it.each([
    ['BRL', '0', '10', 'zero floor'],
    ['BRL', '20', '10', 'floor above ceiling'],
    ['JPY', '1.5', '100', 'too precise for the currency'],
    ['BRL', 'ten', '100', 'not a number'],
  ])('refuses %s %s..%s (%s) and falls back to the default', (currency, min, max) => {
    expect(boundsFromMajor(currency, min, max)).toBeUndefined();
    expect(topupBounds(currency, { [currency]: { min, max } })).toEqual(defaultBounds(currency));
  });

  it('applies an override to its own currency only', () => {
    expect(topupBounds('EUR', { BRL: { min: '10', max: '20' } })).toEqual(defaultBounds('EUR'));
  });
});
