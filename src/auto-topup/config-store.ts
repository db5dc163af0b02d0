import type { Selectable } from 'kysely';
import { assert } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import type { AutoTopupAttemptRow, AutoTopupConfigRow } from '../store/schema.ts';
import { ATTEMPT_MACHINE, type AttemptState, CONFIG_MACHINE, type ConfigState, IN_FLIGHT_STATES, type PausedReason, isAttemptState, isConfigState } from './states.ts';

export type ConfigRow = Selectable<AutoTopupConfigRow>;
export type AttemptRow = Selectable<AutoTopupAttemptRow>;

/** Attempts whose amount counts against the monthly cap: charged, being charged, or payable by the customer. */
export const CAP_COUNTED_STATES: readonly AttemptState[] = ['succeeded', ...IN_FLIGHT_STATES, 'action_required'];

export function loadConfig(db: Db, tenantId: string): Promise<ConfigRow | undefined> {
  return db.selectFrom('auto_topup_configs').selectAll().where('tenant_id', '=', tenantId).executeTakeFirst();
}

export function loadAttempt(db: Db, attemptId: string): Promise<AttemptRow | undefined> {
  return db.selectFrom('auto_topup_attempts').selectAll().where('id', '=', attemptId).executeTakeFirst();
}

export function inFlightAttempt(db: Db, tenantId: string): Promise<AttemptRow | undefined> {
  return db.selectFrom('auto_topup_attempts').selectAll()
    .where('tenant_id', '=', tenantId).where('state', 'in', IN_FLIGHT_STATES).executeTakeFirst();
}

/** Guards at the database edge: an unknown state string is a bug, never silently treated as a known one. */
export function configState(row: ConfigRow): ConfigState {
  assert(isConfigState(row.state), `auto top-up of ${row.tenant_id} has a known state (${row.state})`);
  return row.state;
}

export function attemptState(row: AttemptRow): AttemptState {
  assert(isAttemptState(row.state), `attempt ${row.id} has a known state (${row.state})`);
  return row.state;
}

export function pausedReasonOf(row: ConfigRow): PausedReason | null {
  const reason = row.paused_reason;
  return reason === 'authentication_required' || reason === 'no_payment_method' ? reason : null;
}

/** "2026-12": the calendar month, UTC, that the monthly cap counts in. */
export function monthOf(nowMs: number): string {
  return new Date(nowMs).toISOString().slice(0, 7);
}

/** Sum of this month's attempts that count against the cap (SQL sum; bigint either dialect). */
export async function countedThisMonth(db: Db, tenantId: string, month: string, states: readonly AttemptState[]): Promise<bigint> {
  const rows = await db.selectFrom('auto_topup_attempts').select('amount_minor')
    .where('tenant_id', '=', tenantId).where('month', '=', month).where('state', 'in', states).execute();
  return rows.reduce((sum, row) => sum + row.amount_minor, 0n);
}

/**
 * Arms or disarms the trigger: wallets.auto_topup_threshold_minor is what the statement that moves the
 * wallet returns, so a movement knows whether it crossed the threshold without reading anything else.
 */
export async function armTrigger(trx: Db, tenantId: string, thresholdMinor: bigint | null): Promise<void> {
  await trx.updateTable('wallets').set({ auto_topup_threshold_minor: thresholdMinor }).where('tenant_id', '=', tenantId).execute();
}

/** Re-arms after an attempt ended, only when auto top-up is active with nothing in flight or scheduled. */
export async function rearmIfActive(trx: Db, tenantId: string): Promise<void> {
  const config = await loadConfig(trx, tenantId);
  if (!config || configState(config) !== 'active' || config.retry_at_ms !== null) return;
  if (await inFlightAttempt(trx, tenantId)) return;
  await armTrigger(trx, tenantId, config.threshold_minor);
}

export type ConfigPatch = Partial<Pick<ConfigRow, 'paused_reason' | 'recovery_attempt_id' | 'retry_at_ms'>>;

/**
 * One guarded move of the config state machine: from the named states (each a move the table allows, or
 * this throws), further narrowed by `only` (e.g. paused for this reason). True when the row moved.
 */
export async function moveConfig(trx: Db, tenantId: string, move: { from: readonly ConfigState[]; to: ConfigState; nowMs: number; patch?: ConfigPatch; only?: ConfigPatch }): Promise<boolean> {
  CONFIG_MACHINE.assertMoves(move.from, move.to);
  let update = trx.updateTable('auto_topup_configs').set({ ...move.patch, state: move.to, updated_at_ms: BigInt(move.nowMs) })
    .where('tenant_id', '=', tenantId).where('state', 'in', move.from);
  if (move.only?.paused_reason !== undefined) update = update.where('paused_reason', '=', move.only.paused_reason);
  if (move.only?.recovery_attempt_id !== undefined) update = update.where('recovery_attempt_id', '=', move.only.recovery_attempt_id);
  const result = await update.executeTakeFirst();
  return result.numUpdatedRows === 1n;
}

/** Cancels the wallet's attempts in state `from` (a move the attempt table allows, or this throws). */
export async function cancelAttempts(trx: Db, tenantId: string, from: AttemptState, nowMs: number): Promise<void> {
  ATTEMPT_MACHINE.assertMoves([from], 'canceled');
  await trx.updateTable('auto_topup_attempts').set({ state: 'canceled', updated_at_ms: BigInt(nowMs), completed_at_ms: BigInt(nowMs) })
    .where('tenant_id', '=', tenantId).where('state', '=', from).execute();
}
