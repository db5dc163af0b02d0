import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expectLedgerSound } from '../testing/ledger.ts';
import { TEST_SECRETS, testDatabaseKind } from '../testing/harness.ts';
import { type RunningProcess, freePort, startPurseProcess } from '../testing/process.ts';
import { RIG_WEBHOOK_SECRET, type Rig, deliver, startRig } from '../testing/stripe-rig.ts';
import { attemptsOf, autoTopupCredits, balanceOf, chargesAtStripe, debit, tenantWithAutoTopup } from '../testing/auto-topup.ts';

// Two `purse serve` starts on a loaded machine dominate this test's time.
const CRASH_TIMEOUT_MS = 240_000;
/** How long Stripe's answer to the charge is held back: far longer than the worker lives. */
const LOST_RESPONSE_DELAY_MS = 60_000;
const POLL_TIMEOUT_MS = 60_000;

/**
 * A real `purse serve` child runs the auto top-up worker against the sandbox (in this process, so Stripe
 * outlives the worker). It is SIGKILLed the moment Stripe has charged, before it can record anything; a
 * new child finishes the attempt: one charge, one credit, the ledger sound.
 */
describe(`auto top-up survives kill -9 of the worker (${testDatabaseKind()})`, { timeout: CRASH_TIMEOUT_MS }, () => {
  let rig: Rig;
  let dataDir: string;
  const children: RunningProcess[] = [];

  beforeAll(async () => {
    rig = await startRig({ currency: 'USD', deliverWebhooks: false });
    dataDir = mkdtempSync(join(tmpdir(), 'purse-crash-'));
  });
  afterAll(async () => {
    for (const child of children) await child.stop();
    await rig.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  async function startWorker(): Promise<RunningProcess> {
    const port = await freePort();
    const child = startPurseProcess(['serve'], {
      DATABASE_URL: rig.purse.cliDatabaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, LOG_LEVEL: 'info',
      PURSE_DATA_DIR: dataDir, PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey,
      STRIPE_SECRET_KEY: 'sk_test_purse_crash_worker', STRIPE_API_URL: rig.sandbox.url, STRIPE_WEBHOOK_SECRET: RIG_WEBHOOK_SECRET,
      STRIPE_TIMEOUT_MS: '1000',
    });
    children.push(child);
    await child.waitFor(/Purse is listening/);
    return child;
  }

  it('charges once and credits once after the worker dies between Stripe charging and recording it', async () => {
    const tenant = await tenantWithAutoTopup(rig, { fund: 60 });
    await debit(rig, tenant, 20);
    const [attempt] = await attemptsOf(rig, tenant);
    expect(attempt).toMatchObject({ state: 'pending' });

    rig.sandbox.setFaults({ failNext: 1, delayMs: LOST_RESPONSE_DELAY_MS, afterProcessing: true });
    const first = await startWorker();
    await expect.poll(() => chargesAtStripe(rig, tenant).length, { timeout: POLL_TIMEOUT_MS, interval: 20 }).toBe(1);
    first.child.kill('SIGKILL');
    await first.stop();
    expect((await attemptsOf(rig, tenant))[0]).toMatchObject({ id: attempt!.id, state: 'processing' });
    expect(await autoTopupCredits(rig, tenant)).toBe(0);

    rig.sandbox.setFaults({ failNext: 0 });
    const second = await startWorker();
    await expect.poll(async () => (await attemptsOf(rig, tenant))[0]?.state, { timeout: POLL_TIMEOUT_MS, interval: 100 }).toBe('succeeded');
    await second.stop();

    const [intentId] = chargesAtStripe(rig, tenant);
    expect(chargesAtStripe(rig, tenant)).toHaveLength(1);
    expect((await attemptsOf(rig, tenant))[0]).toMatchObject({ paymentIntentId: intentId });
    const event = rig.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === intentId);
    expect((await deliver(rig, JSON.stringify(event))).status).toBe(200);
    expect(await autoTopupCredits(rig, tenant)).toBe(1);
    expect(await balanceOf(rig, tenant)).toBe(60);
    await expectLedgerSound(rig.purse);
  });
});
