import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { admin, setupTenant } from '../testing/api.ts';
import { TEST_SECRETS, type TestPurse, startTestPurse } from '../testing/harness.ts';
import { fundWallet } from '../testing/ledger.ts';
import { freePort, startPurseProcess } from '../testing/process.ts';
import { type Receiver, startReceiver } from '../testing/webhook-receiver.ts';
import { runWebhookWorker } from './delivery-worker.ts';

const EVENTS = 40;
const PASSES_MAX = 20;
let purse: TestPurse;
let receiver: Receiver;

beforeAll(async () => {
  purse = await startTestPurse();
  receiver = await startReceiver();
});

afterAll(async () => {
  await receiver?.close();
  await purse?.close();
});

describe('several instances, one database', () => {
  it('two instances with their own workers deliver each event exactly once per endpoint', async () => {
    const second = await startTestPurse({}, { shareDatabaseOf: purse });
    try {
      const tenant = await setupTenant(purse);
      const endpoint = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: receiver.url, tenantId: tenant.tenantId });
      for (let i = 0; i < EVENTS; i += 1) await fundWallet(i % 2 === 0 ? purse : second, tenant.tenantId, '1.00');
      for (let pass = 0; pass < PASSES_MAX; pass += 1) {
        const claimed = await Promise.all([runWebhookWorker(purse.ctx), runWebhookWorker(second.ctx)]);
        if (claimed[0] + claimed[1] === 0) break;
      }
      const ids = receiver.verified(endpoint.body.secret).map((e) => e.id);
      expect(ids).toHaveLength(EVENTS);
      expect(new Set(ids).size).toBe(EVENTS);
    } finally {
      await second.close();
    }
  }, 60_000);

  it('a purse serve killed with SIGKILL mid-delivery delivers the event after restart, with the same webhook-id', async () => {
    const tenant = await setupTenant(purse);
    const endpoint = await admin(purse, 'POST', '/v1/admin/webhook-endpoints', { url: receiver.url, tenantId: tenant.tenantId, events: ['wallet.adjusted'] });
    const firstSeen = receiver.received.length;
    receiver.answer = () => 'hang';
    const env = async () => {
      const port = await freePort();
      return {
        DATABASE_URL: purse.cliDatabaseUrl, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, STRIPE_SANDBOX_PORT: String(await freePort()),
        PURSE_ADMIN_KEY: TEST_SECRETS.adminKey, PURSE_MASTER_KEY: TEST_SECRETS.masterKey, LOG_LEVEL: 'warn', PURSE_ENV: 'test',
      };
    };
    const firstEnv = await env();
    const first = startPurseProcess(['serve'], firstEnv);
    await first.waitFor(/listening/);
    const funded = await fetch(`${firstEnv.PUBLIC_URL}/v1/admin/tenants/${tenant.tenantId}/adjustments`, {
      method: 'POST', headers: { authorization: `Bearer ${TEST_SECRETS.adminKey}`, 'content-type': 'application/json' },
      body: JSON.stringify({ amount: '7.00', reason: 'crash test' }),
    });
    expect(funded.status).toBe(201);
    await receiver.waitFor(firstSeen + 1);
    first.child.kill('SIGKILL');
    await first.stop();
    receiver.answer = () => 200;
    const second = startPurseProcess(['serve'], await env());
    try {
      await receiver.waitFor(firstSeen + 2);
    } finally {
      await second.stop();
    }
    const [before, after] = receiver.received.slice(firstSeen, firstSeen + 2);
    const event = await purse.ctx.store.db.selectFrom('events').select('id').where('tenant_id', '=', tenant.tenantId).where('type', '=', 'wallet.adjusted').executeTakeFirstOrThrow();
    expect(before?.headers['webhook-id']).toBe(event.id);
    expect(after?.headers['webhook-id']).toBe(event.id);
    const verified = receiver.verified(endpoint.body.secret, firstSeen);
    expect(verified[1]).toMatchObject({ id: event.id, type: 'wallet.adjusted', data: { amount: 7, reason: 'crash test' } });
    const delivery = await purse.ctx.store.db.selectFrom('webhook_deliveries').selectAll().where('event_id', '=', event.id).executeTakeFirstOrThrow();
    expect(delivery.state).toBe('delivered');
  }, 120_000);
});
