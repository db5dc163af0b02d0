import { createHash } from 'node:crypto';
import { cardError } from './errors.ts';

/**
 * How a test card behaves when charged, as Stripe's test cards do:
 * - `authOffSession` (4000002500003155) needs authentication on-session (the hosted page shows a challenge)
 *   and off-session unless it was set up for off-session use (setup mode, or a payment that saved it);
 * - `authAlways` (4000002760003184) needs authentication every time: off-session it always fails with
 *   `authentication_required`.
 */
export type CardOutcome = 'succeed' | 'decline' | 'authOffSession' | 'authAlways';

export interface TestCard {
  number: string;
  brand: 'visa' | 'mastercard' | 'amex';
  funding: 'credit' | 'debit';
  outcome: CardOutcome;
  declineCode?: string;
  /** A declining card that still saves in setup mode (4000000000000341); other declining cards are refused there. */
  savesThenDeclines?: boolean;
}

const testCards: readonly TestCard[] = [
  { number: '4242424242424242', brand: 'visa', funding: 'credit', outcome: 'succeed' },
  { number: '4000056655665556', brand: 'visa', funding: 'debit', outcome: 'succeed' },
  { number: '5555555555554444', brand: 'mastercard', funding: 'credit', outcome: 'succeed' },
  { number: '378282246310005', brand: 'amex', funding: 'credit', outcome: 'succeed' },
  { number: '4000000000000002', brand: 'visa', funding: 'credit', outcome: 'decline', declineCode: 'generic_decline' },
  { number: '4000000000009995', brand: 'visa', funding: 'credit', outcome: 'decline', declineCode: 'insufficient_funds' },
  { number: '4000000000000341', brand: 'visa', funding: 'credit', outcome: 'decline', declineCode: 'generic_decline', savesThenDeclines: true },
  { number: '4000002500003155', brand: 'visa', funding: 'credit', outcome: 'authOffSession' },
  { number: '4000002760003184', brand: 'visa', funding: 'credit', outcome: 'authAlways' },
];

/** Whether confirming this card needs the shopper to authenticate (3D Secure). */
export function needsAuthentication(card: TestCard, offSession: boolean, setUpForOffSession: boolean): boolean {
  if (card.outcome === 'authAlways') return true;
  if (card.outcome !== 'authOffSession') return false;
  return !(offSession && setUpForOffSession);
}

/** Setup mode: Stripe refuses a card whose verification declines, except the "attach, then decline" test card. */
export function refusedInSetup(card: TestCard): boolean {
  return card.outcome === 'decline' && card.savesThenDeclines !== true;
}

/** Stripe's magic test PaymentMethod ids, usable directly as `payment_method`. */
export const magicPaymentMethods: Readonly<Record<string, string>> = {
  pm_card_visa: '4242424242424242',
  pm_card_visa_debit: '4000056655665556',
  pm_card_mastercard: '5555555555554444',
  pm_card_amex: '378282246310005',
  pm_card_chargeDeclined: '4000000000000002',
  pm_card_chargeDeclinedInsufficientFunds: '4000000000009995',
  pm_card_authenticationRequired: '4000002760003184',
  pm_card_authenticationRequiredOnSetup: '4000002500003155',
};

const declineMessages: Readonly<Record<string, string>> = {
  generic_decline: 'Your card was declined.',
  insufficient_funds: 'Your card has insufficient funds.',
  test_mode_live_card:
    'Your card was declined. Your request was in test mode, but used a non test (live) card. For a list of valid test cards, visit: https://stripe.com/docs/testing.',
};

export function declineMessage(declineCode: string): string {
  return declineMessages[declineCode] ?? 'Your card was declined.';
}

function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** Resolves a typed card number to a test card, or throws the card error Stripe would show. */
export function resolveCardNumber(input: string): TestCard {
  const digits = input.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits) || !passesLuhn(digits)) {
    throw cardError({ code: 'incorrect_number', message: 'Your card number is incorrect.', param: 'number' });
  }
  const known = testCards.find((card) => card.number === digits);
  if (known) return known;
  return { number: digits, brand: 'visa', funding: 'credit', outcome: 'decline', declineCode: 'test_mode_live_card' };
}

export function cardFingerprint(number: string): string {
  return createHash('sha256').update(`sandbox-card:${number}`).digest('base64url').slice(0, 16);
}
