/**
 * Counts what a CI run really did, from vitest JSON reports and the exit codes of other checks, and prints
 * the one line CI is judged by: `N passed, N failed`. Used by `.ci/run`; tested by ci-count.test.ts.
 *
 *   node --import tsx scripts/ci-count.ts run:sqlite:0:.test-results/sqlite.json run:postgres:1:.test-results/postgres.json \
 *     check:typecheck:0 check:lint:0
 *
 * What counts as a failure, beyond vitest's own failed tests:
 * - a file that failed outside its tests (a beforeAll/afterAll hook error, an import error): one per file;
 * - a missing or unreadable report, or a run with no tests at all (the run crashed);
 * - a skipped test, unless it is marked for the other database. In CI every test must run: tests that need
 *   Redis or Chromium run because PURSE_REQUIRE_SERVICES/PURSE_REQUIRE_BROWSER are set, and a test meant
 *   for one database carries `[postgres-only]` or `[sqlite-only]` in its name (or its describe's), so
 *   the PostgreSQL run must report the PostgreSQL-only tests as run, and so on;
 * - a stray `.only` (vitest refuses it under CI=1 and reports the test failed; the rest are then skipped);
 * - a check (typecheck, lint) that exited non-zero;
 * - a test run that exited non-zero although its report shows no failure (an unhandled rejection, or a test
 *   file calling `process.exit`: vitest exits 1 and its JSON report may still list every test as passed).
 * Adding a run (say, another Node version) is one more `run:<name>:<exit code>:<report>` argument; a run named
 * `<database>-<anything>` (e.g. `postgres-node24`) follows that database's markers.
 */
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

export const ONLY_MARKERS: Record<string, string> = { postgres: '[postgres-only]', sqlite: '[sqlite-only]' };
const SKIPPED_STATUSES = new Set(['skipped', 'pending', 'todo', 'disabled']);

/** The parts of vitest's JSON report this reads. */
export interface VitestReport {
  testResults?: Array<{
    name: string;
    status: string;
    message?: string;
    assertionResults?: Array<{ fullName: string; status: string }>;
  }>;
}

export interface RunCount {
  run: string;
  passed: number;
  failed: number;
  skipped: number;
  skippedAllowed: number;
  problems: string[];
}

export interface Total {
  passed: number;
  failed: number;
  lines: string[];
  problems: string[];
}

type ReadReport = (file: string) => VitestReport | { error: string };

/** The database a run is for: its name up to the first dash. */
export function databaseOf(run: string): string {
  return run.split('-')[0] ?? run;
}

/** A skipped test is allowed only when marked for another database than this run's. */
export function skipAllowed(fullName: string, run: string): boolean {
  const database = databaseOf(run);
  return Object.entries(ONLY_MARKERS).some(([db, marker]) => db !== database && fullName.includes(marker));
}

/** One vitest JSON report → its counts and the reasons it failed, each named. */
export function countRun(report: VitestReport, run: string): RunCount {
  const result: RunCount = { run, passed: 0, failed: 0, skipped: 0, skippedAllowed: 0, problems: [] };
  for (const file of report.testResults ?? []) {
    let failedTests = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') result.passed += 1;
      else if (test.status === 'failed') {
        failedTests += 1;
        result.failed += 1;
        result.problems.push(`${run}: failed: ${test.fullName} (${file.name})`);
      } else if (SKIPPED_STATUSES.has(test.status)) {
        result.skipped += 1;
        if (skipAllowed(test.fullName, run)) result.skippedAllowed += 1;
        else {
          result.failed += 1;
          result.problems.push(`${run}: skipped a test that must run in CI: ${test.fullName} (${file.name})`);
        }
      }
    }
    // vitest fails the file, not a test, when a hook throws or the file cannot load: count the file.
    if (file.status === 'failed' && (file.message || failedTests === 0)) {
      result.failed += 1;
      result.problems.push(`${run}: file failed outside its tests: ${file.name}: ${String(file.message || 'no message').split('\n')[0]}`);
    }
  }
  if (result.passed + result.failed + result.skipped === 0) {
    result.failed += 1;
    result.problems.push(`${run}: the report holds no tests`);
  }
  return result;
}

function readReport(file: string): VitestReport | { error: string } {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as VitestReport;
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** Parses `run:<name>:<exit code>:<report>` and `check:<name>:<exit code>` arguments and totals them. */
export function countAll(args: string[], read: ReadReport = readReport): Total {
  const total: Total = { passed: 0, failed: 0, lines: [], problems: [] };
  for (const arg of args) {
    const [kind, name = '', ...rest] = arg.split(':');
    if (kind === 'run' && /^\d+$/.test(rest[0] ?? '') && rest.length > 1) addRun(total, name, Number(rest[0]), rest.slice(1).join(':'), read);
    else if (kind === 'check') addCheck(total, name, rest.join(':'));
    else throw new Error(`unknown argument ${arg}: expected run:<name>:<exit code>:<report.json> or check:<name>:<exit code>`);
  }
  return total;
}

function addRun(total: Total, name: string, exitCode: number, file: string, read: ReadReport): void {
  const report = read(file);
  if ('error' in report) {
    total.failed += 1;
    total.problems.push(`${name}: no readable report at ${file} (the run crashed?): ${report.error}`);
    total.lines.push(`${name}: no report`);
    return;
  }
  const r = countRun(report, name);
  total.passed += r.passed;
  total.failed += r.failed;
  total.problems.push(...r.problems);
  total.lines.push(`${name}: ${r.passed} passed, ${r.failed} failed, ${r.skipped} skipped (${r.skippedAllowed} marked for the other database)`);
  if (exitCode !== 0 && r.failed === 0) {
    // The report says all is well but the runner did not: an unhandled error or a process.exit in a test.
    total.failed += 1;
    total.problems.push(`${name}: the test run exited ${exitCode} although its report shows no failure (an unhandled error?)`);
  }
}

function addCheck(total: Total, name: string, exitCode: string): void {
  const ok = exitCode === '0';
  if (!ok) {
    total.failed += 1;
    total.problems.push(`${name}: exited ${exitCode}`);
  }
  total.lines.push(`${name}: ${ok ? 'ok' : `FAILED (exit ${exitCode})`}`);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '/').href) {
  const total = countAll(process.argv.slice(2));
  for (const line of total.lines) console.error(`[ci] ${line}`);
  for (const problem of total.problems) console.error(`[ci] ${problem}`);
  process.stdout.write(`${total.passed} passed, ${total.failed} failed\n`);
  process.exitCode = total.failed > 0 ? 1 : 0;
}
