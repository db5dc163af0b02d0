import { randomBytes } from 'node:crypto';

const idAlphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const idRandomLength = 24;

/** Random, Stripe-shaped id such as `cus_…` or `cs_test_…`; randomness avoids clashes across restarts. */
export function newId(prefix: string, length = idRandomLength): string {
  const bytes = randomBytes(length);
  let out = '';
  for (const byte of bytes) out += idAlphabet[byte % idAlphabet.length];
  return `${prefix}_${out}`;
}

export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(24).toString('hex')}`;
}
