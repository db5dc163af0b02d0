import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INBOX_CLAIM_MS, retryPendingEvents } from '../stripe/inbox.ts';
import { expectLedgerSound } from '../testing/ledger.ts';
import { createTopup, deliver, type Rig, sessionIdOf, startRig, walletOf } from '../testing/stripe-rig.ts';

const CHILD = new URL('../testing/inbox-crash-child.ts', import.meta.url).pathname;
// A child Purse loads the whole app through tsx; on a loaded machine that takes a while.
const CHILD_TIMEOUT_MS = 240_000;

let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(async () => {
  try {
    await expectLedgerSound(rig.purse);
  } finally {
    await rig.close();
  }
});

/** Runs the child until it has stored the event, then SIGKILLs it: the event is in the inbox, unprocessed. */
async function storeThenKill(payload: string): Promise<string> {
  const child = spawn(process.execPath, ['--import', 'tsx', CHILD], {
    env: { ...process.env, DATABASE_URL: rig.purse.cliDatabaseUrl, CRASH_NOW_MS: String(rig.sandbox.clock.nowMs()), CRASH_EVENT: payload },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString('utf8');
      if (/recorded (true|false)\n/.test(output)) resolve();
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    void exited.then(() => reject(new Error(`child exited before storing the event:\n${output}`)));
  });
  child.kill('SIGKILL');
  await exited;
  return output;
}

describe('a crash between the inbox insert and processing', () => {
  it('claws back exactly once after restart', async () => {
    const checkout = await createTopup(rig, 40);
    const sessionId = sessionIdOf(checkout.url);
    const session = rig.sandbox.paySession(sessionId, { card: '4242424242424242' });
    const completed = rig.sandbox.events().find((e) => e.type === 'checkout.session.completed' && (e.data.object as { id: string }).id === sessionId)!;
    await deliver(rig, JSON.stringify(completed));
    const credited = await walletOf(rig);
    const intent = rig.sandbox.events().find((e) => e.type === 'payment_intent.succeeded' && (e.data.object as { id: string }).id === session.payment_intent)!;
    const chargeId = (intent.data.object as { latest_charge: string }).latest_charge;
    rig.sandbox.refundCharge(chargeId);
    const refunded = rig.sandbox.events().find((e) => e.type === 'charge.refunded')!;
    const payload = JSON.stringify(refunded);

    expect(await storeThenKill(payload)).toContain('recorded true');
    const stored = await rig.purse.ctx.store.db.selectFrom('stripe_events').selectAll().where('id', '=', refunded.id).executeTakeFirstOrThrow();
    expect(stored.processed_at_ms).toBeNull();
    expect((await walletOf(rig)).balance).toBe(credited.balance);
    // Stripe redelivers while the dead process's claim still stands: acknowledged as a duplicate, not run twice.
    expect((await deliver(rig, payload)).body).toEqual({ received: true, duplicate: true });

    // The restart: once the claim lapses, the retry job processes the stored event.
    rig.sandbox.advanceClock(INBOX_CLAIM_MS / 1000 + 1);
    const [a, b] = await Promise.all([retryPendingEvents(rig.purse.ctx), retryPendingEvents(rig.purse.ctx)]);
    expect(a + b).toBe(1);
    expect((await walletOf(rig)).balance).toBe(credited.balance - 40);
    expect(await retryPendingEvents(rig.purse.ctx)).toBe(0);
    const clawbacks = await rig.purse.ctx.store.db.selectFrom('refund_clawbacks').selectAll().where('charge_id', '=', chargeId).execute();
    expect(clawbacks).toHaveLength(1);
  }, CHILD_TIMEOUT_MS);
});
