import type { ServerResponse } from 'node:http';
import type { SandboxCore } from '../core.ts';
import { sendHtml } from '../http.ts';
import { formatMinor } from '../money.ts';
import type { Charge } from '../types.ts';
import { html, layout } from './html.ts';

/**
 * The page a charge's `receipt_url` points at, as Stripe hosts one for every charge (pay.stripe.com/receipts/…):
 * amount, date, card and status. Only what the sandbox knows; Purse links to it from its own receipts.
 */
export const RECEIPT_PATH = '/receipts/';
const receiptPathPattern = /^\/receipts\/(ch_[A-Za-z0-9]+)$/;
const msPerSecond = 1000;

export function receiptUrlOf(core: SandboxCore, chargeId: string): string {
  return `${core.publicUrl()}${RECEIPT_PATH}${chargeId}`;
}

export function handleReceiptPage(core: SandboxCore, res: ServerResponse, url: URL): void {
  const id = receiptPathPattern.exec(url.pathname)?.[1];
  const charge = id ? core.state.charges.get(id) : undefined;
  if (!charge) {
    sendHtml(res, 404, layout('Receipt not found', html`<h1>Receipt not found</h1>`));
    return;
  }
  sendHtml(res, 200, layout(`Receipt ${charge.id}`, receiptBody(charge)));
}

function receiptBody(charge: Charge) {
  const card = charge.payment_method_details.card;
  return html`<h1>Receipt</h1>
<dl>
<dt>Amount paid</dt><dd data-amount>${formatMinor(charge.amount, charge.currency)}</dd>
<dt>Date paid</dt><dd>${new Date(charge.created * msPerSecond).toISOString().slice(0, 10)}</dd>
${card ? html`<dt>Payment method</dt><dd>${card.brand} •••• ${card.last4}</dd>` : ''}
<dt>Status</dt><dd>${charge.status}</dd>
<dt>Charge</dt><dd><code>${charge.id}</code></dd>
</dl>`;
}
