import { PurseError, assert, fieldError } from '../errors/purse-error.ts';
import { moneyTrx } from '../events/money-transaction.ts';
import { transact } from '../store/db.ts';
import { checkIdempotencyKey } from '../idempotency/idempotency.ts';
import { newId } from '../ids/ids.ts';
import type { WalletAfter } from '../ledger/post-transaction.ts';
import type { Principal } from '../auth/authenticate.ts';
import type { Ctx } from '../context.ts';
import type { Db } from '../store/db.ts';
import type { HoldRow } from '../store/schema.ts';
import { releasingLapsedHolds } from './expire-holds.ts';
import { type HoldView, toHoldView } from './hold-view.ts';
import { type Hold, reserveHeld, toHold } from './holds-store.ts';
import { type WalletView, readWallet, toWalletView } from './read-wallet.ts';
import { attributedNumber, normalizeMetadata, parseSpendAmount, sameMetadata } from './spend-input.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';

const MS_PER_SECOND = 1000;

export interface HoldBody {
  amount?: unknown;
  expiresInSeconds?: number | undefined;
  description?: string | undefined;
  numberId?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface PlaceHoldResult {
  /** false: a retry with an Idempotency-Key already used, answered with that hold as it is now. */
  created: boolean;
  hold: HoldView;
  /** Right after the reservation; on a retry, the wallet as it is now. */
  wallet: WalletView;
}

interface HoldRequest {
  amountMinor: bigint;
  numberId: string | null;
  description: string | null;
  metadata: Record<string, string> | null;
  expiresInSeconds: number;
}

/** Thrown inside the DB transaction so that the reservation made before the insert rolls back. */
class DuplicateHoldKey extends Error {}

/**
 * `POST /v1/billing/holds`: reserve funds. Not a money movement, so no ledger transaction: a guarded
 * update of the wallet (held += amount while available ≥ amount) and the hold's insert, in one DB transaction.
 */
export async function placeHold(ctx: Ctx, principal: Principal, body: HoldBody, idempotencyKey: string | string[] | undefined): Promise<PlaceHoldResult> {
  const key = checkIdempotencyKey(idempotencyKey) ?? null;
  const { tenantId } = principal;
  const currency = await tenantCurrency(ctx, tenantId);
  const request: HoldRequest = {
    amountMinor: parseSpendAmount(body.amount, currency),
    numberId: await attributedNumber(ctx, principal, body.numberId),
    description: body.description ?? null,
    metadata: normalizeMetadata(body.metadata),
    expiresInSeconds: expiresIn(ctx, body.expiresInSeconds),
  };
  const outcome = await releasingLapsedHolds(ctx, tenantId, () => insertHold(ctx, holdRow(ctx, tenantId, currency, key, request)));
  if ('existing' in outcome) {
    requireSameHold(outcome.existing, request);
    return { created: false, hold: toHoldView(outcome.existing, ctx.nowMs()), wallet: await readWallet(ctx, tenantId) };
  }
  const { hold, wallet } = outcome;
  return { created: true, hold: toHoldView(hold, ctx.nowMs()), wallet: toWalletView(wallet.balanceMinor, wallet.heldMinor, currency) };
}

function expiresIn(ctx: Ctx, requested: number | undefined): number {
  const seconds = requested ?? ctx.config.holdExpiresSecondsDefault;
  // The route schema bounds it too; this keeps the service honest when called directly.
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > ctx.config.holdExpiresSecondsMax) {
    throw fieldError('VALIDATION_ERROR', 'expiresInSeconds', `must be an integer from 1 to ${ctx.config.holdExpiresSecondsMax}`);
  }
  return seconds;
}

function holdRow(ctx: Ctx, tenantId: string, currency: string, key: string | null, request: HoldRequest): HoldRow {
  const nowMs = ctx.nowMs();
  return {
    id: newId('hld'), tenant_id: tenantId, number_id: request.numberId, currency, state: 'held',
    amount_minor: request.amountMinor, captured_minor: 0n, description: request.description,
    metadata: request.metadata ? JSON.stringify(request.metadata) : null, idempotency_key: key, capture_transaction_id: null,
    expires_at_ms: BigInt(nowMs + request.expiresInSeconds * MS_PER_SECOND), created_at_ms: BigInt(nowMs), updated_at_ms: BigInt(nowMs), closed_at_ms: null,
  };
}

type InsertOutcome = { hold: Hold; wallet: WalletAfter } | { existing: Hold };

/**
 * Wallet row first (the lock every spend of the tenant queues on), then the insert: two racing requests
 * with one key run one after the other, and the second finds the first's hold and rolls back its own.
 */
async function insertHold(ctx: Ctx, row: HoldRow): Promise<InsertOutcome> {
  const nowMs = Number(row.created_at_ms);
  try {
    return await transact(ctx.store.db, async (trx) => {
      const wallet = await reserveHeld(trx, row.tenant_id, row.currency, row.amount_minor, nowMs);
      if (!wallet) {
        // A retry of a hold that used up the funds is a replay, not a refusal.
        if (row.idempotency_key !== null && (await findByKey(trx, row.tenant_id, row.idempotency_key))) throw new DuplicateHoldKey();
        throw new PurseError('INSUFFICIENT_FUNDS');
      }
      await moneyTrx(ctx, trx, nowMs).walletMoved({ tenantId: row.tenant_id, currency: row.currency, availableDeltaMinor: -row.amount_minor, after: wallet, transaction: null });
      const inserted = await trx.insertInto('holds').values(row)
        .onConflict((oc) => oc.columns(['tenant_id', 'idempotency_key']).doNothing())
        .returningAll()
        .executeTakeFirst();
      if (!inserted) throw new DuplicateHoldKey();
      return { hold: toHold(inserted), wallet };
    }, { key: row.tenant_id });
  } catch (err) {
    if (!(err instanceof DuplicateHoldKey)) throw err;
    const existing = row.idempotency_key === null ? undefined : await findByKey(ctx.store.db, row.tenant_id, row.idempotency_key);
    assert(existing, `hold key ${row.idempotency_key} of ${row.tenant_id} has a stored hold`);
    return { existing };
  }
}

async function findByKey(db: Db, tenantId: string, key: string): Promise<Hold | undefined> {
  const row = await db.selectFrom('holds').selectAll().where('tenant_id', '=', tenantId).where('idempotency_key', '=', key).executeTakeFirst();
  return row ? toHold(row) : undefined;
}

/** Same key, same request → the first hold; same key, another request → 409 (SPEC §3.1). */
function requireSameHold(existing: Hold, request: HoldRequest): void {
  const same = existing.amountMinor === request.amountMinor
    && existing.numberId === request.numberId
    && existing.description === request.description
    && sameMetadata(existing.metadata, request.metadata)
    && existing.expiresAtMs - existing.createdAtMs === request.expiresInSeconds * MS_PER_SECOND;
  if (!same) throw new PurseError('IDEMPOTENCY_KEY_REUSED');
}
