import type Stripe from 'stripe';
import type { BenchDatabase } from '../bench/fixtures.ts';
import type { Expectation } from './drive.ts';
import type { Violation } from './invariants.ts';

/**
 * What Stripe (the sandbox) charged and refunded, charge by charge, against what the ledger credited and
 * clawed back (issue 19): every succeeded charge of the tenant — a Checkout top-up's or an auto top-up's —
 * credited exactly once, for what its order or attempt promised; no credit without a succeeded charge; no
 * auto top-up attempt charged twice; each charge's clawbacks the credited share of Stripe's own cumulative
 * `amount_refunded` (±1 rounding). And the outbox: every usage debit told as wallet.debited exactly once
 * (an operator endpoint existed before every tenant).
 */
interface TxRow {
  reference: string;
  kind: string;
  wallet_amount_minor: number | string;
}

export async function checkStripeTruth(db: BenchDatabase, stripe: Stripe, e: Expectation): Promise<Violation[]> {
  const out: Violation[] = [];
  const fail = (what: string) => out.push({ seed: e.seed, what });
  const rows = await db.query<TxRow>('select reference, kind, wallet_amount_minor from ledger_transactions where tenant_id = $1', [e.tenantId]);
  const charges = await chargesOf(db, stripe, e);
  const promised = await promisedCredits(db, e.tenantId);
  const creditRefs = new Set<string>();
  const attempts = new Map<string, number>();
  for (const charge of charges) {
    const ref = creditReference(charge);
    if (!ref) continue;
    creditRefs.add(ref);
    const attemptId = charge.metadata.autoTopupAttemptId;
    if (attemptId) attempts.set(attemptId, (attempts.get(attemptId) ?? 0) + 1);
    const credits = rows.filter((r) => r.reference === ref);
    const creditedMinor = promised.get(ref);
    if (credits.length !== 1) fail(`charge ${charge.id} (${ref}) credited ${credits.length} times`);
    else if (creditedMinor === undefined || Number(credits[0]!.wallet_amount_minor) !== creditedMinor) fail(`charge ${charge.id} credited ${credits[0]!.wallet_amount_minor}, promised ${creditedMinor}`);
    if (creditedMinor === undefined) continue;
    const clawed = -rows.filter((r) => r.reference.startsWith(`refund:${charge.id}:`)).reduce((sum, r) => sum + Number(r.wallet_amount_minor), 0);
    const expected = Math.floor((creditedMinor * charge.amount_refunded) / charge.amount);
    if (Math.abs(clawed - expected) > 1) fail(`charge ${charge.id}: Stripe refunded ${charge.amount_refunded} of ${charge.amount}; clawed back ${clawed}, expected ${expected}`);
  }
  for (const [attemptId, count] of attempts) if (count > 1) fail(`auto top-up ${attemptId} charged ${count} times at Stripe`);
  for (const r of rows) if ((r.kind === 'topup' || r.kind === 'auto_topup') && !creditRefs.has(r.reference)) fail(`credit ${r.reference} has no succeeded charge at Stripe`);
  await checkDebitedEvents(db, e, fail);
  return out;
}

function creditReference(charge: Stripe.Charge): string | null {
  if (charge.status !== 'succeeded') return null;
  if (charge.metadata.orderId) return `topup:${charge.metadata.orderId}`;
  if (charge.metadata.autoTopupAttemptId) return `auto_topup:${charge.metadata.autoTopupAttemptId}`;
  return null;
}

async function chargesOf(db: BenchDatabase, stripe: Stripe, e: Expectation): Promise<Stripe.Charge[]> {
  const [tenant] = await db.query<{ stripe_customer_id: string | null }>('select stripe_customer_id from tenants where id = $1', [e.tenantId]);
  const customer = e.customerId ?? tenant?.stripe_customer_id ?? null;
  if (!customer) return [];
  const out: Stripe.Charge[] = [];
  for await (const charge of stripe.charges.list({ customer, limit: 100 })) if (charge.metadata?.tenantId === e.tenantId) out.push(charge);
  return out;
}

/** What each order and attempt of the tenant promised to credit, by the credit's ledger reference. */
async function promisedCredits(db: BenchDatabase, tenantId: string): Promise<Map<string, number>> {
  const orders = await db.query<{ id: string; amount_minor: number | string | null }>("select id, amount_minor from checkout_orders where tenant_id = $1 and purpose = 'wallet_topup'", [tenantId]);
  const attempts = await db.query<{ id: string; amount_minor: number | string }>('select id, amount_minor from auto_topup_attempts where tenant_id = $1', [tenantId]);
  return new Map([
    ...orders.map((o) => [`topup:${o.id}`, Number(o.amount_minor)] as const),
    ...attempts.map((a) => [`auto_topup:${a.id}`, Number(a.amount_minor)] as const),
  ]);
}

async function checkDebitedEvents(db: BenchDatabase, e: Expectation, fail: (what: string) => void): Promise<void> {
  const events = await db.query<{ data: string }>("select data from events where tenant_id = $1 and type = 'wallet.debited'", [e.tenantId]);
  const told = new Map<string, number>();
  for (const event of events) {
    const id = (JSON.parse(event.data) as { transactionId: string }).transactionId;
    told.set(id, (told.get(id) ?? 0) + 1);
  }
  const usage = await db.query<{ id: string }>("select id from ledger_transactions where tenant_id = $1 and kind = 'usage'", [e.tenantId]);
  for (const tx of usage) {
    const count = told.get(tx.id) ?? 0;
    if (count !== 1) fail(`usage ${tx.id} told as wallet.debited ${count} times`);
  }
}
