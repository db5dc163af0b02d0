import { type CreditPlan, drawCredits } from './credits.ts';
import { type HoldPlan, drawHolds } from './holds.ts';

/**
 * A fault schedule: everything one run of the harness does to one tenant, drawn from a seed so a failing
 * schedule can be generated again (`npm run chaos -- --seed N --schedules 1`). The moment a SIGKILL lands
 * is a wall-clock race and cannot be replayed exactly; everything else is.
 */
export interface Schedule {
  seed: number;
  /** Top-ups created through the API; `pay` says which the customer completes on the sandbox. */
  topups: Array<{ amountMajor: number; pay: boolean; payment: 'card' | 'delayed' }>;
  /** Usage debits in minor units, each with its own Idempotency-Key; `retries` extra sends of the same key. */
  debits: Array<{ amountMinor: number; retries: number }>;
  /** Stripe API failures armed on the sandbox before the checkouts (each fails one Stripe call). */
  stripeFailures: number;
  /** What happens to each Stripe event on its way to Purse. */
  delivery: { duplicateShare: number; dropShare: number; delayShare: number };
  /** Partial refunds of paid charges, as shares of the charge; at most one refund series per charge. */
  refunds: Array<{ topup: number; shares: number[] }>;
  /** Disputes of paid charges and how they close. */
  disputes: Array<{ topup: number; outcome: 'won' | 'lost' | 'open' }>;
  /** When set, Purse is killed with SIGKILL this many ms into the busy phase, then restarted. */
  killAfterMs: number | null;
  /** Auto top-up on a saved card (USD majors); the busy phase's debits cross the threshold. Null: off. */
  autoTopup: { thresholdMajor: number; amountMajor: number } | null;
  /** Money back on the auto top-ups' own charges, by their order at Stripe (oldest first): refund, or dispute closed won/lost or left open. */
  autoMoneyBack: Array<{ charge: number; kind: 'refund' | 'won' | 'lost' | 'open' }>;
  /** The events that credit (completed, async succeeded, payment_intent.succeeded) arrive only after the refunds and disputes. */
  creditLate: boolean;
  /** The tenant registers its own wallet.debited endpoint after it exists (an operator-wide one exists before every tenant). */
  endpointAfterTenant: boolean;
  /** Holds placed in the busy phase, then captured in part, voided or left open (chaos/holds.ts). */
  holds: HoldPlan[];
  /** Credit grants, voids and a manual-clock expiry run (chaos/credits.ts, issue 21). */
  credits: CreditPlan;
}

const TOPUPS_MAX = 5;
const DEBITS_MAX = 24;
const DEBIT_MINOR_MAX = 900;
const TOPUP_MAJOR_CHOICES = [5, 10, 20, 50];
const KILL_SHARE = 0.4;
const KILL_WINDOW_MS = 400;
const STRIPE_FAILURES_MAX = 2;
const AUTO_TOPUP_SHARE = 0.5;
const AUTO_MONEY_BACK_MAX = 3;
const CREDIT_LATE_SHARE = 0.3;
const ENDPOINT_AFTER_SHARE = 0.5;

/** mulberry32: a tiny, well-known 32-bit PRNG; good enough to spread choices, and reproducible. */
export function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

export function makeSchedule(seed: number, withMoneyBack: boolean): Schedule {
  const next = random(seed);
  const int = (max: number) => Math.floor(next() * (max + 1));
  const pick = <T>(items: T[]): T => items[int(items.length - 1)] as T;
  const topups = Array.from({ length: 1 + int(TOPUPS_MAX - 1) }, () => ({
    amountMajor: pick(TOPUP_MAJOR_CHOICES),
    pay: next() < 0.8,
    payment: next() < 0.2 ? ('delayed' as const) : ('card' as const),
  }));
  const debits = Array.from({ length: int(DEBITS_MAX) }, () => ({ amountMinor: 1 + int(DEBIT_MINOR_MAX - 1), retries: next() < 0.2 ? 1 + int(2) : 0 }));
  const paidCards = topups.flatMap((t, i) => (t.pay && t.payment === 'card' ? [i] : []));
  const refunds = withMoneyBack ? paidCards.filter(() => next() < 0.3).map((topup) => ({ topup, shares: refundShares(next) })) : [];
  const refunded = new Set(refunds.map((r) => r.topup));
  const disputes = withMoneyBack
    ? paidCards.filter((i) => !refunded.has(i) && next() < 0.25).map((topup) => ({ topup, outcome: pick(['won', 'lost', 'open'] as const) }))
    : [];
  return {
    seed, topups, debits, refunds, disputes,
    stripeFailures: next() < 0.3 ? 1 + int(STRIPE_FAILURES_MAX - 1) : 0,
    delivery: { duplicateShare: next() * 0.5, dropShare: next() * 0.3, delayShare: next() * 0.3 },
    killAfterMs: next() < KILL_SHARE ? int(KILL_WINDOW_MS) : null,
    ...moneyPaths(next, int, pick, withMoneyBack),
    holds: drawHolds(next),
    // After the holds, so every earlier choice of a seed stays what it was.
    credits: drawCredits(next),
  };
}

/** Drawn after everything above, so a seed's top-ups, debits and faults stay what they were before these existed. */
function moneyPaths(next: () => number, int: (max: number) => number, pick: <T>(items: T[]) => T, withMoneyBack: boolean) {
  const autoTopup = next() < AUTO_TOPUP_SHARE ? { thresholdMajor: pick([10, 20, 30]), amountMajor: pick([5, 10, 20]) } : null;
  const kinds = ['refund', 'won', 'lost', 'open'] as const;
  const count = autoTopup && withMoneyBack ? int(AUTO_MONEY_BACK_MAX) : 0;
  const charges = [...new Set(Array.from({ length: count }, () => int(AUTO_MONEY_BACK_MAX - 1)))];
  return {
    autoTopup,
    autoMoneyBack: charges.map((charge) => ({ charge, kind: pick([...kinds]) })),
    creditLate: withMoneyBack && next() < CREDIT_LATE_SHARE,
    endpointAfterTenant: next() < ENDPOINT_AFTER_SHARE,
  };
}

/** One to three cumulative steps that never refund more than the whole charge. */
function refundShares(next: () => number): number[] {
  const steps = 1 + Math.floor(next() * 3);
  const shares: number[] = [];
  let left = 1;
  for (let i = 0; i < steps && left > 0.05; i += 1) {
    const share = i === steps - 1 && next() < 0.5 ? left : Math.max(0.05, Math.round(next() * left * 100) / 100);
    shares.push(Math.min(share, left));
    left -= share;
  }
  return shares;
}

/** Fisher–Yates with the schedule's own randomness, so the delivery order is part of the replay. */
export function shuffled<T>(items: T[], next: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i -= 1) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}
