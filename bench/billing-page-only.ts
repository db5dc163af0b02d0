import { randomBytes } from 'node:crypto';
import { freshBenchDatabase } from './fixtures.ts';
import { parseOptions } from './options.ts';
import { startPurse } from './processes.ts';
import { type Row, printTable, printTargets } from './report.ts';
import { billingPageRow, measureBillingPage } from './billing-page.ts';
import { judgeTargets } from './targets.ts';

/**
 * `node --import tsx bench/billing-page-only.ts [--quick] [--db=sqlite|postgres|all] [--rounds N]`: the
 * billing page scenario of `npm run bench` alone (a fresh database, a real `purse serve`), for checking the
 * page's render time without the whole bench. It writes no results file.
 */
const CURRENCY = 'BRL';
const FUNDS_MAJOR = '1000000';
const options = parseOptions(process.argv.slice(2), process.env);
const runTag = randomBytes(4).toString('hex');
const reports: Parameters<typeof judgeTargets>[0] = {};
const rows: Row[] = [];
for (const kind of options.databases) {
  console.log(`== ${kind} ==`);
  const db = await freshBenchDatabase(kind, options.postgresUrl);
  try {
    const purse = await startPurse(db.url, db.dir);
    try {
      const billingPage = await measureBillingPage({ purseUrl: purse.url, options, runTag: `${runTag}-${kind}` }, CURRENCY, FUNDS_MAJOR);
      const row = billingPageRow(kind, billingPage);
      rows.push(row);
      reports[kind] = { rows: [row], checkout: { addedP50Ms: Number.NaN }, webhook: { events: 0, credited: 0 }, billingPage };
    } finally {
      await purse.stop();
    }
  } finally {
    await db.close();
  }
}
printTable(rows);
printTargets(judgeTargets(reports).filter((t) => t.what.startsWith('billing page')));
