import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { historyQuery } from './list-transactions.ts';

/**
 * A page of history must cost O(page) for a big tenant however much other tenants wrote after it. The
 * plan says so without timing anything: the page reads the (tenant_id, seq) index, never the primary key
 * (on PostgreSQL that walked backwards through every other tenant's newer rows).
 */
const OLD_ROWS = 20_000;
const NEWER_ROWS_OF_OTHERS = 40_000;
const PAGE_ROWS = 51;

let purse: TestPurse;
let bigTenantId: string;

beforeAll(async () => {
  purse = await startTestPurse();
  bigTenantId = (await setupTenant(purse)).tenantId;
  const other = (await setupTenant(purse)).tenantId;
  await seedRows(bigTenantId, 'old', OLD_ROWS);
  await seedRows(other, 'new', NEWER_ROWS_OF_OTHERS);
  await sql.raw('analyze').execute(purse.ctx.store.db);
});

afterAll(async () => {
  await purse?.close();
});

/** Rows written straight in (a plan test needs volume, not balanced money): usage of 0 with no postings. */
async function seedRows(tenantId: string, label: string, count: number): Promise<void> {
  const numbers = purse.ctx.store.dialect === 'postgres'
    ? sql`select g as i from generate_series(1, ${count}) as g`
    : sql`select value as i from (with recursive n(value) as (select 1 union all select value + 1 from n where value < ${count}) select value from n)`;
  await sql`insert into ledger_transactions (id, reference, tenant_id, kind, currency, wallet_amount_minor, created_at_ms)
    select ${`txn_${label}_`} || i, ${`seed:${label}:`} || i, ${tenantId}, 'usage', 'BRL', 0, 0 from (${numbers}) as numbers`.execute(purse.ctx.store.db);
}

async function planOf(beforeSeq: bigint | undefined): Promise<string> {
  const compiled = historyQuery(purse.ctx.store, bigTenantId, beforeSeq, PAGE_ROWS).compile();
  const prefix = purse.ctx.store.dialect === 'postgres' ? 'explain ' : 'explain query plan ';
  const result = await purse.ctx.store.db.executeQuery<Record<string, unknown>>({ ...compiled, sql: prefix + compiled.sql });
  return result.rows.map((row) => String(row['QUERY PLAN'] ?? row.detail)).join('\n');
}

describe('history page plan', () => {
  it('reads the first page of a big tenant from its own index range, not the primary key, while others wrote after it', async () => {
    const plan = await planOf(undefined);
    expect(plan).toContain('ledger_transactions_tenant_seq');
    expect(plan).not.toMatch(/pkey|Filter/);
  });

  it('bounds a middle page by its cursor: an index search, never a scan or a sort', async () => {
    const plan = await planOf(10_000n);
    // SQLite may take the rowid range below the cursor (all the big tenant's here), which is bounded too.
    if (purse.ctx.store.dialect === 'postgres') expect(plan).toContain('ledger_transactions_tenant_seq');
    expect(plan).toMatch(/Index Scan Backward|SEARCH/);
    expect(plan).not.toMatch(/pkey|Filter|SCAN ledger|TEMP B-TREE|Sort/);
  });
});
