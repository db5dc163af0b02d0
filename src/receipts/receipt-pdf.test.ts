import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { runAutoTopups } from '../auto-topup/run-auto-topups.ts';
import { debit, tenantWithAutoTopup } from '../testing/auto-topup.ts';
import { JOBS } from '../jobs/jobs.ts';

/** The receipt PDF (issue 22): its text, as pdftotext reads it, in en and pt-BR. */
const BUSINESS = { PURSE_BUSINESS_NAME: 'Operadora Exemplo Ltda', PURSE_BUSINESS_ADDRESS: 'Av. Paulista 1000, São Paulo', PURSE_BUSINESS_TAX_ID: '12.345.678/0001-90' };

let rig: Rig;
let receipt: { id: string; number: string; credited: number; tax: number; total: number; billingAddress: Record<string, string | null> | null };
beforeAll(async () => {
  rig = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '1000000', ...BUSINESS } });
  const checkout = await createTopup(rig, '1234.56');
  rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  receipt = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts')).body.data[0];
});
afterAll(async () => {
  await rig.close();
});

async function pdfOf(id: string, query: string, headers: Record<string, string> = {}, key = rig.tenant.tenantKey) {
  const res = await rig.purse.app.inject({ method: 'GET', url: `/v1/billing/receipts/${id}.pdf${query}`, headers: { 'x-api-key': key, ...headers } });
  return { status: res.statusCode, type: String(res.headers['content-type']), bytes: res.rawPayload };
}

describe('GET /v1/billing/receipts/{id}.pdf', () => {
  it('in pt-BR carries the number, the business details and the amount formatted for Brazil', async () => {
    const pdf = await pdfOf(receipt.id, '?lang=pt-BR');
    expect(pdf.status).toBe(200);
    expect(pdf.type).toBe('application/pdf');
    expect(pdf.bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    const text = await pdfText(pdf.bytes);
    expect(text).toContain(`Recibo ${receipt.number}`);
    expect(text).toContain('R$ 1.234,56');
    for (const detail of Object.values(BUSINESS)) expect(text).toContain(detail);
    expect(text).toContain('Acme');
    // What the customer paid: tax and total from Stripe's session, the address Checkout collected.
    expect(receipt.tax).toBeGreaterThan(0);
    expect(Math.round(receipt.total * 100)).toBe(Math.round((receipt.credited + receipt.tax) * 100));
    const brl = (n: number) => new Intl.NumberFormat('pt-BR', { style: 'currency', currency: 'BRL' }).format(n).replace(/\s/g, ' ');
    expect(text).toContain(`Impostos ${brl(receipt.tax)}`);
    expect(text).toContain(`Total cobrado ${brl(receipt.total)}`);
    expect(receipt.billingAddress?.line1).toBeTruthy();
    expect(text).toContain(String(receipt.billingAddress?.line1));
  });

  it('in en (from Accept-Language) says Receipt and formats the amount for English', async () => {
    const text = await pdfText((await pdfOf(receipt.id, '', { 'accept-language': 'en-GB,en;q=0.9' })).bytes);
    expect(text).toContain(`Receipt ${receipt.number}`);
    expect(text).toContain('R$1,234.56');
    expect(text).toContain('Credited to wallet');
  });

  it('refuses an unknown language with a 400, never a 5xx', async () => {
    expect((await pdfOf(receipt.id, '?lang=de')).status).toBe(400);
  });

  it("carries the paying card's brand and last 4 and Stripe's receipt link once the charge details job has read them", async () => {
    const job = JOBS.find((j) => j.name === 'receipt-charge-details')!;
    await job.run(rig.purse.ctx);
    const text = await pdfText((await pdfOf(receipt.id, '?lang=en')).bytes);
    expect(text).toContain('visa •••• 4242');
    const shown = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', `/v1/billing/receipts/${receipt.id}`)).body;
    expect(shown.stripeReceiptUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/receipts\/ch_/);
    expect(text.replace(/\s+/g, '')).toContain(shown.stripeReceiptUrl);
    // The sandbox hosts the page the link names, as Stripe does.
    const page = await fetch(shown.stripeReceiptUrl);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('4242');
  });

  it('an auto top-up receipt shows the total charged, a zero tax and the card, like a Checkout receipt', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    await debit(rig, tenant, 20);
    expect(Object.values((await runAutoTopups(rig.purse.ctx)).charged)).toEqual(['credited']);
    const [auto] = (await asKey(rig.purse, tenant.tenantKey, 'GET', '/v1/billing/receipts')).body.data;
    expect(auto).toMatchObject({ credited: 20, tax: 0, total: 20, currency: 'USD' });
    const text = await pdfText((await pdfOf(auto.id, '?lang=en', {}, tenant.tenantKey)).bytes);
    expect(text).toContain('Total charged US$20.00');
    expect(text).toMatch(/Tax(es)? US\$0\.00/);
    expect(text).toContain('visa •••• 4242');
  });
});
