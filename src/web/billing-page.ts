import { Type } from 'typebox';
import type { RouteRegistrar } from '../api/kit.ts';
import { escapeHtml } from './html.ts';

/**
 * `/billing`: the plain landing page Stripe returns customers to (`?topup=success|cancelled&order=…`).
 * It says what happened and never trusts the query string for money: the wallet is credited by the
 * webhook, not by this redirect. The full billing page (portal sessions) comes later.
 */
const BANNERS = {
  success: { title: 'Payment received', text: 'Thank you. Your top-up is being credited to your wallet; this usually takes a few seconds.' },
  cancelled: { title: 'Top-up cancelled', text: 'No charge was made. You can start a new top-up at any time.' },
} as const;

export const registerBillingPage: RouteRegistrar = (app) => {
  app.get('/billing', {
    config: { auth: { kind: 'public' } },
    schema: {
      hide: true,
      querystring: Type.Object({ topup: Type.Optional(Type.String({ maxLength: 20 })), order: Type.Optional(Type.String({ maxLength: 64 })) }),
    },
  }, async (request, reply) => {
    const { topup, order } = request.query;
    const banner = topup === 'success' || topup === 'cancelled' ? BANNERS[topup] : undefined;
    void reply.type('text/html; charset=utf-8').header('cache-control', 'no-store');
    return renderBilling(banner, topup, order);
  });
};

function renderBilling(banner: { title: string; text: string } | undefined, topup: string | undefined, order: string | undefined): string {
  const body = banner
    ? `<div role="status" class="banner ${topup === 'success' ? 'ok' : 'info'}" data-topup="${escapeHtml(topup ?? '')}"><h1>${banner.title}</h1><p>${banner.text}</p>` +
      `${order ? `<p>Reference: <code>${escapeHtml(order)}</code></p>` : ''}</div>`
    : '<h1>Billing</h1><p>Open this page through your account\'s billing link.</p>';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>Billing</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem;color:#1b1b1b}
.banner{border-radius:6px;padding:1rem 1.25rem}.ok{background:#e7f6ec;border:1px solid #9fd8b1}.info{background:#eef2f8;border:1px solid #b9c7dd}
h1{font-size:1.4rem;margin:0 0 .5rem}</style></head>
<body><main>${body}</main></body></html>`;
}
