import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TEST_SECRETS } from '../testing/harness.ts';
import { pdfText } from '../testing/pdf-text.ts';
import { purseCli } from '../testing/process.ts';
import { type Rig, createTopup, sessionIdOf, startRig } from '../testing/stripe-rig.ts';

/** `purse receipts list|show|pdf` (issue 22) on the database a running Purse issued receipts into. */
const CLI_TIMEOUT_MS = 120_000;
let rig: Rig;
let env: Record<string, string>;
let dir: string;
beforeAll(async () => {
  rig = await startRig({ env: { RATE_LIMIT_PER_MINUTE: '1000000' } });
  const checkout = await createTopup(rig, '25.50');
  rig.sandbox.paySession(sessionIdOf(checkout.url), { card: '4242424242424242' });
  await rig.sandbox.webhooks.idle();
  env = { DATABASE_URL: rig.purse.cliDatabaseUrl, LOG_LEVEL: 'silent', PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey };
  dir = mkdtempSync(join(tmpdir(), 'purse-receipts-cli-'));
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await rig.close();
});

describe('purse receipts', () => {
  it('lists, shows by number and writes the PDF in pt-BR; an unknown number fails', async () => {
    const list = await purseCli(['receipts', 'list', '--tenant', rig.tenant.tenantId, '--json'], env);
    expect(list.code, list.stderr).toBe(0);
    const [receipt] = JSON.parse(list.stdout);
    expect(receipt).toMatchObject({ kind: 'receipt', credited: 25.5, currency: 'BRL' });
    const shown = await purseCli(['receipts', 'show', receipt.number, '--json'], env);
    expect(JSON.parse(shown.stdout)).toEqual(receipt);
    const file = join(dir, 'r.pdf');
    expect((await purseCli(['receipts', 'pdf', receipt.id, '--out', file, '--lang', 'pt-BR'], env)).code).toBe(0);
    expect(await pdfText(readFileSync(file))).toContain(`Recibo ${receipt.number}`);
    expect((await purseCli(['receipts', 'show', 'PUR-999999'], env)).code).not.toBe(0);
  }, CLI_TIMEOUT_MS);
});
