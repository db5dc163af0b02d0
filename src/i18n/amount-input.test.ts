import { describe, expect, it } from 'vitest';
import { readAmountInput } from './amount-input.ts';
import { negotiateLocale } from './locale.ts';

describe('amounts typed by customers, read in their locale', () => {
  it.each([
    ['1.234,56', 'pt-BR', 'BRL', '1234.56'],
    ['1.234,56', 'de-DE', 'EUR', '1234.56'],
    ['1,234.56', 'en-US', 'USD', '1234.56'],
    ['1.234,56', 'en-US', 'BRL', '1234.56'],
    ['1 234,56', 'fr-FR', 'EUR', '1234.56'],
    ['1\u202f234,56', 'fr-FR', 'EUR', '1234.56'],
    ["1'234.50", 'de-CH', 'CHF', '1234.50'],
    ['1.000', 'pt-BR', 'BRL', '1000'],
    ['1.000', 'de-DE', 'EUR', '1000'],
    ['1,000', 'en-US', 'USD', '1000'],
    ['1.000.000', 'de-DE', 'EUR', '1000000'],
    ['12,5', 'en-US', 'USD', '12.5'],
    ['12.5', 'de-DE', 'EUR', '12.5'],
    ['0,500', 'pt-BR', 'BRL', '0.500'],
    ['$20', 'en-US', 'USD', '20'],
    ['US$ 20', 'en-US', 'USD', '20'],
    ['R$ 1.234,50', 'pt-BR', 'BRL', '1234.50'],
    ['20 €', 'de-DE', 'EUR', '20'],
    ['20 BRL', 'en-US', 'BRL', '20'],
    ['5.001', 'en-US', 'USD', '5.001'],
    ['ten', 'en-US', 'USD', 'ten'],
    ['1.2.3,4', 'de-DE', 'EUR', '1.2.3,4'],
  ])('reads %j in %s (%s) as %j', (typed, locale, currency, decimal) => {
    expect(readAmountInput(typed, locale, currency)).toEqual({ kind: 'decimal', text: decimal });
  });

  it.each([
    ['1.000', 'en-US', 'BRL'],
    ['1,000', 'pt-BR', 'BRL'],
    ['1,000', 'de-DE', 'EUR'],
    ['1.500', 'en-US', 'USD'],
    ['1.000', 'fr-FR', 'EUR'],
  ])('refuses %j in %s (%s) as ambiguous: a thousand or one?', (typed, locale, currency) => {
    expect(readAmountInput(typed, locale, currency)).toEqual({ kind: 'ambiguous' });
  });

  it('picks the browser locale Intl knows, English when none', () => {
    expect(negotiateLocale('de-DE,de;q=0.9,en;q=0.8')).toBe('de-DE');
    expect(negotiateLocale('en-GB')).toBe('en-GB');
    expect(negotiateLocale('xx-invalid-<script>, pt-BR;q=0.5')).toBe('pt-BR');
    expect(negotiateLocale(undefined)).toBe('en');
  });
});
