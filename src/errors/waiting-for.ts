/**
 * Not a failure: the work depends on something that has not happened here yet and will (a refund of a
 * charge whose top-up is not credited yet — Stripe only refunds or disputes a succeeded charge, but does not
 * promise to deliver its events in order). `key` names what it waits for: the ledger reference of the awaited
 * credit. The Stripe inbox parks the event on it (never dead-letters it), and the credit's own transaction
 * wakes it (stripe/waiting-events.ts).
 */
export class WaitingFor extends Error {
  constructor(readonly key: string, what: string) {
    super(`${what}: waits for ${key}`);
    this.name = 'WaitingFor';
  }
}
