import { sql } from 'kysely';
import { fieldError } from '../errors/purse-error.ts';
import { walletDigits } from '../money/currencies.ts';
import { parseMajor, toMajorNumber } from '../money/money.ts';
import type { Ctx } from '../context.ts';
import { tenantCurrency } from '../tenants/tenant-facts.ts';

// Far above any real alert, and far below where a balance stops being exact as a JSON number.
export const LOW_BALANCE_MINOR_MAX = 10n ** 13n;

export interface AlertsView {
  lowBalance: number | null;
}

/**
 * `PUT /v1/billing/alerts {lowBalance}`: the line under which `wallet.low_balance` fires, once per fall
 * (events/wallet-crossings.ts); null removes it. Armed only if the wallet is not already below it, so
 * setting a line above the current balance sends nothing until the balance has been above it once.
 */
export async function setAlerts(ctx: Ctx, tenantId: string, body: { lowBalance?: unknown }): Promise<AlertsView> {
  const currency = await tenantCurrency(ctx, tenantId);
  const lowBalanceMinor = parseLowBalance(body.lowBalance, currency);
  await ctx.store.transact(async (trx) => {
    await trx.updateTable('wallets').set((eb) => ({
      low_balance_minor: lowBalanceMinor,
      low_balance_armed: lowBalanceMinor === null ? 1n
        : eb.case().when(eb(eb('balance_minor', '-', eb.ref('held_minor')), '>=', lowBalanceMinor)).then(sql<bigint>`1`).else(sql<bigint>`0`).end(),
    })).where('tenant_id', '=', tenantId).execute();
  }, { key: tenantId });
  return { lowBalance: lowBalanceMinor === null ? null : toMajorNumber(lowBalanceMinor, currency) };
}

export async function readAlerts(ctx: Ctx, tenantId: string): Promise<AlertsView> {
  const row = await ctx.store.db.selectFrom('wallets').select(['low_balance_minor', 'currency']).where('tenant_id', '=', tenantId).executeTakeFirstOrThrow();
  return { lowBalance: row.low_balance_minor === null ? null : toMajorNumber(row.low_balance_minor, row.currency) };
}

function parseLowBalance(raw: unknown, currency: string): bigint | null {
  if (raw === null) return null;
  if (raw === undefined) throw fieldError('AMOUNT_REQUIRED', 'lowBalance', 'is required (null removes the alert)');
  const parsed = parseMajor(raw, currency, 'wallet');
  if (parsed === 'too_precise') throw fieldError('AMOUNT_INVALID', 'lowBalance', `${currency} allows at most ${walletDigits(currency)} decimal places`);
  if (parsed === 'invalid' || parsed <= 0n) throw fieldError('AMOUNT_INVALID', 'lowBalance', 'must be a positive plain decimal in major units, e.g. "10.50"');
  if (parsed > LOW_BALANCE_MINOR_MAX) throw fieldError('AMOUNT_INVALID', 'lowBalance', `must be at most ${toMajorNumber(LOW_BALANCE_MINOR_MAX, currency)} ${currency}`);
  return parsed;
}
