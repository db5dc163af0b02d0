import type { PaymentOutcome } from './payment-outcome.ts';

export type { PaymentOutcome, PaymentStatus } from './payment-outcome.ts';

/**
 * What Purse asks of its payment provider, in Purse's terms. The capabilities and `Ctx` see only this
 * interface; `stripe-gateway.ts` is the one module that builds Stripe requests. It sits below every
 * capability and imports none of them.
 */
export interface PaymentGateway {
  mode: 'stripe' | 'sandbox';
  /**
   * The provider customer for a tenant, created idempotently: one per tenant id and generation (a new
   * generation replaces a customer the provider no longer knows).
   */
  createCustomer(input: { tenantId: string; name: string; generation: bigint }): Promise<string>;
  /** A hosted checkout page for one order, idempotent per order id. */
  createCheckoutSession(input: CheckoutSessionInput): Promise<{ sessionId: string; url: string }>;
  /**
   * Detaches a saved card from its customer, idempotently (a card already detached counts as done, so a
   * retry after a crash finishes the removal). Throws on any other failure.
   */
  detachCard(paymentMethodId: string): Promise<void>;
  /** A saved card's display facts as the provider reports them; null when it is not a complete card. */
  cardOf(paymentMethodId: string): Promise<SavedCard | null>;
  /**
   * An off-session charge of a saved card, confirmed at once (auto top-up), idempotent per attempt id. A
   * decline or a bank asking for the customer is an outcome, not an error; only an outage throws.
   */
  chargeOffSession(input: OffSessionCharge): Promise<PaymentOutcome>;
  /**
   * The payment an auto top-up attempt created for the customer since a time, or null if the provider has
   * none. Asked before charging again an attempt whose worker died: Stripe forgets idempotency keys after 24 hours.
   */
  findAutoTopupCharge(input: { customerId: string; attemptId: string; sinceSeconds: number }): Promise<PaymentOutcome | null>;
  /** A hosted on-session page for an auto top-up that needs the customer (authentication), idempotent per attempt. */
  createRecoveryCheckout(input: RecoveryCheckout): Promise<{ sessionId: string; url: string }>;
  /** The card a completed setup saved, or null when it saved none. */
  cardOfSetup(setupIntentId: string): Promise<SavedCard | null>;
  /** The charge's amount and which of our credits it paid for (from the PaymentIntent metadata Purse sets). */
  chargeFacts(chargeId: string): Promise<ChargeFacts>;
  /** Issue 22: the card and the provider's receipt page of a PaymentIntent's charge, for Purse's receipt; null before it has a charge. */
  paymentReceipt(paymentIntentId: string): Promise<PaymentReceipt | null>;
  /** What kind of failure a provider error is, so capabilities decide without knowing Stripe's error shapes. */
  classifyError(err: unknown): ProviderFailure;
  /**
   * The parsed body when one of the secrets signed it, else null. `body` is whatever JSON was signed (even
   * `null` or `[]`): the caller checks that it looks like an event, so a bad shape is not a bad signature.
   */
  verifyWebhook(rawBody: string, signatureHeader: string, toleranceSeconds: number, receivedAtMs: number): { body: unknown } | null;
  /** The provider's own record of events since a time, for catching up missed deliveries. */
  listEvents(types: readonly string[], sinceSeconds: number): AsyncIterable<ProviderEvent>;
  /** Checkout sessions created since a time, newest first. */
  listCheckoutSessions(sinceSeconds: number): AsyncIterable<ListedCheckout>;
  /** Charges created since a time, newest first. */
  listCharges(sinceSeconds: number): AsyncIterable<ListedCharge>;
}

/**
 * Something the provider listed for catch-up (stripe/reconcile.ts): its id, and its body exactly as the
 * provider sent it, which only the Stripe adapter (stripe/translate.ts) reads.
 */
export interface ProviderRecord {
  id: string;
  body: unknown;
}

/** An event the provider recorded; `type` in the provider's vocabulary (the event table maps it). */
export interface ProviderEvent extends ProviderRecord {
  type: string;
}

/** A hosted checkout page and how far it got (`other`: a state Purse does not act on). */
export interface ListedCheckout extends ProviderRecord {
  status: 'open' | 'complete' | 'expired' | 'other';
}

/** A charge and how much of it has been refunded so far (cumulative, minor units). */
export interface ListedCharge extends ProviderRecord {
  amountRefundedMinor: bigint;
}

export type CheckoutPurpose = 'wallet_topup' | 'add_card';

/**
 * `missing_customer`: the stored customer no longer exists at the provider; `invalid_request`: the provider
 * refused the request itself (an account setting, a limit), so retrying will not help; `unavailable`: anything
 * else (network, 5xx, timeouts).
 */
export type ProviderFailure = 'missing_customer' | 'invalid_request' | 'unavailable';

export interface CheckoutSessionInput {
  orderId: string;
  /** Set when a second session is asked for the same order (after a customer replacement): a new idempotency key. */
  attempt?: string | undefined;
  tenantId: string;
  purpose: CheckoutPurpose;
  /** Null for add_card. */
  amountMinor: bigint | null;
  currency: string;
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  expiresAtSeconds: number;
}

export interface SavedCard {
  paymentMethodId: string;
  customerId: string | null;
  brand: string;
  last4: string;
  expMonth: number;
  expYear: number;
  /** The same card number gives the same fingerprint (Stripe's `card.fingerprint`); null if not reported. */
  fingerprint: string | null;
}

/**
 * Which of Purse's credits a charge paid for, from the metadata Purse put on its PaymentIntent (Stripe
 * copies it onto the charge): a Checkout top-up names its order, an auto top-up (off-session, or the
 * recovery page's on-session payment) its attempt. Neither: not a charge Purse made.
 */
export interface ChargeSource {
  orderId: string | null;
  attemptId: string | null;
  tenantId: string | null;
}

export interface PaymentReceipt {
  cardBrand: string | null;
  cardLast4: string | null;
  receiptUrl: string | null;
}

export interface ChargeFacts extends ChargeSource {
  chargeId: string;
  amountMinor: bigint;
  currency: string;
}

export interface OffSessionCharge {
  attemptId: string;
  tenantId: string;
  amountMinor: bigint;
  currency: string;
  customerId: string;
  paymentMethodId: string;
}

export interface RecoveryCheckout {
  attemptId: string;
  tenantId: string;
  amountMinor: bigint;
  currency: string;
  customerId: string;
  successUrl: string;
  cancelUrl: string;
  expiresAtSeconds: number;
}
