import Stripe from 'stripe';
import { type BenchDatabase, type BenchTenant, TOPUP_AMOUNT_MAJOR, inParallel } from './fixtures.ts';
import { BENCH_WEBHOOK_SECRET } from './processes.ts';

/**
 * Signed `checkout.session.completed` events for orders the checkout scenario created, each signed like
 * Stripe signs (v1 scheme, `Stripe.webhooks.generateTestHeaderString`) with a secret Purse accepts, so
 * ingest ends in credited wallets exactly as a real delivery would.
 */
export interface SignedEvent {
  orderId: string;
  payload: string;
  signature: string;
}

interface OpenOrder {
  id: string;
  tenant_id: string;
  amount_minor: number | string;
  currency: string;
  stripe_session_id: string;
}

const CHECKOUT_ATTEMPTS_MAX = 3;

/** `count` wallet top-up orders through POST /v1/billing/checkout (each opens a page on Purse's sandbox), spread over `tenants`. */
export async function openCheckoutOrders(purseUrl: string, tenants: BenchTenant[], count: number): Promise<void> {
  const body = JSON.stringify({ purpose: 'wallet_topup', amount: TOPUP_AMOUNT_MAJOR });
  await inParallel(count, async (i) => {
    const tenant = tenants[i % tenants.length];
    if (!tenant) throw new Error('no tenant');
    // A loaded machine can time out the sandbox call (502): that order never gets a session, so open another.
    for (let attempt = 1; ; attempt += 1) {
      const res = await fetch(`${purseUrl}/v1/billing/checkout`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': tenant.apiKey }, body });
      if (res.status !== 502 || attempt >= CHECKOUT_ATTEMPTS_MAX) {
        if (res.status !== 200) throw new Error(`checkout → ${res.status}: ${await res.text()}`);
        await res.arrayBuffer();
        return;
      }
      await res.arrayBuffer();
    }
  });
}

export async function openOrders(db: BenchDatabase, limit: number): Promise<OpenOrder[]> {
  return db.query<OpenOrder>(
    `select id, tenant_id, amount_minor, currency, stripe_session_id from checkout_orders
     where state = 'open' and purpose = 'wallet_topup' and stripe_session_id is not null order by id limit ${limit}`,
  );
}

export function signEvents(orders: OpenOrder[], runTag: string): SignedEvent[] {
  const stripe = new Stripe('sk_test_bench_signing_only');
  const createdSeconds = Math.floor(Date.now() / 1000);
  return orders.map((order, i) => {
    const amountMinor = Number(order.amount_minor);
    const event = {
      id: `evt_bench_${runTag}_${i}`,
      object: 'event',
      type: 'checkout.session.completed',
      created: createdSeconds,
      livemode: false,
      pending_webhooks: 1,
      request: { id: null, idempotency_key: null },
      data: {
        object: {
          id: order.stripe_session_id,
          object: 'checkout.session',
          mode: 'payment',
          status: 'complete',
          payment_status: 'paid',
          client_reference_id: order.id,
          metadata: { orderId: order.id, tenantId: order.tenant_id, purpose: 'wallet_topup' },
          amount_subtotal: amountMinor,
          amount_total: amountMinor,
          currency: order.currency.toLowerCase(),
          payment_intent: `pi_bench_${runTag}_${i}`,
        },
      },
    };
    const payload = JSON.stringify(event);
    return { orderId: order.id, payload, signature: stripe.webhooks.generateTestHeaderString({ payload, secret: BENCH_WEBHOOK_SECRET }) };
  });
}

export async function creditedAmong(db: BenchDatabase, orderIds: string[]): Promise<number> {
  if (orderIds.length === 0) return 0;
  const rows = await db.query<{ n: number | string }>(
    `select count(*) as n from ledger_transactions where reference in (${orderIds.map((id) => `'topup:${id.replaceAll("'", "''")}'`).join(', ')})`,
  );
  return Number(rows[0]?.n ?? 0);
}
