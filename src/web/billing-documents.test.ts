import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey, setupTenant } from '../testing/api.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { type PortalBrowser, portalBrowser } from '../testing/portal-browser.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

/** The billing page's receipts, statements and export (issue 22), behind the portal session cookie. */
let rig: Rig;
let browser: PortalBrowser;
let receipt: { id: string; number: string };
beforeAll(async () => {
  rig = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '1000000', PURSE_BUSINESS_NAME: 'Operadora Exemplo Ltda' } });
  const checkout = await createTopup(rig, '1234.56');
  rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  receipt = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts')).body.data[0];
  browser = await portalBrowser(rig.purse, rig.tenant);
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

async function download(path: string, lang: string) {
  const res = await rig.purse.app.inject({ method: 'GET', url: path, headers: { cookie: browser.cookie, 'accept-language': lang } });
  return { status: res.statusCode, type: String(res.headers['content-type']), disposition: String(res.headers['content-disposition']), bytes: res.rawPayload, body: res.body };
}

describe('the billing page lists documents', () => {
  it('shows the receipt, this month\'s statement and the export, in pt-BR', async () => {
    const page = String((await browser.get('/billing', { 'accept-language': 'pt-BR' })).body);
    expect(page).toContain('Recibos e extratos');
    expect(page).toContain(`Recibo ${receipt.number}`);
    expect(page).toContain(`href="/billing/receipts/${receipt.id}.pdf"`);
    const month = new Date(rig.sandbox.clock.nowMs()).toISOString().slice(0, 7);
    expect(page).toContain(`href="/billing/statements/${month}.pdf"`);
    expect(page).toContain('href="/billing/transactions.csv"');
  });

  it.each([['en', 'Receipt', 'R$1,234.56'], ['pt-BR', 'Recibo', 'R$ 1.234,56']])('downloads the receipt PDF in %s', async (lang, word, amount) => {
    const pdf = await download(`/billing/receipts/${receipt.id}.pdf`, lang);
    expect([pdf.status, pdf.type]).toEqual([200, 'application/pdf']);
    expect(pdf.disposition).toContain(`${receipt.number}.pdf`);
    const text = await pdfText(pdf.bytes);
    expect(text).toContain(`${word} ${receipt.number}`);
    expect(text).toContain(amount);
    expect(text).toContain('Operadora Exemplo Ltda');
  });

  it.each([['en', 'Statement', 'Closing balance R$1,234.56'], ['pt-BR', 'Extrato', 'Saldo final R$ 1.234,56']])('downloads this month\'s statement in %s', async (lang, word, closing) => {
    const month = new Date(rig.sandbox.clock.nowMs()).toISOString().slice(0, 7);
    const text = await pdfText((await download(`/billing/statements/${month}.pdf`, lang)).bytes);
    expect(text).toContain(`${word} ${month}`);
    expect(text).toContain(closing);
    const csv = await download(`/billing/statements/${month}.csv`, lang);
    expect(csv.type).toContain('text/csv');
    expect(csv.body).toContain(`${month},topup,`);
  });

  it('exports the history as CSV', async () => {
    const csv = await download('/billing/transactions.csv', 'en');
    expect(csv.status).toBe(200);
    expect(csv.body.split('\r\n')[1]).toContain(',topup,');
  });

  it('without a session, or for another tenant\'s receipt, or a bad month: 4xx, never a document', async () => {
    expect((await rig.purse.app.inject({ method: 'GET', url: `/billing/receipts/${receipt.id}.pdf` })).statusCode).toBe(401);
    const other = await portalBrowser(rig.purse, await setupTenant(rig.purse));
    expect((await other.get(`/billing/receipts/${receipt.id}.pdf`)).status).toBe(404);
    expect((await browser.get('/billing/statements/2099-01.pdf')).body.code).toBe('PERIOD_INVALID');
    expect((await browser.get('/billing/statements/nope.csv')).status).toBe(400);
  });
});
