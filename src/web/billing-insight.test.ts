import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { portalBrowser } from '../testing/portal-browser.ts';

const DAY_MS = 86_400_000;
// 2026-11-20 10:00 UTC: twenty days into the month.
let nowMs = Date.UTC(2026, 10, 20, 10, 0, 0);
let purse: TestPurse;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => nowMs });
});

afterAll(async () => {
  await purse?.close();
});

async function debitAt(tenant: TestTenant, atMs: number, amount: string): Promise<void> {
  nowMs = atMs;
  keyCounter += 1;
  const res = await asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': `insight-${keyCounter}` });
  expect(res.status).toBe(201);
}

describe('the billing page\'s spending section', () => {
  it('shows this month, the last 30 days, days left, a 30-bar chart and the same days as a table', async () => {
    const t = await setupTenant(purse);
    const pageAtMs = Date.UTC(2026, 10, 20, 10, 0, 0);
    nowMs = pageAtMs - 40 * DAY_MS;
    await fundWallet(purse, t.tenantId, 100);
    await debitAt(t, pageAtMs - 35 * DAY_MS, '7.00'); // outside the 30 days
    await debitAt(t, Date.UTC(2026, 9, 25, 12), '10.00'); // last month, inside the 30 days
    await debitAt(t, Date.UTC(2026, 10, 3, 9), '5.00');
    await debitAt(t, Date.UTC(2026, 10, 3, 11), '5.00');
    nowMs = pageAtMs;
    const page = await (await portalBrowser(purse, t)).get('/billing');
    expect(page.status).toBe(200);
    expect(page.body).toContain('id="month-to-date">R$10.00<');
    expect(page.body).toContain('id="last-30">R$20.00<');
    // 73 available at 20 per 30 days: 109.5 days.
    expect(page.body).toContain('id="days-left">About 109 days<');
    const chart = /<svg id="usage-chart"[^>]*aria-label="([^"]+)"[\s\S]*?<\/svg>/.exec(page.body);
    expect(chart?.[1]).toContain('R$20.00 in total');
    expect(chart?.[0].match(/<rect /g)).toHaveLength(30);
    const table = /<table id="usage-table">[\s\S]*?<\/table>/.exec(page.body)?.[0] ?? '';
    expect(table.match(/<tr>/g)).toHaveLength(31);
    expect(table).toContain('<th scope="row" data-label="Day">Nov 3, 2026</th><td class="num" data-label="Spent">R$10.00</td><td class="num" data-label="Debits">2</td>');
    expect(table).toContain('<th scope="row" data-label="Day">Oct 25, 2026</th><td class="num" data-label="Spent">R$10.00</td>');
  });

  it('speaks Portuguese, and another tenant\'s page shows none of this spending', async () => {
    const t = await setupTenant(purse);
    const other = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 20, 10, 0, 0);
    await fundWallet(purse, t.tenantId, 100);
    await debitAt(t, nowMs, '12.34');
    const pt = await (await portalBrowser(purse, t)).get('/billing', { 'accept-language': 'pt-BR' });
    expect(pt.body).toContain('<h2 id="usage-h">Consumo</h2>');
    expect(pt.body).toContain('id="month-to-date">R$\u00a012,34<');
    const theirs = await (await portalBrowser(purse, other)).get('/billing');
    expect(theirs.body).toContain('id="month-to-date">R$0.00<');
    expect(theirs.body).toContain('id="days-left">Not projected<');
  });
});
