import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../ids/ids.ts';
import { type TestTenant, asKey, call, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { type PortalBrowser, portalBrowser } from '../testing/portal-browser.ts';
import { HISTORY_CSV_COLUMNS, HISTORY_CSV_ROWS_MAX } from './history-csv.ts';
import { HISTORY_SCAN_ROWS_MAX } from './history-view.ts';

// Issue 24: holds listed with their state filter; the filtered history as CSV; a filtered walk bounded per request.
let nowMs = Date.UTC(2026, 10, 20, 12);
let purse: TestPurse;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => nowMs });
});

afterAll(async () => {
  await purse?.close();
});

const MINUTE_MS = 60_000;

function holdIds(body: string): string[] {
  return [...body.matchAll(/data-hold="(hld_[^"]+)"/g)].map((m) => m[1]!);
}

/** RFC 4180 records: fields split on commas outside quotes, doubled quotes undone, line breaks kept inside quotes. */
function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let field = '';
  let record: string[] = [];
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i += 1; } else if (c === '"') quoted = false; else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { record.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      record.push(field); records.push(record); record = []; field = ''; i += 1;
    } else field += c;
  }
  return records;
}

describe('holds on the billing page', () => {
  it('lists open holds with amount, number and expiry; the state filter shows used, cancelled and expired ones', async () => {
    const t = await setupTenant(purse, 'USD');
    nowMs = Date.UTC(2026, 10, 20, 12);
    await fundWallet(purse, t.tenantId, 100);
    const place = async (secret: string, body: Record<string, unknown>) => (await asKey(purse, secret, 'POST', '/v1/billing/holds', body)).body.hold.id as string;
    const onNumber = await place(t.numberKey, { amount: '7.25', expiresInSeconds: 3600, description: 'Video render #12' });
    const soon = await place(t.tenantKey, { amount: '3', expiresInSeconds: 600 });
    const used = await place(t.tenantKey, { amount: '2', expiresInSeconds: 3600, description: 'Used one' });
    const voided = await place(t.tenantKey, { amount: '1', expiresInSeconds: 3600, description: 'Voided one' });
    expect((await asKey(purse, t.tenantKey, 'POST', `/v1/billing/holds/${used}/capture`, { amount: '1.5' })).status).toBe(200);
    expect((await asKey(purse, t.tenantKey, 'POST', `/v1/billing/holds/${voided}/void`, {})).status).toBe(200);
    const b = await portalBrowser(purse, t);
    const open = String((await b.get('/billing')).body);
    expect(holdIds(open)).toEqual([soon, onNumber]);
    expect(open).toContain(`<tr data-hold="${onNumber}"><td data-label="Description">Video render #12</td>\n<td data-label="Number">+5511999990000</td><td class="num" data-label="Amount">US$7.25</td>`);
    expect(open).toContain('<td data-label="Released by">Nov 20, 2026, 1:00 PM UTC</td>');
    expect(open).toContain('<option value="held" selected>Open</option>');
    expect(holdIds(String((await b.get('/billing?holds=captured')).body))).toEqual([used]);
    expect(holdIds(String((await b.get('/billing?holds=voided')).body))).toEqual([voided]);
    expect(String((await b.get('/billing?holds=expired')).body)).toContain('No reservations in this state.');
    // Eleven minutes on, the ten-minute hold has lapsed (before the expiry job runs): expired, no longer open.
    nowMs += 11 * MINUTE_MS;
    expect(holdIds(String((await b.get('/billing')).body))).toEqual([onNumber]);
    expect(holdIds(String((await b.get('/billing?holds=expired')).body))).toEqual([soon]);
  });

  it('the holds form keeps the history filters and the history form keeps the holds state; a bad state is said, not a 5xx', async () => {
    const t = await setupTenant(purse);
    await fundWallet(purse, t.tenantId, 10);
    await asKey(purse, t.tenantKey, 'POST', '/v1/billing/holds', { amount: '1', expiresInSeconds: 600 });
    const b = await portalBrowser(purse, t);
    const page = String((await b.get('/billing?holds=voided&kind=usage&from=2026-11-01')).body);
    const holdsForm = /<form method="get" action="\/billing#holds-h"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
    expect(holdsForm).toContain('<input type="hidden" name="kind" value="usage"><input type="hidden" name="from" value="2026-11-01">');
    const historyForm = /<form method="get" action="\/billing#history-h"[\s\S]*?<\/form>/.exec(page)?.[0] ?? '';
    expect(historyForm).toContain('<input type="hidden" name="holds" value="voided">');
    const bad = await b.get('/billing?holds=stolen', { 'accept-language': 'pt-BR' });
    expect(bad.status).toBe(400);
    expect(String(bad.body)).toContain('<p class="field-error" role="alert" id="holds-problem">Este estado de reserva não existe; são mostradas as reservas abertas.</p>');
    expect(holdIds(String(bad.body))).toHaveLength(1);
  });
});

describe('GET /billing/history.csv', () => {
  let t: TestTenant;
  let b: PortalBrowser;

  beforeAll(async () => {
    t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 1, 9);
    await fundWallet(purse, t.tenantId, 1234.5);
    const debit = async (secret: string, amount: string, description: string, key: string) => {
      nowMs += MINUTE_MS;
      expect((await asKey(purse, secret, 'POST', '/v1/billing/usage', { amount, description }, { 'idempotency-key': key })).status).toBe(201);
    };
    await debit(t.numberKey, '1.50', '=HYPERLINK("http://evil.test")', 'csv-1');
    await debit(t.tenantKey, '0.05', 'He said "hi", then\nleft', 'csv-2');
    b = await portalBrowser(purse, t);
  });

  it('sends the history newest first with a header row, escaped text, decimals with a dot and the currency code', async () => {
    const res = await b.get('/billing/history.csv');
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(res.headers['content-disposition']).toBe('attachment; filename="history.csv"');
    expect(res.headers['cache-control']).toBe('no-store');
    const [header, second, first, funding, ...rest] = parseCsv(String(res.body));
    expect(rest).toEqual([]);
    expect(header).toEqual([...HISTORY_CSV_COLUMNS]);
    expect(second!.slice(0, 8)).toEqual([new Date(Date.UTC(2026, 10, 1, 9, 2)).toISOString(), 'usage', 'Usage', 'He said "hi", then\nleft', '', '-0.05', 'BRL', '1232.95']);
    expect(first!.slice(1, 8)).toEqual(['usage', 'Usage', '\'=HYPERLINK("http://evil.test")', '\'+5511999990000', '-1.50', 'BRL', '1233.00']);
    expect(funding!.slice(1, 8)).toEqual(['adjustment', 'Adjustment', 'test funding', '', '1234.50', 'BRL', '1234.50']);
    expect(first![8]).toMatch(/^txn_[0-9A-Z]{26}$/);
  });

  it('applies the page\'s filters and speaks the page\'s language; a filter the page refuses is a 400 in words', async () => {
    const filtered = await b.get(`/billing/history.csv?kind=usage&number=${t.numberId}`, { 'accept-language': 'pt-BR' });
    const rows = parseCsv(String(filtered.body));
    expect(rows.map((r) => r[5])).toEqual(['amount', '-1.50']);
    expect(rows[1]![2]).toBe('Consumo');
    expect(filtered.headers['purse-csv-rows']).toBe('1');
    const bad = await b.get('/billing/history.csv?from=2026-02-30');
    expect(bad.status).toBe(400);
    expect(String(bad.body)).toContain('From: “2026-02-30” is not a date.');
  });

  it('needs the page\'s session: none is 401, and another tenant\'s session gets only its own rows', async () => {
    const anonymous = await call(purse, 'GET', '/billing/history.csv');
    expect(anonymous.status).toBe(401);
    expect(String(anonymous.body)).not.toContain('test funding');
    const other = await setupTenant(purse);
    const theirs = await (await portalBrowser(purse, other)).get('/billing/history.csv');
    expect(parseCsv(String(theirs.body))).toEqual([[...HISTORY_CSV_COLUMNS]]);
    expect((await (await portalBrowser(purse, other)).get(`/billing/history.csv?number=${t.numberId}`)).status).toBe(400);
  });
});

/** Writes `count` ledger rows for a tenant straight into the table (a read test needs many, not balanced ones). */
async function bulkHistory(tenantId: string, count: number, kindOf: (i: number) => string): Promise<void> {
  const chunk = 500;
  for (let start = 0; start < count; start += chunk) {
    const rows = Array.from({ length: Math.min(chunk, count - start) }, (_, j) => {
      const i = start + j;
      return { id: newId('txn'), reference: `bulk:${tenantId}:${i}`, tenant_id: tenantId, number_id: null, kind: kindOf(i), description: `Bulk ${i}`, metadata: null,
        currency: 'BRL', wallet_amount_minor: -1n, wallet_balance_after_minor: null, created_at_ms: BigInt(Date.UTC(2026, 9, 1) + i * MINUTE_MS) };
    });
    await purse.ctx.store.db.insertInto('ledger_transactions').values(rows).execute();
  }
}

describe('long histories', () => {
  const rare = 3;
  let b: PortalBrowser;

  beforeAll(async () => {
    const t = await setupTenant(purse);
    nowMs = Date.UTC(2026, 10, 20, 12);
    await bulkHistory(t.tenantId, HISTORY_CSV_ROWS_MAX + rare, (i) => (i < rare ? 'credit_grant' : 'usage'));
    b = await portalBrowser(purse, t);
  });

  it(`a filtered page examines at most ${HISTORY_SCAN_ROWS_MAX} entries, says so, and "Search older" finds the rest`, async () => {
    const first = String((await b.get('/billing?kind=credit_grant')).body);
    expect(first).toContain('No transactions match these filters.');
    expect(first).toContain(`id="scan-stopped">Searched ${HISTORY_SCAN_ROWS_MAX.toLocaleString('en')} entries from here.`);
    let next = /href="([^"]+)#history-h" rel="next">Search older entries</.exec(first)?.[1]?.replaceAll('&amp;', '&');
    let found: string[] = [];
    for (let hops = 0; next && hops < 5 && found.length === 0; hops += 1) {
      const page = String((await b.get(next)).body);
      found = [...page.matchAll(/data-label="Description">(Bulk \d+)</g)].map((m) => m[1]!);
      next = /href="([^"]+)#history-h" rel="next"/.exec(page)?.[1]?.replaceAll('&amp;', '&');
    }
    expect(found).toEqual(['Bulk 2', 'Bulk 1', 'Bulk 0']);
    expect(next).toBeUndefined();
  });

  it(`the CSV holds the newest ${HISTORY_CSV_ROWS_MAX} rows and says it was cut`, async () => {
    const res = await b.get('/billing/history.csv');
    const rows = parseCsv(String(res.body));
    expect(rows).toHaveLength(HISTORY_CSV_ROWS_MAX + 1);
    expect(rows[1]![3]).toBe(`Bulk ${HISTORY_CSV_ROWS_MAX + rare - 1}`);
    expect(res.headers['purse-csv-truncated']).toBe('true');
    const rareOnly = await b.get('/billing/history.csv?kind=credit_grant');
    expect(parseCsv(String(rareOnly.body)).map((r) => r[3])).toEqual(['description', 'Bulk 2', 'Bulk 1', 'Bulk 0']);
    expect(rareOnly.headers['purse-csv-truncated']).toBe('false');
  });
});
