import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { verifyLedger } from '../ledger/verify-ledger.ts';
import { type Call, type TestTenant, asKey, setupTenant } from '../testing/api.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { expectLedgerSound, fundWallet } from '../testing/ledger.ts';
import type { Ctx } from '../context.ts';
import { expireHolds } from './expire-holds.ts';
import { HOLD_LEDGER_CHECKS } from './hold-checks.ts';

const START_MS = Date.UTC(2026, 2, 1, 12, 0, 0);
const PARALLEL_REQUESTS = 300;
const SAME_KEY_RETRIES = 50;
const RACE_ROUNDS = 40;
const CENTS = 100;
const JOB_DELAY_TURNS_MAX = 8;

let purse: TestPurse;
let clockMs = START_MS;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({ RATE_LIMIT_PER_MINUTE: '1000000' }, { nowMs: () => clockMs });
});

afterAll(async () => {
  await purse?.close();
});

function newKey(): string {
  keyCounter += 1;
  return `concurrency-${keyCounter}`;
}

function debit(tenant: TestTenant, amountCents: number, key = newKey()): Promise<Call> {
  return asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/usage', { amount: (amountCents / CENTS).toFixed(2) }, { 'idempotency-key': key });
}

function hold(tenant: TestTenant, amountCents: number, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Promise<Call> {
  return asKey(purse, tenant.tenantKey, 'POST', '/v1/billing/holds', { amount: (amountCents / CENTS).toFixed(2), ...extra }, headers);
}

/** The wallet row itself, in cents, so nothing about the read path can hide a drift. */
async function storedWallet(tenant: TestTenant): Promise<{ balance: number; held: number }> {
  const row = await purse.ctx.store.db.selectFrom('wallets').select(['balance_minor', 'held_minor']).where('tenant_id', '=', tenant.tenantId).executeTakeFirstOrThrow();
  return { balance: Number(row.balance_minor), held: Number(row.held_minor) };
}

/** 1 to 199 cents, varied but reproducible. */
function amountFor(i: number): number {
  return ((i * 37) % 199) + 1;
}

function expectOnly(results: Call[], statuses: number[]): void {
  const unexpected = results.filter((r) => !statuses.includes(r.status));
  expect(unexpected.map((r) => [r.status, r.body])).toEqual([]);
}

describe('parallel spending on one wallet', () => {
  it(`${PARALLEL_REQUESTS} parallel debits never overdraw; the balance drops by exactly what was acknowledged`, async () => {
    const tenant = await setupTenant(purse);
    const startCents = 100 * CENTS;
    await fundWallet(purse, tenant.tenantId, startCents / CENTS);
    const amounts = Array.from({ length: PARALLEL_REQUESTS }, (_, i) => amountFor(i));
    const results = await Promise.all(amounts.map((cents) => debit(tenant, cents)));
    expectOnly(results, [201, 402]);
    const acknowledged = amounts.filter((_, i) => results[i]!.status === 201);
    const refused = amounts.filter((_, i) => results[i]!.status === 402);
    const spent = acknowledged.reduce((sum, c) => sum + c, 0);
    expect(amounts.reduce((sum, c) => sum + c, 0)).toBeGreaterThan(startCents);
    const wallet = await storedWallet(tenant);
    expect(wallet).toEqual({ balance: startCents - spent, held: 0 });
    expect(wallet.balance).toBeGreaterThanOrEqual(0);
    expect(acknowledged.length + refused.length).toBe(PARALLEL_REQUESTS);
    // The balance only fell, so every refusal was for more than what is left even now.
    for (const cents of refused) expect(cents).toBeGreaterThan(wallet.balance);
    const history = await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/transactions?limit=200');
    expect(history.body.data.filter((t: { kind: string }) => t.kind === 'usage').length).toBe(Math.min(acknowledged.length, 200));
  });

  it(`${PARALLEL_REQUESTS} parallel debits and holds never take available below zero`, async () => {
    const tenant = await setupTenant(purse);
    const startCents = 150 * CENTS;
    await fundWallet(purse, tenant.tenantId, startCents / CENTS);
    const requests = Array.from({ length: PARALLEL_REQUESTS }, (_, i) => ({ kind: i % 2 === 0 ? 'debit' : 'hold', cents: amountFor(i) }));
    const results = await Promise.all(requests.map((r) => (r.kind === 'debit' ? debit(tenant, r.cents) : hold(tenant, r.cents))));
    expectOnly(results, [201, 402]);
    const ok = (kind: string) => requests.filter((r, i) => r.kind === kind && results[i]!.status === 201).reduce((sum, r) => sum + r.cents, 0);
    const wallet = await storedWallet(tenant);
    expect(wallet).toEqual({ balance: startCents - ok('debit'), held: ok('hold') });
    const availableCents = wallet.balance - wallet.held;
    expect(availableCents).toBeGreaterThanOrEqual(0);
    for (const [i, r] of requests.entries()) if (results[i]!.status === 402) expect(r.cents).toBeGreaterThan(availableCents);
    const read = (await asKey(purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
    expect(read).toEqual({ currency: 'BRL', balance: wallet.balance / CENTS, held: wallet.held / CENTS, available: availableCents / CENTS, autoTopup: null, expiring: null });
  });
});

describe('concurrent retries of one request under one idempotency key', () => {
  it(`${SAME_KEY_RETRIES} concurrent retries of one debit debit exactly once and all answer the same transaction`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const results = await Promise.all(Array.from({ length: SAME_KEY_RETRIES }, () => debit(tenant, 125, 'the-one-debit')));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(results.filter((r) => r.status === 200)).toHaveLength(SAME_KEY_RETRIES - 1);
    expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
    expect(await storedWallet(tenant)).toEqual({ balance: 1000 - 125, held: 0 });
  });

  it(`${SAME_KEY_RETRIES} concurrent retries of a debit that takes everything debit once, none refused`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 5);
    const results = await Promise.all(Array.from({ length: SAME_KEY_RETRIES }, () => debit(tenant, 500, 'take-it-all')));
    expectOnly(results, [200, 201]);
    expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
    expect(await storedWallet(tenant)).toEqual({ balance: 0, held: 0 });
  });

  it(`${SAME_KEY_RETRIES} concurrent retries of one hold reserve once and all answer the same hold`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const results = await Promise.all(Array.from({ length: SAME_KEY_RETRIES }, () => hold(tenant, 1000, {}, { 'idempotency-key': 'the-one-hold' })));
    expectOnly(results, [200, 201]);
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    expect(new Set(results.map((r) => r.body.hold.id)).size).toBe(1);
    expect(await storedWallet(tenant)).toEqual({ balance: 1000, held: 1000 });
  });
});

/** Another instance whose clock is already at the hold's expiry. */
function instanceAt(nowMs: number): Ctx {
  return { ...purse.ctx, nowMs: () => nowMs };
}

/**
 * Lets `turns` event-loop turns pass (no timer, no wall-clock wait). An HTTP request spends a few turns
 * in authentication before its claim, so varying the turns makes either side reach the hold row first.
 */
async function afterTurns(turns: number, run: () => Promise<unknown>): Promise<unknown> {
  for (let i = 0; i < turns; i += 1) await new Promise((resolve) => setImmediate(resolve));
  return run();
}

/** Starts the racers in an order that rotates with the round, so no one always goes first. */
async function race<K extends string>(round: number, racers: Record<K, () => Promise<unknown>>): Promise<Record<K, unknown>> {
  const names = Object.keys(racers) as K[];
  const order = names.map((_, i) => names[(i + round) % names.length]!);
  const started = order.map((name) => [name, racers[name]()] as const);
  const settled = await Promise.all(started.map(async ([name, promise]) => [name, await promise] as const));
  return Object.fromEntries(settled) as Record<K, unknown>;
}

async function storedHold(holdId: string) {
  return purse.ctx.store.db.selectFrom('holds').select(['state', 'captured_minor']).where('id', '=', holdId).executeTakeFirstOrThrow();
}

describe('racing settlements of one hold: capture against expiry', () => {
  it(`capture racing expiry on two instances (${RACE_ROUNDS} rounds): exactly one wins, funds released once`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 100);
    let capturedCents = 0;
    // Rounds where the capture is late lose by construction; only the genuinely raced rounds are tallied.
    const raced = { captured: 0, expired: 0 };
    let forced = 0;
    for (let round = 0; round < RACE_ROUNDS; round += 1) {
      const placed = (await hold(tenant, 100 + round, { expiresInSeconds: 60 })).body.hold;
      const expiresAtMs = Date.parse(placed.expiresAt);
      // Mostly the capturing instance is 1 ms before expiry and the job instances at it, so each claim is valid
      // on its own clock; every fourth round it is at expiry too, so its own release races the jobs' releases.
      const captureLate = round % 4 === 3;
      clockMs = captureLate ? expiresAtMs : expiresAtMs - 1;
      const results = await race(round, {
        capture: () => asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${placed.id}/capture`, { amount: '0.50' }),
        jobA: () => afterTurns(round % JOB_DELAY_TURNS_MAX, () => expireHolds(instanceAt(expiresAtMs))),
        jobB: () => afterTurns((round * 3) % JOB_DELAY_TURNS_MAX, () => expireHolds(instanceAt(expiresAtMs + 1))),
      });
      const capture = results.capture as Call;
      const stored = await storedHold(placed.id);
      if (captureLate) expect(capture.status).toBe(409);
      if (capture.status === 200) {
        expect(stored).toEqual({ state: 'captured', captured_minor: 50n });
        capturedCents += 50;
      } else {
        expect([capture.status, capture.body.code]).toEqual([409, 'HOLD_NOT_ACTIVE']);
        expect(stored).toEqual({ state: 'expired', captured_minor: 0n });
      }
      if (captureLate) forced += 1;
      else raced[capture.status === 200 ? 'captured' : 'expired'] += 1;
      expect(await storedWallet(tenant)).toEqual({ balance: 100 * CENTS - capturedCents, held: 0 });
    }
    expect(raced.captured + raced.expired + forced).toBe(RACE_ROUNDS);
    // Both sides won some of the raced rounds: the test raced rather than always running one side first.
    expect(raced.captured, 'raced rounds won by the capture').toBeGreaterThan(0);
    expect(raced.expired, 'raced rounds won by an expiry').toBeGreaterThan(0);
    const report = await verifyLedger(purse.ctx.store.db, HOLD_LEDGER_CHECKS);
    expect(report.ok).toBe(true);
  });
});

describe('racing settlements of one hold: capture against void, and against itself', () => {
  it(`capture racing void (${RACE_ROUNDS} rounds): exactly one wins, the other answers 409`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 100);
    let capturedCents = 0;
    for (let round = 0; round < RACE_ROUNDS; round += 1) {
      const placed = (await hold(tenant, 200)).body.hold;
      const url = `/v1/billing/holds/${placed.id}`;
      const results = await race(round, {
        capture: () => asKey(purse, tenant.tenantKey, 'POST', `${url}/capture`, { amount: 1 }),
        void: () => asKey(purse, tenant.tenantKey, 'POST', `${url}/void`),
      });
      const [capture, voided] = [results.capture as Call, results.void as Call];
      expect([capture.status, voided.status].sort()).toEqual([200, 409]);
      const stored = await storedHold(placed.id);
      expect(stored.state).toBe(capture.status === 200 ? 'captured' : 'voided');
      if (capture.status === 200) capturedCents += 100;
      expect(await storedWallet(tenant)).toEqual({ balance: 100 * CENTS - capturedCents, held: 0 });
    }
  });

  it(`${SAME_KEY_RETRIES} concurrent identical captures take the money once and all answer the same transaction`, async () => {
    const tenant = await setupTenant(purse);
    await fundWallet(purse, tenant.tenantId, 10);
    const placed = (await hold(tenant, 600)).body.hold;
    const results = await Promise.all(Array.from({ length: SAME_KEY_RETRIES }, () =>
      asKey(purse, tenant.tenantKey, 'POST', `/v1/billing/holds/${placed.id}/capture`, { amount: 4 })));
    expectOnly(results, [200]);
    expect(new Set(results.map((r) => r.body.transaction.id)).size).toBe(1);
    expect(await storedWallet(tenant)).toEqual({ balance: 600, held: 0 });
  });
});

// Last in the file (vitest runs a file's tests in order): a broken ledger fails a test, not a hook.
it('leaves the ledger sound after everything above', async () => {
  await expectLedgerSound(purse);
});
