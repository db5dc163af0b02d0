import { readFileSync } from 'node:fs';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { browserAvailable, launchChromium } from '../testing/browser.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { freePort } from '../testing/process.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

/**
 * Issue 22 in Chromium: the customer opens the billing page in en and in pt-BR, clicks the receipt's and
 * this month's statement's download links, and the files Chromium saved read (pdftotext) in that language.
 */
const E2E_TIMEOUT_MS = 120_000;
const hasBrowser = browserAvailable();

describe.skipIf(!hasBrowser)('receipts and statements downloaded from the billing page', { timeout: E2E_TIMEOUT_MS }, () => {
  let rig: Rig;
  let browser: Browser;
  let number: string;

  beforeAll(async () => {
    const port = await freePort();
    rig = await startRig({ port, env: { PUBLIC_URL: `http://127.0.0.1:${port}`, PURSE_BUSINESS_NAME: 'Operadora Exemplo Ltda' } });
    browser = await launchChromium();
    const checkout = await createTopup(rig, '1234.56');
    rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
    await rig.sandbox.webhooks.idle();
    number = (await asKey(rig.purse, rig.tenant.tenantKey, 'GET', '/v1/billing/receipts')).body.data[0].number;
  }, E2E_TIMEOUT_MS);

  afterAll(async () => {
    await browser?.close();
    await rig?.close();
  });

  it.each([
    ['en-US', 'Download PDF', 'Receipt', 'R$1,234.56', 'Statement', 'Closing balance'],
    ['pt-BR', 'Baixar PDF', 'Recibo', 'R$ 1.234,56', 'Extrato', 'Saldo final'],
  ])('in %s', async (locale, downloadLabel, receiptWord, amount, statementWord, closingWord) => {
    const context = await browser.newContext({ locale, acceptDownloads: true });
    try {
      const page = await context.newPage();
      await page.goto((await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/portal-sessions', {})).body.url);
      const [receiptDownload] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: `${downloadLabel} — ${number}` }).click()]);
      expect(receiptDownload.suggestedFilename()).toBe(`${number}.pdf`);
      const receiptText = await pdfText(readFileSync(await receiptDownload.path()));
      expect(receiptText).toContain(`${receiptWord} ${number}`);
      expect(receiptText).toContain(amount);
      expect(receiptText).toContain('Operadora Exemplo Ltda');

      const month = new Date(rig.sandbox.clock.nowMs()).toISOString().slice(0, 7);
      const [statementDownload] = await Promise.all([page.waitForEvent('download'), page.locator(`a[href="/billing/statements/${month}.pdf"]`).click()]);
      const statementText = await pdfText(readFileSync(await statementDownload.path()));
      expect(statementText).toContain(`${statementWord} ${month}`);
      expect(statementText).toContain(`${closingWord} ${amount}`);

      const [csvDownload] = await Promise.all([page.waitForEvent('download'), page.locator('a[href="/billing/transactions.csv"]').click()]);
      expect(readFileSync(await csvDownload.path(), 'utf8').split('\r\n')[0]).toBe('createdAt,id,kind,numberId,description,amount,balanceAfter,currency');
    } finally {
      await context.close();
    }
  });
});
