import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { type VitestReport, countAll, countRun, skipAllowed } from './ci-count.ts';

/**
 * The fixtures are real vitest JSON reports (paths and times blanked), made by running tiny test files
 * under CI=1: a failing afterAll, skipped tests with and without a database marker, a stray `.only`, and
 * a plain failing test.
 */
const FIXTURES = new URL('./fixtures/', import.meta.url).pathname;
const SCRIPT = new URL('./ci-count.ts', import.meta.url).pathname;
const run = promisify(execFile);

function fixture(name: string): VitestReport {
  return JSON.parse(readFileSync(`${FIXTURES}${name}.json`, 'utf8')) as VitestReport;
}

async function runScript(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', SCRIPT, ...args], { cwd: FIXTURES });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('counting one run', () => {
  it('counts a failed afterAll (a broken ledger check) as a failure although every test passed', () => {
    const count = countRun(fixture('a-afterall'), 'sqlite');
    expect([count.passed, count.failed]).toEqual([1, 1]);
    expect(count.problems.join('\n')).toContain("file failed outside its tests: /repo/src/a-afterall.test.ts: expected 'ledger' to be 'sound'");
  });

  it('fails a skipped must-run test, and allows a test marked for the other database', () => {
    const sqlite = countRun(fixture('b-mustrun'), 'sqlite');
    expect([sqlite.passed, sqlite.failed, sqlite.skipped, sqlite.skippedAllowed]).toEqual([1, 1, 2, 1]);
    expect(sqlite.problems).toEqual(['sqlite: skipped a test that must run in CI: needs redis uses redis (/repo/src/b-mustrun.test.ts)']);
    // The same report from the PostgreSQL run: the PostgreSQL-only test was skipped where it must run.
    const postgres = countRun(fixture('b-mustrun'), 'postgres');
    expect([postgres.failed, postgres.skippedAllowed]).toEqual([2, 0]);
    expect(postgres.problems.join('\n')).toContain('must run in CI: needs postgres [postgres-only] runs on pg');
  });

  it('fails a stray .only: vitest refuses it under CI=1 and the tests it hid are skipped', () => {
    const count = countRun(fixture('c-only'), 'sqlite');
    expect(count.passed).toBe(0);
    expect(count.failed).toBe(2);
    expect(count.problems.join('\n')).toMatch(/failed: focused/);
  });

  it('counts a plain failing test once, not again as a file failure', () => {
    expect(countRun(fixture('d-clean'), 'postgres')).toMatchObject({ passed: 1, failed: 1, skipped: 0 });
  });

  it('fails a report without tests and a run whose report is missing', () => {
    expect(countRun({ testResults: [] }, 'sqlite').failed).toBe(1);
    const total = countAll(['run:sqlite:0:nowhere.json'], () => ({ error: 'ENOENT' }));
    expect([total.passed, total.failed]).toEqual([0, 1]);
  });

  it.each([
    ['x [postgres-only]', 'sqlite', true],
    ['x [postgres-only]', 'postgres', false],
    ['x [postgres-only]', 'postgres-node24', false],
    ['x [sqlite-only]', 'postgres', true],
    ['x [sqlite-only]', 'sqlite-node24', false],
    ['x', 'sqlite', false],
  ])('skipping %j in the %s run is allowed: %s', (name, runName, allowed) => {
    expect(skipAllowed(name, runName)).toBe(allowed);
  });
});

describe('the printed line and exit code', () => {
  it('prints N passed, N failed and exits non-zero when a test failed', async () => {
    const clean = await runScript(['run:sqlite:0:b-mustrun.json', 'check:typecheck:0']);
    expect(clean.stdout).toBe('1 passed, 1 failed\n');
    expect(clean.code).toBe(1);
    const ok = await runScript(['check:typecheck:0', 'check:lint:0', 'run:sqlite:0:d-clean.json']);
    expect(ok.stdout).toBe('1 passed, 1 failed\n');
    expect(ok.stderr).toContain('[ci] typecheck: ok');
  });

  it('adds every source of failure: afterAll, skipped must-run, .only, typecheck and lint', async () => {
    const res = await runScript(['run:sqlite:0:a-afterall.json', 'run:postgres:0:b-mustrun.json', 'run:sqlite-again:0:c-only.json', 'check:typecheck:2', 'check:lint:1']);
    // a-afterall 1 passed + 1 file; b-mustrun (postgres) 1 passed + 2 skipped; c-only 2; typecheck; lint.
    expect(res.stdout).toBe('2 passed, 7 failed\n');
    expect(res.code).toBe(1);
    expect(res.stderr).toContain('[ci] lint: FAILED (exit 1)');
  });

  it('fails a run that exited non-zero although its report lists every test as passed (an unhandled error)', async () => {
    const passing: VitestReport = { testResults: [{ name: '/repo/x.test.ts', status: 'passed', assertionResults: [{ fullName: 'x', status: 'passed' }] }] };
    const crashed = countAll(['run:sqlite:1:x.json'], () => passing);
    expect([crashed.passed, crashed.failed]).toEqual([1, 1]);
    expect(crashed.problems).toEqual(['sqlite: the test run exited 1 although its report shows no failure (an unhandled error?)']);
    // A non-zero exit explained by failed tests is not counted twice.
    expect(countAll(['run:postgres:1:d.json'], () => fixture('d-clean')).failed).toBe(1);
    expect(countAll(['run:sqlite:0:x.json'], () => passing).failed).toBe(0);
  });

  it('exits 0 with "N passed, 0 failed" when everything ran and passed', async () => {
    const res = await runScript(['check:typecheck:0', 'check:lint:0']);
    expect([res.stdout, res.code]).toEqual(['0 passed, 0 failed\n', 0]);
  });
});
