import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PurseError } from '../errors/purse-error.ts';
import { type TestPurse, startTestPurse } from '../testing/harness.ts';
import { IDEMPOTENCY_RETENTION_MS, checkIdempotencyKey, hashRequest, pruneIdempotencyKeys, runIdempotent } from './idempotency.ts';

const START_MS = Date.UTC(2026, 5, 1, 12, 0, 0);
const TENANT = 'ten_idem';
let purse: TestPurse;
let clockMs = START_MS;
let keyCounter = 0;

beforeAll(async () => {
  purse = await startTestPurse({}, { nowMs: () => clockMs });
});
afterAll(async () => {
  await purse?.close();
});

function claim(request: unknown, key = `k-${(keyCounter += 1)}`) {
  return { tenantId: TENANT, scope: 'test', key, request };
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  const err = await promise.then(() => undefined, (e: unknown) => e);
  expect(err).toBeInstanceOf(PurseError);
  return (err as PurseError).code;
}

async function storedKeys(): Promise<string[]> {
  const rows = await purse.ctx.store.db.selectFrom('idempotency_keys').select('key').where('tenant_id', '=', TENANT).execute();
  return rows.map((r) => r.key).sort();
}

describe('checkIdempotencyKey', () => {
  it.each([
    [undefined, undefined],
    ['a', 'a'],
    ['order-42:retry/1', 'order-42:retry/1'],
    ['x'.repeat(255), 'x'.repeat(255)],
  ])('accepts %j', (raw, key) => {
    expect(checkIdempotencyKey(raw)).toBe(key);
  });

  it.each([[''], ['x'.repeat(256)], ['has space'], ['tab\t'], ['ünicode'], [['a', 'b']]])('refuses %j with VALIDATION_ERROR', (raw) => {
    expect(() => checkIdempotencyKey(raw as string)).toThrow(PurseError);
  });
});

describe('hashRequest', () => {
  it.each([
    [{ a: 1, b: 2 }, { b: 2, a: 1 }, true],
    [{ a: { x: 1, y: [1, 2] } }, { a: { y: [1, 2], x: 1 } }, true],
    [{ a: 1 }, { a: '1' }, false],
    [{ a: [1, 2] }, { a: [2, 1] }, false],
    [{ a: 1 }, { a: 1, b: null }, false],
    [undefined, null, true],
  ])('%j and %j hash alike: %s', (left, right, same) => {
    expect(hashRequest(left) === hashRequest(right)).toBe(same);
  });
});

describe('runIdempotent', () => {
  it('runs the work once on claim, then replays its response for the same key and body', async () => {
    let runs = 0;
    const work = async () => ({ status: 201, body: { run: (runs += 1) } });
    const c = claim({ amount: 5 });
    expect(await runIdempotent(purse.ctx, c, work)).toEqual({ status: 201, body: { run: 1 }, replayed: false });
    expect(await runIdempotent(purse.ctx, { ...c, request: { amount: 5 } }, work)).toEqual({ status: 201, body: { run: 1 }, replayed: true });
    expect(runs).toBe(1);
  });

  it('refuses the same key with another body: IDEMPOTENCY_KEY_REUSED, and the work does not run', async () => {
    const c = claim({ amount: 5 });
    await runIdempotent(purse.ctx, c, async () => ({ status: 200, body: {} }));
    let ran = false;
    const code = await codeOf(runIdempotent(purse.ctx, { ...c, request: { amount: 6 } }, async () => ({ status: 200, body: (ran = true) })));
    expect([code, ran]).toEqual(['IDEMPOTENCY_KEY_REUSED', false]);
  });

  it('answers IDEMPOTENCY_IN_PROGRESS to a second request while the first still runs, and the first completes', async () => {
    const c = claim({ amount: 7 });
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let started!: () => void;
    const running = new Promise<void>((resolve) => (started = resolve));
    const first = runIdempotent(purse.ctx, c, async () => {
      started();
      await gate;
      return { status: 201, body: { first: true } };
    });
    await running;
    expect(await codeOf(runIdempotent(purse.ctx, c, async () => ({ status: 201, body: { first: false } })))).toBe('IDEMPOTENCY_IN_PROGRESS');
    release();
    expect(await first).toEqual({ status: 201, body: { first: true }, replayed: false });
  });

  it('releases the claim when the work fails, so a retry with the same key runs the work again', async () => {
    const c = claim({ amount: 8 });
    await expect(runIdempotent(purse.ctx, c, async () => {
      throw new PurseError('INSUFFICIENT_FUNDS');
    })).rejects.toThrow(PurseError);
    expect(await storedKeys()).not.toContain(c.key);
    expect(await runIdempotent(purse.ctx, c, async () => ({ status: 201, body: { retried: true } }))).toEqual({ status: 201, body: { retried: true }, replayed: false });
  });

  it('keeps keys of one scope or tenant apart from another', async () => {
    const c = claim({ amount: 9 });
    await runIdempotent(purse.ctx, c, async () => ({ status: 201, body: { scope: 'test' } }));
    expect(await runIdempotent(purse.ctx, { ...c, scope: 'other' }, async () => ({ status: 201, body: { scope: 'other' } }))).toMatchObject({ replayed: false });
    expect(await runIdempotent(purse.ctx, { ...c, tenantId: 'ten_other' }, async () => ({ status: 201, body: {} }))).toMatchObject({ replayed: false });
  });
});

describe('pruneIdempotencyKeys', () => {
  it(`removes keys older than the retention (${IDEMPOTENCY_RETENTION_MS} ms) and keeps the younger ones`, async () => {
    clockMs = START_MS + 10 * IDEMPOTENCY_RETENTION_MS;
    const old = claim({ n: 1 }, 'prune-old');
    await runIdempotent(purse.ctx, old, async () => ({ status: 201, body: {} }));
    clockMs += 1000;
    const young = claim({ n: 2 }, 'prune-young');
    await runIdempotent(purse.ctx, young, async () => ({ status: 201, body: {} }));
    clockMs = clockMs - 1000 + IDEMPOTENCY_RETENTION_MS;
    await pruneIdempotencyKeys(purse.ctx);
    expect(await storedKeys()).toContain('prune-old'); // exactly at the retention: kept
    clockMs += 1;
    await pruneIdempotencyKeys(purse.ctx);
    const left = await storedKeys();
    expect(left).not.toContain('prune-old');
    expect(left).toContain('prune-young');
    // Once pruned, the same key is a fresh claim: the work runs again.
    expect(await runIdempotent(purse.ctx, old, async () => ({ status: 201, body: { again: true } }))).toMatchObject({ replayed: false });
  });
});
