import http from 'node:http';
import { sql } from 'kysely';
import { setupTenant } from '../src/testing/api.ts';
import { type TestPurse, startTestPurse } from '../src/testing/harness.ts';
import { newId } from '../src/ids/ids.ts';

/**
 * `node --import tsx bench/receipts.ts` (issue 22): the history export, statements and receipt PDFs, on
 * SQLite and PostgreSQL in one run, rounds interleaved (sqlite, postgres, sqlite, …) so a load spike on the
 * shared machine hits both alike. Purse runs in this process behind a real HTTP port; the client only
 * counts bytes and line ends. RSS growth = the highest RSS sampled during the export − RSS just before it.
 * Rows are written straight into ledger_transactions (the export reads nothing else).
 *
 * Targets: export ≥ 100,000 rows/s with RSS growth < 50 MB (1,000,000 rows); a 100,000-posting month's
 * statement ≤ 1 s; receipt PDF p50 ≤ 50 ms.
 */
const EXPORT_ROWS = Number(process.env.BENCH_EXPORT_ROWS ?? 1_000_000);
const STATEMENT_ROWS = 100_000;
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const PDF_RENDERS = 60;
const RSS_SAMPLE_MS = 20;
const PG_URL = process.env.PURSE_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const MB = 1024 * 1024;
const MONTH_START_MS = Date.UTC(2026, 9, 1);
const MONTH_SPAN_MS = 30 * 86_400_000;

interface Target {
  name: 'sqlite' | 'postgres';
  purse: TestPurse;
  baseUrl: string;
  exportKey: string;
  statementKey: string;
  receiptId: string;
}

async function start(name: Target['name']): Promise<Target> {
  if (name === 'postgres') process.env.PURSE_TEST_DATABASE_URL = PG_URL;
  else delete process.env.PURSE_TEST_DATABASE_URL;
  const purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000', LOG_LEVEL: 'warn' });
  const baseUrl = await purse.app.listen({ port: 0, host: '127.0.0.1' });
  const exporter = await setupTenant(purse);
  const monthly = await setupTenant(purse);
  await seedRows(purse, exporter.tenantId, EXPORT_ROWS, 'x');
  await seedRows(purse, monthly.tenantId, STATEMENT_ROWS, 'm');
  const receiptId = await seedReceipt(purse, monthly.tenantId);
  return { name, purse, baseUrl, exportKey: exporter.tenantKey, statementKey: monthly.tenantKey, receiptId };
}

async function seedRows(purse: TestPurse, tenantId: string, rows: number, tag: string): Promise<void> {
  const db = purse.ctx.store.db;
  const step = Math.floor(MONTH_SPAN_MS / rows);
  if (purse.ctx.store.dialect === 'postgres') {
    await sql`INSERT INTO ledger_transactions (id, reference, tenant_id, kind, description, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms)
      SELECT 'txn_' || ${tag} || lpad(i::text, 24, '0'), 'bench:' || ${tag} || ':' || i, ${tenantId}, CASE WHEN i % 10 = 0 THEN 'topup' ELSE 'usage' END,
        'API call, batch ' || (i % 100), 'BRL', CASE WHEN i % 10 = 0 THEN 5000 ELSE -((i % 500) + 1) END, 1000000 - i,
        ${MONTH_START_MS}::bigint + i * ${step}::bigint FROM generate_series(1, ${rows}) AS i`.execute(db);
    await sql`ANALYZE ledger_transactions`.execute(db);
  } else {
    await sql`WITH RECURSIVE c(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM c WHERE i < ${rows})
      INSERT INTO ledger_transactions (id, reference, tenant_id, kind, description, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms)
      SELECT 'txn_' || ${tag} || printf('%024d', i), 'bench:' || ${tag} || ':' || i, ${tenantId}, CASE WHEN i % 10 = 0 THEN 'topup' ELSE 'usage' END,
        'API call, batch ' || (i % 100), 'BRL', CASE WHEN i % 10 = 0 THEN 5000 ELSE -((i % 500) + 1) END, 1000000 - i,
        ${MONTH_START_MS} + i * ${step} FROM c`.execute(db);
  }
}

async function seedReceipt(purse: TestPurse, tenantId: string): Promise<string> {
  const db = purse.ctx.store.db;
  const tx = await db.selectFrom('ledger_transactions').select(['id']).where('tenant_id', '=', tenantId).where('kind', '=', 'topup').limit(1).executeTakeFirstOrThrow();
  const id = newId('rcp');
  await db.insertInto('receipts').values({
    id, serial: 1n, number: 'PUR-000001', kind: 'receipt', tenant_id: tenantId, transaction_id: tx.id, order_id: 'cto_bench', attempt_id: null, refund_id: null,
    currency: 'BRL', credited_minor: 123456n, tax_minor: 12346n, total_minor: 135802n, presentment_amount_minor: null, presentment_currency: null,
    card_brand: 'visa', card_last4: '4242', billing_address: JSON.stringify({ line1: 'Rua A 1', city: 'São Paulo', postal_code: '01000-000', country: 'BR' }),
    stripe_receipt_url: null, issued_at_ms: BigInt(MONTH_START_MS),
  }).execute();
  return id;
}

/** One export over HTTP: rows (line ends − header), seconds, and the RSS growth while it ran. */
function exportOnce(t: Target): Promise<{ rows: number; seconds: number; rssGrowthMb: number }> {
  const before = process.memoryUsage.rss();
  let peak = before;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage.rss());
  }, RSS_SAMPLE_MS);
  const started = performance.now();
  return new Promise((resolve, reject) => {
    http.get(`${t.baseUrl}/v1/billing/transactions.csv`, { headers: { 'x-api-key': t.exportKey } }, (res) => {
      let lines = 0;
      res.on('data', (chunk: Buffer) => {
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
      });
      res.on('end', () => {
        clearInterval(sampler);
        if (res.statusCode !== 200) reject(new Error(`export answered ${res.statusCode}`));
        resolve({ rows: lines - 1, seconds: (performance.now() - started) / 1000, rssGrowthMb: (peak - before) / MB });
      });
    }).on('error', reject);
  });
}

async function timed(t: Target, url: string, key: string): Promise<number> {
  const started = performance.now();
  const res = await t.purse.app.inject({ method: 'GET', url, headers: { 'x-api-key': key } });
  if (res.statusCode !== 200) throw new Error(`${url} answered ${res.statusCode}`);
  return performance.now() - started;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function main(): Promise<void> {
  const targets = [await start('sqlite'), await start('postgres')];
  const results = new Map<string, { rowsPerSecond: number[]; rss: number[]; statementMs: number[]; pdfP50Ms: number[] }>();
  for (const t of targets) results.set(t.name, { rowsPerSecond: [], rss: [], statementMs: [], pdfP50Ms: [] });
  for (let round = 0; round < ROUNDS; round += 1) {
    for (const t of targets) {
      const r = results.get(t.name)!;
      const run = await exportOnce(t);
      if (run.rows !== EXPORT_ROWS) throw new Error(`${t.name}: exported ${run.rows} rows, expected ${EXPORT_ROWS}`);
      r.rowsPerSecond.push(run.rows / run.seconds);
      r.rss.push(run.rssGrowthMb);
      r.statementMs.push(await timed(t, '/v1/billing/statements/2026-10', t.statementKey));
      const pdfMs: number[] = [];
      for (let i = 0; i < PDF_RENDERS; i += 1) pdfMs.push(await timed(t, `/v1/billing/receipts/${t.receiptId}.pdf?lang=pt-BR`, t.statementKey));
      r.pdfP50Ms.push(median(pdfMs));
      console.log(`round ${round + 1} ${t.name}: export ${Math.round(run.rows / run.seconds)} rows/s, RSS +${run.rssGrowthMb.toFixed(1)} MB; statement ${r.statementMs.at(-1)!.toFixed(0)} ms; receipt PDF p50 ${r.pdfP50Ms.at(-1)!.toFixed(1)} ms`);
    }
  }
  for (const [name, r] of results) {
    const rps = median(r.rowsPerSecond);
    console.log(`${name} (median of ${ROUNDS}): export ${Math.round(rps)} rows/s (${(rps / 100_000).toFixed(2)}× the 100,000 target), RSS growth max ${Math.max(...r.rss).toFixed(1)} MB (< 50), `
      + `statement ${median(r.statementMs).toFixed(0)} ms (≤ 1000), receipt PDF p50 ${median(r.pdfP50Ms).toFixed(1)} ms (≤ 50)`);
  }
  const [a, b] = [...results.values()];
  console.log(`postgres/sqlite export ratio: ${(median(b!.rowsPerSecond) / median(a!.rowsPerSecond)).toFixed(2)}`);
  for (const t of targets) await t.purse.close();
}

await main();
