import { type BenchTenant, adminCall, createFundedTenant } from './fixtures.ts';

/**
 * Wallets whose debits could trigger something but, in the bench, never do: auto top-up enabled with a
 * threshold far below the balance, and a webhook endpoint subscribed to `wallet.low_balance` with an alert
 * far below it. Their debit throughput, next to a plain wallet's in the same run, shows what the armed
 * checks cost a debit that crosses nothing (the issues' "within 5 %").
 */
const FUNDS_MAJOR = '100000000';
const THRESHOLD_MAJOR = '1';
const AUTO_TOPUP_AMOUNT_MAJOR = '50';
const CARD_OK = '4242424242424242';
const CARD_WAIT_MS = 30_000;
const CARD_POLL_MS = 100;
/** Nothing listens here: the alert is never crossed, so nothing is ever sent. */
const UNREACHABLE_RECEIVER = 'http://127.0.0.1:9/purse-bench';

export interface ArmedTenants {
  plain: BenchTenant;
  autoTopup: BenchTenant;
  lowBalanceEndpoint: BenchTenant;
}

export async function armedTenants(purseUrl: string, sandboxUrl: string, currency: string): Promise<ArmedTenants> {
  const plain = await createFundedTenant(purseUrl, 'Armed: none', currency, FUNDS_MAJOR);
  const autoTopup = await createFundedTenant(purseUrl, 'Armed: auto top-up', currency, FUNDS_MAJOR);
  await saveCard(purseUrl, sandboxUrl, autoTopup);
  await tenantCall(purseUrl, autoTopup, 'PUT', '/v1/billing/auto-topup', { enabled: true, threshold: THRESHOLD_MAJOR, amount: AUTO_TOPUP_AMOUNT_MAJOR });
  const lowBalanceEndpoint = await createFundedTenant(purseUrl, 'Armed: low-balance endpoint', currency, FUNDS_MAJOR);
  await adminCall(purseUrl, 'POST', '/v1/admin/webhook-endpoints', { url: UNREACHABLE_RECEIVER, events: ['wallet.low_balance'], tenantId: lowBalanceEndpoint.tenantId });
  await tenantCall(purseUrl, lowBalanceEndpoint, 'PUT', '/v1/billing/alerts', { lowBalance: THRESHOLD_MAJOR });
  return { plain, autoTopup, lowBalanceEndpoint };
}

/** A setup-mode checkout paid on the sandbox; the sandbox's webhook saves the card, which we wait to see. */
async function saveCard(purseUrl: string, sandboxUrl: string, tenant: BenchTenant): Promise<void> {
  const checkout = await tenantCall<{ url: string }>(purseUrl, tenant, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
  const sessionId = new URL(checkout.url).pathname.split('/').pop() ?? '';
  const res = await fetch(`${sandboxUrl}/_sandbox/checkout/sessions/${sessionId}/pay`, {
    method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ card: CARD_OK }),
  });
  if (!res.ok) throw new Error(`sandbox pay → ${res.status}: ${await res.text()}`);
  const deadline = Date.now() + CARD_WAIT_MS;
  while (Date.now() < deadline) {
    const cards = await tenantCall<{ data: unknown[] }>(purseUrl, tenant, 'GET', '/v1/billing/payment-methods');
    if (cards.data.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, CARD_POLL_MS));
  }
  throw new Error(`the card of ${tenant.tenantId} was not saved within ${CARD_WAIT_MS} ms`);
}

async function tenantCall<T>(purseUrl: string, tenant: BenchTenant, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${purseUrl}${path}`, {
    method, headers: { 'x-api-key': tenant.apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return JSON.parse(text) as T;
}
