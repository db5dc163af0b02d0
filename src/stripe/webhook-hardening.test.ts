import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asKey } from '../testing/api.ts';
import { deliver, type Rig, sessionIdOf, startRig } from '../testing/stripe-rig.ts';
import { purseCli } from '../testing/process.ts';
import { INBOX_ATTEMPTS_MAX, INBOX_RETRY_AFTER_MS, listFailedEvents, retryPendingEvents } from './inbox.ts';
import { WEBHOOK_TOLERANCE_SECONDS } from './webhook-route.ts';

// Spawning `purse` (a fresh Node with the TypeScript loader) is slow on a loaded machine.
const CLI_TEST_TIMEOUT_MS = 120_000;
let rig: Rig;
beforeAll(async () => {
  rig = await startRig({ deliverWebhooks: false });
});
afterAll(() => rig.close());

const nowSeconds = () => Math.floor(rig.sandbox.clock.nowMs() / 1000);
const event = (id: string) => JSON.stringify({ id, object: 'event', type: 'customer.updated', created: 1, data: { object: { id: 'cus_1' } } });

describe('webhook timestamps', () => {
  it.each([
    ['at the tolerance in the past', 200, -WEBHOOK_TOLERANCE_SECONDS],
    ['a little in the future (clock skew)', 200, 30],
    ['at the tolerance in the future', 200, WEBHOOK_TOLERANCE_SECONDS],
    ['beyond the tolerance in the future', 400, WEBHOOK_TOLERANCE_SECONDS + 1],
    ['a day in the future', 400, 24 * 60 * 60],
    ['beyond the tolerance in the past', 400, -WEBHOOK_TOLERANCE_SECONDS - 1],
  ])('signed %s answers %i', async (label, status, offsetSeconds) => {
    const res = await deliver(rig, event(`evt_ts_${label.replace(/\W/g, '_')}`), nowSeconds() + offsetSeconds);
    expect(res.status).toBe(status);
    if (status === 400) expect(res.body.code).toBe('SIGNATURE_INVALID');
  });
});

describe('validly signed but malformed events', () => {
  it.each([
    ['an empty object', '{}'],
    ['an array', '[]'],
    ['null', 'null'],
    ['a number', '42'],
    ['no type', '{"id":"evt_m1","object":"event","data":{"object":{}}}'],
    ['no data', '{"id":"evt_m2","object":"event","type":"checkout.session.completed"}'],
    ['data without an object', '{"id":"evt_m3","object":"event","type":"checkout.session.completed","data":{}}'],
    ['no id', '{"object":"event","type":"checkout.session.completed","data":{"object":{}}}'],
    ['a non-string type', '{"id":"evt_m4","object":"event","type":7,"data":{"object":{}}}'],
  ])('answers %s with 400 and stores nothing', async (_label, payload) => {
    const before = await rig.purse.ctx.store.db.selectFrom('stripe_events').select('id').execute();
    const res = await deliver(rig, payload);
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('VALIDATION_ERROR');
    expect(await rig.purse.ctx.store.db.selectFrom('stripe_events').select('id').execute()).toEqual(before);
  });
});

describe('an event whose processing keeps failing', () => {
  it(`is dead-lettered after ${INBOX_ATTEMPTS_MAX} attempts, logged, listed by \`purse events failed\`, and never retried again`, async () => {
    // A setup session whose SetupIntent Stripe does not know: reading it fails every time.
    const checkout = await asKey(rig.purse, rig.tenant.tenantKey, 'POST', '/v1/billing/checkout', { purpose: 'add_card' });
    expect(checkout.status).toBe(200);
    const payload = JSON.stringify({
      id: 'evt_poison_1', object: 'event', type: 'checkout.session.completed', created: nowSeconds(),
      data: { object: { id: sessionIdOf(checkout.body.url), object: 'checkout.session', mode: 'setup', metadata: { orderId: checkout.body.orderId }, setup_intent: 'seti_missing' } },
    });
    expect((await deliver(rig, payload)).status).toBe(200);
    for (let attempt = 2; attempt <= INBOX_ATTEMPTS_MAX + 3; attempt += 1) {
      rig.sandbox.advanceClock(INBOX_RETRY_AFTER_MS / 1000 + 60);
      await retryPendingEvents(rig.purse.ctx);
    }
    const row = await rig.purse.ctx.store.db.selectFrom('stripe_events').selectAll().where('id', '=', 'evt_poison_1').executeTakeFirstOrThrow();
    expect(row.attempts).toBe(BigInt(INBOX_ATTEMPTS_MAX));
    expect(row.failed_at_ms).not.toBeNull();
    expect(row.processed_at_ms).toBeNull();
    expect(rig.purse.logs()).toMatch(/"eventId":"evt_poison_1".*dead-lettered/);

    const failed = await listFailedEvents(rig.purse.ctx);
    expect(failed.map((e) => e.id)).toEqual(['evt_poison_1']);
    const cli = await purseCli(['events', 'failed', '--json'], { DATABASE_URL: rig.purse.cliDatabaseUrl, LOG_LEVEL: 'silent', PURSE_ENV: 'test', PURSE_ADMIN_KEY: 'pa_cli_admin_key_0123456789abcdef', PURSE_MASTER_KEY: 'cli-master-key-0123456789abcdef0123456789' });
    expect(cli.code).toBe(0);
    const listed = JSON.parse(cli.stdout) as Array<{ id: string; type: string; attempts: number; lastError: string }>;
    expect(listed).toEqual([expect.objectContaining({ id: 'evt_poison_1', type: 'checkout.session.completed', attempts: INBOX_ATTEMPTS_MAX })]);
    expect(listed[0]!.lastError).toMatch(/seti_missing|No such/);
  }, CLI_TEST_TIMEOUT_MS);
});
