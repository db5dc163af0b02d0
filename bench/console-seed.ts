import type { Ctx } from '../src/context.ts';
import { newId } from '../src/ids/ids.ts';
import { createTenant } from '../src/tenants/tenants.ts';
import { searchNameOf } from '../src/tenants/search-name.ts';
import type { BenchDatabase } from './fixtures.ts';

/**
 * The console bench's tenants, written set-based: the first tenant of each currency through createTenant
 * (which opens the currency's system accounts), the rest as multi-row inserts of what createTenant writes —
 * the tenant, its wallet account and its wallet at zero — a thousand rows a statement. Two wallets in 50 (one
 * of each currency) have a low-balance alert above their balance, so the "low balance" filter finds a few among many.
 */
const ROWS_PER_STATEMENT = 1_000;
const LOW_ALERT_EVERY = 50;
const LOW_ALERT_MINOR = 500;

export async function seedTenants(ctx: Ctx, db: BenchDatabase, count: number, currencyOf: (i: number) => string): Promise<string[]> {
  const ids: string[] = [];
  const opened = new Set<string>();
  const bulk: Array<{ i: number; id: string; currency: string }> = [];
  for (let i = 0; i < count; i += 1) {
    const currency = currencyOf(i);
    if (!opened.has(currency)) {
      opened.add(currency);
      ids.push((await createTenant(ctx, { name: nameOf(i), currency })).id);
      continue;
    }
    const id = newId('ten');
    ids.push(id);
    bulk.push({ i, id, currency });
  }
  const nowMs = ctx.nowMs();
  for (let from = 0; from < bulk.length; from += ROWS_PER_STATEMENT) {
    const rows = bulk.slice(from, from + ROWS_PER_STATEMENT);
    await db.query(`insert into tenants (id, name, search_name, currency, status, stripe_customer_id, created_at_ms) values ${rows.map((r) =>
      `(${quote(r.id)}, ${quote(nameOf(r.i))}, ${quote(searchNameOf(nameOf(r.i)))}, ${quote(r.currency)}, 'active', null, ${nowMs})`).join(', ')}`);
    await db.query(`insert into ledger_accounts (id, tenant_id, kind, currency, created_at_ms) values ${rows.map((r) =>
      `(${quote(`wallet:${r.id}`)}, ${quote(r.id)}, 'wallet', ${quote(r.currency)}, ${nowMs})`).join(', ')}`);
    await db.query(`insert into wallets (tenant_id, account_id, currency, balance_minor, held_minor, updated_at_ms, low_balance_minor) values ${rows.map((r) =>
      `(${quote(r.id)}, ${quote(`wallet:${r.id}`)}, ${quote(r.currency)}, 0, 0, ${nowMs}, ${r.i % LOW_ALERT_EVERY < 2 ? LOW_ALERT_MINOR : 'null'})`).join(', ')}`);
  }
  return ids;
}

export function nameOf(i: number): string {
  return `Tenant ${String(i).padStart(5, '0')} Ltd`;
}

function quote(text: string): string {
  return `'${text.replaceAll("'", "''")}'`;
}
