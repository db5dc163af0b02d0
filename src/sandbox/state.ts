import type { TestCard } from './cards.ts';
import type { SessionRecord } from './checkout-types.ts';
import { resourceMissing } from './errors.ts';
import type { Charge, Customer, Dispute, PaymentIntent, PaymentMethod, Refund, SetupIntent } from './types.ts';

function must<T>(map: Map<string, T>, id: string, kind: string, param?: string): T {
  const found = map.get(id);
  if (found === undefined) throw resourceMissing(kind, id, param);
  return found;
}

/**
 * Every object the sandbox knows, in memory. Maps keep insertion order, which is creation order,
 * so "newest first" lists are the maps reversed.
 */
export class SandboxState {
  readonly customers = new Map<string, Customer>();
  readonly paymentMethods = new Map<string, PaymentMethod>();
  /** The test card behind each card PaymentMethod: decides how later charges on it behave. */
  readonly cardByPaymentMethod = new Map<string, TestCard>();
  /** Card PaymentMethods set up for off-session use (setup mode, or an authenticated payment that saved them). */
  readonly setUpForOffSession = new Set<string>();
  readonly setupIntents = new Map<string, SetupIntent>();
  readonly paymentIntents = new Map<string, PaymentIntent>();
  readonly charges = new Map<string, Charge>();
  readonly refunds = new Map<string, Refund>();
  readonly disputes = new Map<string, Dispute>();
  readonly sessions = new Map<string, SessionRecord>();
  /** Test control: how many more card confirmations stay `processing` (the bank answers later; settlePayment finishes them). */
  cardPaymentsLeftProcessing = 0;

  customer(id: string, param?: string): Customer {
    return must(this.customers, id, 'customer', param);
  }
  paymentMethod(id: string, param?: string): PaymentMethod {
    return must(this.paymentMethods, id, 'PaymentMethod', param);
  }
  setupIntent(id: string, param?: string): SetupIntent {
    return must(this.setupIntents, id, 'setupintent', param);
  }
  paymentIntent(id: string, param?: string): PaymentIntent {
    return must(this.paymentIntents, id, 'payment_intent', param);
  }
  charge(id: string, param?: string): Charge {
    return must(this.charges, id, 'charge', param);
  }
  refund(id: string, param?: string): Refund {
    return must(this.refunds, id, 'refund', param);
  }
  dispute(id: string, param?: string): Dispute {
    return must(this.disputes, id, 'dispute', param);
  }
  session(id: string, param?: string): SessionRecord {
    return must(this.sessions, id, 'checkout.session', param);
  }

  /** Finds any object by id, for `expand[]`. */
  lookup(id: string): object | undefined {
    const stores: Map<string, object>[] = [
      this.customers, this.paymentMethods, this.setupIntents, this.paymentIntents,
      this.charges, this.refunds, this.disputes,
    ];
    for (const store of stores) {
      const found = store.get(id);
      if (found) return found;
    }
    return this.sessions.get(id)?.session;
  }
}

export function newestFirst<T>(map: Map<string, T>): T[] {
  return [...map.values()].reverse();
}
