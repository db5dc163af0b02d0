import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { type PortalBrowser, portalBrowser } from '../testing/portal-browser.ts';
import { HISTORY_RANGE_DAYS_MAX } from './history-filter.ts';
import { HISTORY_PAGE_SIZE } from './history-view.ts';

// Issue 24: the billing page's history filters (kind, number, dates in the browser's time zone), links that keep them.
let nowMs = Date.UTC(2026, 10, 1, 9, 0, 0);
let purse: TestPurse;
let debits = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => nowMs });
});

afterAll(async () => {
  await purse?.close();
});

async function debitAt(secret: string, atMs: number, amount: string, description: string): Promise<void> {
  nowMs = atMs;
  debits += 1;
  const res = await asKey(purse, secret, 'POST', '/v1/billing/usage', { amount, description }, { 'idempotency-key': `filters-${debits}` });
  expect(res.status).toBe(201);
}

/** The descriptions of the history rows on a page, top to bottom. */
function historyRows(body: string): string[] {
  const table = /<table id="history">[\s\S]*?<\/table>/.exec(body)?.[0] ?? '';
  return [...table.matchAll(/data-label="Description">([^<]*)</g)].map((m) => m[1]!);
}

async function pageOf(b: PortalBrowser, path: string, headers: Record<string, string> = {}) {
  const res = await b.get(path, headers);
  return { status: res.status, body: String(res.body) };
}

describe('history filters on the billing page', () => {
  let t: TestTenant;
  let b: PortalBrowser;

  beforeAll(async () => {
    t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 1, 9, 0, 0);
    await fundWallet(purse, t.tenantId, 100);
    await debitAt(t.numberKey, Date.UTC(2026, 10, 10, 12), '1.00', 'Call A');
    await debitAt(t.tenantKey, Date.UTC(2026, 10, 15, 12), '2.00', 'Batch B');
    // 22:30 on Nov 15 in São Paulo (UTC−3), already Nov 16 in UTC.
    await debitAt(t.tenantKey, Date.UTC(2026, 10, 16, 1, 30), '0.50', 'Late C');
    await debitAt(t.numberKey, Date.UTC(2026, 10, 18, 12), '3.00', 'Call D');
    nowMs = Date.UTC(2026, 10, 20, 12);
    b = await portalBrowser(purse, t);
  });

  it('by kind: only usage, the funding adjustment left out, the kind kept selected', async () => {
    const page = await pageOf(b, '/billing?kind=usage');
    expect(page.status).toBe(200);
    expect(historyRows(page.body)).toEqual(['Call D', 'Late C', 'Batch B', 'Call A']);
    expect(page.body).toContain('<option value="usage" selected>Usage</option>');
    expect(historyRows((await pageOf(b, '/billing')).body)).toEqual(['Call D', 'Late C', 'Batch B', 'Call A', 'test funding']);
  });

  it('by number: only what that number spent, its name offered in the list', async () => {
    const page = await pageOf(b, `/billing?number=${t.numberId}`);
    expect(page.status).toBe(200);
    expect(historyRows(page.body)).toEqual(['Call D', 'Call A']);
    expect(page.body).toContain(`<option value="${t.numberId}" selected>+5511999990000</option>`);
  });

  it('by dates: whole days, in UTC until the browser says its time zone, then in that zone', async () => {
    const utc = await pageOf(b, '/billing?from=2026-11-15&to=2026-11-15');
    expect(historyRows(utc.body)).toEqual(['Batch B']);
    const saoPaulo = await pageOf(b, '/billing?from=2026-11-15&to=2026-11-15', { cookie: `${b.cookie}; purse_tz=America%2FSao_Paulo` });
    expect(historyRows(saoPaulo.body)).toEqual(['Late C', 'Batch B']);
    expect(historyRows((await pageOf(b, '/billing?from=2026-11-16')).body)).toEqual(['Call D', 'Late C']);
    expect(historyRows((await pageOf(b, '/billing?to=2026-11-10')).body)).toEqual(['Call A', 'test funding']);
    expect(utc.body).toContain('id="f-from" name="from" value="2026-11-15"');
  });

  it('combined, or with nothing matching: says so; the CSV link carries the filters, Clear drops them', async () => {
    const page = await pageOf(b, `/billing?kind=usage&number=${t.numberId}&from=2026-11-11&to=2026-11-17`);
    expect(historyRows(page.body)).toEqual([]);
    expect(page.body).toContain('No transactions match these filters.');
    const some = await pageOf(b, `/billing?kind=usage&number=${t.numberId}&from=2026-11-01`);
    expect(historyRows(some.body)).toEqual(['Call D', 'Call A']);
    expect(some.body).toContain(`href="/billing/history.csv?kind=usage&amp;number=${t.numberId}&amp;from=2026-11-01" download id="history-csv">Download the filtered history (CSV)`);
    expect(some.body).toContain('<a href="/billing#history-h">Clear filters</a>');
  });

  it('in Portuguese: the form and the empty result speak pt-BR', async () => {
    const page = await pageOf(b, '/billing?kind=credit_grant', { 'accept-language': 'pt-BR' });
    expect(page.body).toContain('<option value="credit_grant" selected>Crédito concedido</option>');
    expect(page.body).toContain('Nenhuma transação corresponde a estes filtros.');
    expect(page.body).toContain('<label for="f-from">De</label>');
  });
});

describe('paging a filtered history', () => {
  it('older and newest links keep the filter, and the second page holds the rest', async () => {
    const t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 1, 9);
    await fundWallet(purse, t.tenantId, 100);
    const extra = 5;
    for (let i = 0; i < HISTORY_PAGE_SIZE + extra; i += 1) await debitAt(t.tenantKey, Date.UTC(2026, 10, 2, 0, i), '0.10', `Debit ${i}`);
    await fundWallet(purse, t.tenantId, 1);
    const b = await portalBrowser(purse, t);
    const first = await pageOf(b, '/billing?kind=usage&from=2026-11-02');
    expect(historyRows(first.body)).toHaveLength(HISTORY_PAGE_SIZE);
    expect(historyRows(first.body)[0]).toBe(`Debit ${HISTORY_PAGE_SIZE + extra - 1}`);
    const older = /href="(\/billing\?kind=usage&amp;from=2026-11-02&amp;cursor=[A-Za-z0-9_-]+)#history-h" rel="next"/.exec(first.body)?.[1];
    expect(older).toBeDefined();
    const second = await pageOf(b, older!.replaceAll('&amp;', '&'));
    expect(historyRows(second.body)).toEqual(['Debit 4', 'Debit 3', 'Debit 2', 'Debit 1', 'Debit 0']);
    expect(second.body).toContain('href="/billing?kind=usage&amp;from=2026-11-02#history-h">Newest</a>');
    expect(second.body).not.toContain('rel="next"');
  });
});

describe('filter values the page cannot use', () => {
  beforeAll(() => {
    nowMs = Date.UTC(2026, 10, 20, 12);
  });
  const cases: Array<[string, string]> = [
    ['kind=payout', 'Kind: “payout” is not a kind of transaction.'],
    ['kind=%3Cscript%3E', 'Kind: “&lt;script&gt;” is not a kind of transaction.'],
    ['number=num_00000000000000000000000000', 'Number: that is not one of this account’s numbers.'],
    ['number=%27%20OR%201%3D1', 'Number: that is not one of this account’s numbers.'],
    ['from=2026-02-30', 'From: “2026-02-30” is not a date.'],
    ['to=30%2F11%2F2026', 'To: “30/11/2026” is not a date.'],
    ['from=1999-12-31', 'From: choose a date from 2000 up to today.'],
    ['to=2126-01-01', 'To: choose a date from 2000 up to today.'],
    ['from=2026-11-10&to=2026-11-01', 'To: the end date is before the start date.'],
    ['from=2025-01-01&to=2026-11-01', `From and To: choose a range of at most ${HISTORY_RANGE_DAYS_MAX} days.`],
  ];

  it.each(cases)('%s: 400, the page says what is wrong in an alert and shows no unfiltered history', async (query, says) => {
    const t = await setupTenant(purse);
    await fundWallet(purse, t.tenantId, 10);
    const page = await pageOf(await portalBrowser(purse, t), `/billing?${query}`);
    expect(page.status).toBe(400);
    expect(page.body).toMatch(/<div class="banner error" role="alert" id="filter-problems"><h3>The history could not be filtered<\/h3>/);
    expect(page.body).toContain(says);
    expect(page.body).not.toContain('id="history"');
    expect(page.body).not.toContain('<script>');
  });

  it('another tenant\'s number is refused like an unknown one', async () => {
    const mine = await setupTenant(purse);
    const theirs = await setupTenant(purse);
    const page = await pageOf(await portalBrowser(purse, mine), `/billing?number=${theirs.numberId}`);
    expect(page.status).toBe(400);
    expect(page.body).toContain('Number: that is not one of this account’s numbers.');
    expect(page.body).not.toContain(theirs.numberId);
  });

  it('repeated or overlong parameters are ignored rather than failing; a range of exactly the maximum is accepted', async () => {
    const t = await setupTenant(purse);
    const b = await portalBrowser(purse, t);
    expect((await pageOf(b, '/billing?kind=usage&kind=topup')).status).toBe(200);
    expect((await pageOf(b, `/billing?kind=${'u'.repeat(500)}`)).status).toBe(200);
    expect((await pageOf(b, '/billing?from=2025-11-19&to=2026-11-19')).status).toBe(200);
    expect((await pageOf(b, '/billing?from=&to=&kind=&number=')).status).toBe(200);
  });
});
