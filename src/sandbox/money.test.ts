import { describe, expect, it } from 'vitest';
import { computeTaxMinor, convertMinor, currencyExponent, formatMinor } from './money.ts';

describe('sandbox money', () => {
  it('knows zero- and three-decimal currencies', () => {
    expect([currencyExponent('jpy'), currencyExponent('krw'), currencyExponent('brl'), currencyExponent('kwd')]).toEqual([0, 0, 2, 3]);
  });

  it('formats minor units without floating point', () => {
    expect(formatMinor(5000, 'brl')).toBe('50.00 BRL');
    expect(formatMinor(5, 'usd')).toBe('0.05 USD');
    expect(formatMinor(1500, 'jpy')).toBe('1500 JPY');
  });

  it('converts between currencies across exponents, rounding half up', () => {
    expect(convertMinor(5000, 'brl', 'eur')).toBe(852);
    expect(convertMinor(1000, 'usd', 'jpy')).toBe(1500);
    expect(convertMinor(1500, 'jpy', 'usd')).toBe(1000);
  });

  it('computes a flat tax per country in integer minor units', () => {
    expect(computeTaxMinor(5000, 'BR')).toBe(500);
    expect(computeTaxMinor(5000, 'de')).toBe(950);
    expect(computeTaxMinor(999, 'US')).toBe(72);
  });
});
