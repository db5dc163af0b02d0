import { openCtx } from '../src/app.ts';
import { parseConfig } from '../src/config/config.ts';
import type { Ctx } from '../src/context.ts';
import { expireCreditBlocks } from '../src/credits/end-credit-block.ts';
import { BENCH_ADMIN_KEY, BENCH_MASTER_KEY } from '../bench/processes.ts';
import { whilePurseDown } from './purse-down.ts';
import { CHAOS_WEBHOOK_SECRET, type World } from './world.ts';

/**
 * Credit blocks in a schedule (issue 21): promotional grants (some expiring, some with a priority of their
 * own) made before the busy phase, so its debits draw from them; during the busy phase (a SIGKILL may land
 * in it) some granted blocks are voided and the expiry job runs on a MANUAL clock set days ahead — a second
 * instance in the harness's own process, on the same database, racing the debits and Purse's own job.
 * Every call retries while Purse is down; a grant carries a reference, so a retry is the same grant.
 */
export interface CreditPlan {
  grants: Array<{ amountMinor: number; expiresInDays: number | null; priority: number | null }>;
  /** Indexes of grants voided in the busy phase. */
  voids: number[];
  /** The manual clock's jump for this schedule's expiry run, in days from now; null: no run. */
  clockDays: number | null;
}

/** What Purse acknowledged: the blocks it granted (201, or 200 for a retry) and the voids it answered 200 to. */
export interface CreditSeen {
  grants: Array<{ blockId: string; reference: string; amountMinor: number }>;
  voided: string[];
  /** Blocks the manual-clock runs reported expired, across all of them (the run's total, not per tenant). */
  expiredByClock: number;
}

const GRANTS_MAX = 4;
const GRANT_MINOR_MAX = 800;
const EXPIRY_DAYS_MAX = 6;
const CLOCK_SHARE = 0.6;
const VOID_SHARE = 0.25;
const PRIORITY_MAX = 20;
const DAY_MS = 86_400_000;
const MINOR_PER_MAJOR = 100;

/** Drawn after every other choice of a schedule, so a seed's earlier choices stay what they were. */
export function drawCredits(next: () => number): CreditPlan {
  const count = Math.floor(next() * (GRANTS_MAX + 1));
  const grants = Array.from({ length: count }, () => ({
    amountMinor: 1 + Math.floor(next() * GRANT_MINOR_MAX),
    expiresInDays: next() < 0.6 ? 1 + Math.floor(next() * EXPIRY_DAYS_MAX) : null,
    priority: next() < 0.3 ? Math.floor(next() * (PRIORITY_MAX + 1)) : null,
  }));
  const voids = grants.flatMap((_, i) => (next() < VOID_SHARE ? [i] : []));
  return { grants, voids, clockDays: next() < CLOCK_SHARE ? 1 + Math.floor(next() * EXPIRY_DAYS_MAX) : null };
}

/** The harness's own Purse context on the run's database: the expiry job at any moment it is told. */
export interface ManualClock {
  /** Runs the expiry job as if it were `days` from now; how many blocks it expired. */
  expireAt(days: number): Promise<number>;
  close(): Promise<void>;
}

export async function openManualClock(databaseUrl: string, dataDir: string, world: World): Promise<ManualClock> {
  const config = parseConfig({
    DATABASE_URL: databaseUrl, PURSE_DATA_DIR: dataDir, PURSE_ADMIN_KEY: BENCH_ADMIN_KEY, PURSE_MASTER_KEY: BENCH_MASTER_KEY,
    STRIPE_SECRET_KEY: 'sk_test_purse_chaos', STRIPE_API_URL: world.sandboxUrl, STRIPE_WEBHOOK_SECRET: CHAOS_WEBHOOK_SECRET, LOG_LEVEL: 'warn',
  });
  const ctx = await openCtx(config);
  return {
    // Each run its own fixed clock (schedules run side by side), on the one shared store.
    expireAt: (days) => {
      const nowMs = Date.now() + days * DAY_MS;
      const atTime: Ctx = { ...ctx, nowMs: () => nowMs };
      return expireCreditBlocks(atTime);
    },
    close: () => ctx.store.close(),
  };
}

/** Before the busy phase: each grant until Purse answers it (the same reference each time). */
export async function grantCredits(world: World, seed: number, tenantId: string, plan: CreditPlan): Promise<CreditSeen> {
  const seen: CreditSeen = { grants: [], voided: [], expiredByClock: 0 };
  for (const [i, grant] of plan.grants.entries()) {
    const reference = `chaos-${seed}-g${i}`;
    const body = {
      amount: (grant.amountMinor / MINOR_PER_MAJOR).toFixed(2), reason: `chaos grant ${i}`, reference,
      ...(grant.expiresInDays === null ? {} : { expiresAt: new Date(Date.now() + grant.expiresInDays * DAY_MS).toISOString() }),
      ...(grant.priority === null ? {} : { priority: grant.priority }),
    };
    const res = await whilePurseDown(() => admin(world, `/v1/admin/tenants/${tenantId}/credits`, body));
    if (res.status === 201 || res.status === 200) {
      const block = (await res.json()) as { id: string };
      seen.grants.push({ blockId: block.id, reference: `credit_grant:${tenantId}:${reference}`, amountMinor: grant.amountMinor });
    } else await res.arrayBuffer();
  }
  return seen;
}

/** In the busy phase: the voids (sent once: Purse may be killed under them) and the manual-clock expiry run. */
export async function changeCredits(world: World, clock: ManualClock, plan: CreditPlan, seen: CreditSeen): Promise<void> {
  const voids = plan.voids.flatMap((i) => (seen.grants[i] ? [seen.grants[i].blockId] : []));
  await Promise.all([
    ...voids.map(async (blockId) => {
      const res = await admin(world, `/v1/admin/credits/${blockId}/void`, { reason: 'chaos void' }).catch(() => null);
      if (res?.status === 200) seen.voided.push(blockId);
      await res?.arrayBuffer();
    }),
    plan.clockDays === null ? Promise.resolve() : clock.expireAt(plan.clockDays).then((n) => {
      seen.expiredByClock += n;
    }),
  ]);
}

function admin(world: World, path: string, body: unknown): Promise<Response> {
  return fetch(`${world.purseUrl}${path}`, {
    method: 'POST', headers: { authorization: `Bearer ${world.adminKey}`, 'content-type': 'application/json' }, body: JSON.stringify(body),
  });
}
