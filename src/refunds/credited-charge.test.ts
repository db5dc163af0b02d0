import { describe, expect, it } from 'vitest';
import { shareOfCredit } from './credited-charge.ts';

describe('shareOfCredit (credited × part ÷ charge, rounded down)', () => {
  it.each([
    ['no tax: the refunded amount itself', 10_000n, 3_000n, 10_000n, 3_000n],
    ['with tax: the same fraction of the credit', 10_000n, 5_425n, 10_850n, 5_000n],
    ['a part that does not divide evenly rounds down', 1_000n, 1n, 3n, 333n],
    ['the whole charge gives back the whole credit', 10_000n, 10_850n, 10_850n, 10_000n],
    ['nothing refunded, nothing back', 10_000n, 0n, 10_850n, 0n],
    ['a zero-decimal currency', 5_000n, 2_500n, 5_400n, 2_314n],
  ])('%s', (_name, credited, part, whole, expected) => {
    expect(shareOfCredit(credited, part, whole)).toBe(expected);
  });

  it.each([
    ['a part larger than the charge', 3n, 2n],
    ['a negative part', -1n, 2n],
    ['a zero charge', 0n, 0n],
  ])('refuses %s as a broken invariant', (_name, part, whole) => {
    expect(() => shareOfCredit(100n, part, whole)).toThrow('Invariant violated');
  });
});
