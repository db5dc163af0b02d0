import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant } from '../tenants/tenants.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { type ConsoleBrowser, consoleBrowser } from '../testing/console.ts';
import { TENANT_PAGE_ROWS } from './tenant-search.ts';

/** The tenants page's search: a name's start (any case, accents ignored) along its index, or an exact id. */
let purse: TestPurse;
let viewer: ConsoleBrowser;
let saoPaulo: string;
let pinheiros: string[];
const PINHEIROS = TENANT_PAGE_ROWS + 5;

beforeAll(async () => {
  purse = await startTestPurse();
  saoPaulo = (await createTenant(purse.ctx, { name: 'São  Paulo Telecom', currency: 'BRL' })).id;
  pinheiros = [];
  for (let i = 0; i < PINHEIROS; i += 1) pinheiros.push((await createTenant(purse.ctx, { name: `Pinheiros ${String(i).padStart(3, '0')}`, currency: 'BRL' })).id);
  viewer = await consoleBrowser(purse, 'viewer');
});
afterAll(async () => purse.close());

const idsIn = (body: string) => [...body.matchAll(/<code>(ten_[0-9A-Z]+)<\/code>/g)].map((m) => m[1]!);

describe('tenant search', () => {
  it('finds a tenant by the start of its name in any case, accents and extra spaces ignored', async () => {
    for (const q of ['sao paulo', 'SÃO', 'São Paulo Tel', 'sao  paulo']) {
      expect(idsIn(String((await viewer.get(`/admin/tenants?q=${encodeURIComponent(q)}`)).body)), q).toEqual([saoPaulo]);
    }
  });

  it('does not match the middle of a name, and finds an id only whole', async () => {
    expect(idsIn(String((await viewer.get('/admin/tenants?q=paulo')).body))).toEqual([]);
    expect(idsIn(String((await viewer.get(`/admin/tenants?q=${saoPaulo}`)).body))).toEqual([saoPaulo]);
    expect(idsIn(String((await viewer.get(`/admin/tenants?q=${saoPaulo.slice(0, -1)}`)).body))).toEqual([]);
  });

  it('pages a name search in name order, each tenant once', async () => {
    const first = String((await viewer.get('/admin/tenants?q=pinheiros')).body);
    expect(idsIn(first)).toEqual(pinheiros.slice(0, TENANT_PAGE_ROWS));
    const cursor = /cursor=(ten_[0-9A-Z]+)/.exec(first)![1]!;
    const second = String((await viewer.get(`/admin/tenants?q=pinheiros&cursor=${cursor}`)).body);
    expect(idsIn(second)).toEqual(pinheiros.slice(TENANT_PAGE_ROWS));
    expect(second).not.toMatch(/cursor=/);
  });

  it('lists only wallets below their low-balance alert under the low filter', async () => {
    await purse.ctx.store.db.updateTable('wallets').set({ low_balance_minor: 100n }).where('tenant_id', 'in', [pinheiros[3]!, pinheiros[7]!]).execute();
    await purse.ctx.store.db.updateTable('wallets').set({ low_balance_minor: -100n }).where('tenant_id', '=', pinheiros[9]!).execute();
    expect(idsIn(String((await viewer.get('/admin/tenants?filter=low&currency=BRL')).body)).sort()).toEqual([pinheiros[3]!, pinheiros[7]!].sort());
  });
});
