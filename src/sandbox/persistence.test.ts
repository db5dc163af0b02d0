import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync } from 'node:fs';
import { freePort } from '../testing/process.ts';
import { createManualClock } from './clock.ts';
import { EventLog } from './events.ts';
import { startPersistence } from './persistence.ts';
import { SandboxState } from './state.ts';
import { startTestSandbox, topupSessionParams } from './test-support.ts';
import type { Customer } from './types.ts';

const dir = mkdtempSync(join(tmpdir(), 'purse-sandbox-state-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('sandbox state file', () => {
  it('keeps customers, open checkout links and events across a restart', async () => {
    const stateFile = join(dir, 'sandbox-state.json');
    const port = await freePort();
    const first = await startTestSandbox({ port, stateFile });
    const customer = await first.stripe.customers.create({ name: 'Demo tenant', metadata: { tenantId: 'ten_demo' } });
    const session = await first.stripe.checkout.sessions.create(topupSessionParams(customer.id));
    const eventCount = first.sandbox.events().length;
    await first.sandbox.close();

    const second = await startTestSandbox({ port, stateFile });
    try {
      expect((await second.stripe.customers.retrieve(customer.id)).id).toBe(customer.id);
      const again = await second.stripe.checkout.sessions.retrieve(session.id);
      expect(again.status).toBe('open');
      expect(again.url).toBe(session.url);
      const page = await fetch(session.url!);
      expect(page.status).toBe(200);
      expect(second.sandbox.events().length).toBe(eventCount);
      // New objects still get fresh ids and the restored ones still work for payments.
      const paid = second.sandbox.paySession(session.id, { card: '4242424242424242' });
      expect(paid.payment_status).toBe('paid');
    } finally {
      await second.sandbox.close();
    }
  });

  it('starts empty when the state file does not exist yet', async () => {
    const stateFile = join(dir, 'fresh', 'state.json');
    const t = await startTestSandbox({ stateFile });
    await expect(t.stripe.customers.retrieve('cus_nope')).rejects.toThrow(/No such customer/);
    await t.sandbox.close();
  });

  it('builds a snapshot only after the change counter moved, and always on close', () => {
    const stateFile = join(dir, 'counted', 'state.json');
    const state = new SandboxState();
    const events = new EventLog(createManualClock(0));
    let changes = 0;
    const persistence = startPersistence(stateFile, state, events, () => changes);
    state.customers.set('cus_a', { id: 'cus_a' } as Customer);
    persistence.flush();
    // Nothing counted yet: the timer's flush does not look at the state at all.
    expect(() => statSync(stateFile)).toThrow(/ENOENT/);
    changes += 1;
    persistence.flush();
    expect(readFileSync(stateFile, 'utf8')).toContain('cus_a');
    state.customers.set('cus_b', { id: 'cus_b' } as Customer);
    persistence.stop();
    expect(readFileSync(stateFile, 'utf8')).toContain('cus_b');
  });
});
