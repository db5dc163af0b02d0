import type { BenchDatabase } from '../bench/fixtures.ts';
import { whilePurseDown } from './purse-down.ts';
import type { World } from './world.ts';

/**
 * Holds in a schedule (issue 20): reservations placed during the busy phase (a SIGKILL may land among
 * them), then captured for part of their amount, voided, or left open. Every request carries an
 * Idempotency-Key or is a repeatable capture/void, and is retried while Purse is down, as a client would.
 */
export interface HoldPlan {
  amountMinor: number;
  end: 'capture' | 'void' | 'open';
  /** The captured part of the held amount (capture only). */
  captureShare: number;
}

/** What the client was told: a hold it knows of, and how it ended as far as an answer said. */
export interface HoldSeen {
  holdId: string;
  amountMinor: number;
  /** The captured amount Purse acknowledged; null when no capture was acknowledged. */
  capturedMinor: number | null;
  voided: boolean;
  /** Left open on purpose: it must still be held at the end. */
  leftOpen: boolean;
}

const HOLDS_MAX = 4;
const HOLD_MINOR_MAX = 600;
const HOLD_EXPIRY_SECONDS = 3_600;
const MINOR_PER_MAJOR = 100;

/** Drawn last of all, so every earlier choice of a seed stays what it was. */
export function drawHolds(next: () => number): HoldPlan[] {
  const count = Math.floor(next() * (HOLDS_MAX + 1));
  return Array.from({ length: count }, () => {
    const amountMinor = 1 + Math.floor(next() * HOLD_MINOR_MAX);
    const roll = next();
    return { amountMinor, end: roll < 0.5 ? 'capture' : roll < 0.8 ? 'void' : 'open', captureShare: 0.1 + next() * 0.9 };
  });
}

/**
 * The busy phase sends each step once (Purse may be killed under it: a step without an answer is left);
 * after the restart `patient` runs every hold again from the start with the same keys, retrying while Purse
 * is down, as a client finishing its work would: a repeat must answer the first outcome and move nothing.
 */
export async function runHolds(world: World, seed: number, apiKey: string, plans: HoldPlan[], patient: boolean): Promise<HoldSeen[]> {
  const send = patient ? retried : once;
  return Promise.all(plans.map((plan, i) => runHold(world, apiKey, plan, `chaos-hold-${seed}-${i}`, send)));
}

type Send = (request: () => Promise<Response>) => Promise<Response | null>;

async function runHold(world: World, apiKey: string, plan: HoldPlan, key: string, send: Send): Promise<HoldSeen> {
  const amount = (plan.amountMinor / MINOR_PER_MAJOR).toFixed(2);
  const placed = await send(() => post(world, apiKey, '/v1/billing/holds', { amount, expiresInSeconds: HOLD_EXPIRY_SECONDS }, key));
  if (placed?.status !== 201 && placed?.status !== 200) return { holdId: '', amountMinor: 0, capturedMinor: null, voided: false, leftOpen: false };
  const holdId = ((await placed.json()) as { hold: { id: string } }).hold.id;
  const seen: HoldSeen = { holdId, amountMinor: plan.amountMinor, capturedMinor: null, voided: false, leftOpen: plan.end === 'open' };
  if (plan.end === 'capture') {
    const capturedMinor = Math.max(1, Math.floor(plan.amountMinor * plan.captureShare));
    const res = await send(() => post(world, apiKey, `/v1/billing/holds/${holdId}/capture`, { amount: (capturedMinor / MINOR_PER_MAJOR).toFixed(2) }));
    if (res?.ok) seen.capturedMinor = capturedMinor;
  } else if (plan.end === 'void') {
    const res = await send(() => post(world, apiKey, `/v1/billing/holds/${holdId}/void`, {}));
    seen.voided = res?.ok ?? false;
  }
  return seen;
}

/** One try: no answer (Purse killed or closing) is null. */
async function once(request: () => Promise<Response>): Promise<Response | null> {
  const res = await request().catch(() => null);
  if (res?.status === 503) return null;
  return res;
}

/**
 * Retried on a network error (Purse down), a 503 (closing) and a 409 IDEMPOTENCY_IN_PROGRESS (a request the
 * kill cut off still holds its key's lease), as a client would; any other answer ends it.
 */
async function retried(request: () => Promise<Response>): Promise<Response> {
  return whilePurseDown(async () => {
    const res = await request();
    if (res.status === 503) throw new Error(`503 while closing: ${await res.text()}`);
    if (res.status === 409) {
      const text = await res.text();
      if (text.includes('IDEMPOTENCY_IN_PROGRESS')) throw new Error(`409 while a cut-off request holds the key: ${text}`);
      return new Response(text, { status: 409 });
    }
    return res;
  });
}

function post(world: World, apiKey: string, path: string, body: unknown, idempotencyKey?: string): Promise<Response> {
  return fetch(`${world.purseUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey, ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: JSON.stringify(body),
  });
}

/** A hold left open is still held, or expired once its hour ran out (a soak outlasts HOLD_EXPIRY_SECONDS). */
function stillOpenOrLapsed(row: { state: string; expires_at_ms: number | string }): boolean {
  return row.state === 'held' || (row.state === 'expired' && Number(row.expires_at_ms) <= Date.now());
}

/**
 * A captured hold debits exactly its acknowledged amount once; a voided or open one debits nothing; the
 * wallet's held amount is the open holds' plus what open disputes hold.
 */
export async function checkHolds(db: BenchDatabase, tenantId: string, seen: HoldSeen[], disputeHeldMinor: number, fail: (what: string) => void): Promise<number> {
  const rows = await db.query<{ id: string; state: string; amount_minor: number | string; captured_minor: number | string; expires_at_ms: number | string }>(
    'select id, state, amount_minor, captured_minor, expires_at_ms from holds where tenant_id = $1', [tenantId]);
  const byId = new Map(rows.map((r) => [r.id, r]));
  const captures = await db.query<{ reference: string; wallet_amount_minor: number | string }>(
    "select reference, wallet_amount_minor from ledger_transactions where tenant_id = $1 and kind = 'hold_capture'", [tenantId]);
  for (const hold of seen.filter((h) => h.holdId !== '')) {
    const row = byId.get(hold.holdId);
    const moved = captures.filter((c) => c.reference.startsWith(`hold:${hold.holdId}:`)).map((c) => -Number(c.wallet_amount_minor));
    if (!row) fail(`acknowledged hold ${hold.holdId} is not stored`);
    else if (hold.capturedMinor !== null && (row.state !== 'captured' || moved.length !== 1 || moved[0] !== hold.capturedMinor)) {
      fail(`hold ${hold.holdId} capture of ${hold.capturedMinor} acknowledged; stored ${row.state}, debited ${JSON.stringify(moved)}`);
    } else if (hold.voided && (row.state !== 'voided' || moved.length !== 0)) fail(`hold ${hold.holdId} void acknowledged; stored ${row.state}, debited ${JSON.stringify(moved)}`);
    else if (hold.leftOpen && (!stillOpenOrLapsed(row) || moved.length !== 0)) fail(`hold ${hold.holdId} left open; stored ${row.state}, debited ${JSON.stringify(moved)}`);
    else if (moved.length > 1) fail(`hold ${hold.holdId} captured ${moved.length} times`);
  }
  return disputeHeldMinor + rows.filter((r) => r.state === 'held').reduce((sum, r) => sum + Number(r.amount_minor), 0);
}
