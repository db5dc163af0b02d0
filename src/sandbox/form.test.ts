import { describe, expect, it } from 'vitest';
import { SandboxStripeError } from './errors.ts';
import { parseStripeForm } from './form.ts';
import { arr, int, obj, optional, parseObject, str } from './schema.ts';

describe('Stripe form decoding', () => {
  it('nests bracketed keys and turns indexes and [] into integer-keyed hashes', () => {
    const parsed = parseStripeForm(
      'line_items[0][price_data][currency]=brl&line_items[0][quantity]=1&metadata[orderId]=ord%201&expand[]=a&expand[]=b&expand%5B%5D=c',
    );
    expect(parsed).toEqual({
      line_items: { 0: { price_data: { currency: 'brl' }, quantity: '1' } },
      metadata: { orderId: 'ord 1' },
      expand: { 0: 'a', 1: 'b', 2: 'c' },
    });
  });

  it('keeps empty values, which Stripe reads as "unset"', () => {
    expect(parseStripeForm('metadata[a]=&description=')).toEqual({ metadata: { a: '' }, description: '' });
  });

  it.each(['a=1&a[b]=2', 'a[b]=2&a=1', 'a[b=1', '[x]=1'])('rejects the malformed form %s with a 400', (text) => {
    expect(() => parseStripeForm(text)).toThrow(SandboxStripeError);
  });
});

describe('parameter schemas', () => {
  const shape = { amount: int({ min: 1 }), items: optional(arr(obj({ name: str() }))) };

  it('converts types and orders array items by index', () => {
    expect(parseObject(shape, parseStripeForm('amount=5&items[1][name]=b&items[0][name]=a'), '')).toEqual({ amount: 5, items: [{ name: 'a' }, { name: 'b' }] });
  });

  it.each([
    ['amount=5&items[0][nom]=a', 'items[0][nom]', 'Received unknown parameter'],
    ['items[0][name]=a', 'amount', 'Missing required param'],
    ['amount=5.5', 'amount', 'Invalid integer'],
    ['amount=0', 'amount', 'greater than or equal to 1'],
    ['amount=5&items[0][name]=', 'items[0][name]', 'empty string'],
  ])('reports %s as a problem with %s', (text, param, message) => {
    const error = (() => {
      try {
        parseObject(shape, parseStripeForm(text), '');
      } catch (caught) {
        return caught;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(SandboxStripeError);
    expect((error as SandboxStripeError).body).toMatchObject({ type: 'invalid_request_error', param });
    expect((error as SandboxStripeError).body.message).toContain(message);
  });
});
