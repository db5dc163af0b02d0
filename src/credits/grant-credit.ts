import type { Ctx } from '../context.ts';
import { PurseError, fieldError } from '../errors/purse-error.ts';
import { moveMoney } from '../events/money-transaction.ts';
import { ulid } from '../ids/ids.ts';
import { systemAccountId, walletAccountId } from '../ledger/accounts.ts';
import { type CreditBlockView, blockEventData, readBlockByTransaction, toBlockView } from './credit-blocks-store.ts';
import { parseSignedAmount } from '../money/signed-amount.ts';

export const GRANT_REASON_LENGTH_MAX = 500;
export const GRANT_REFERENCE_LENGTH_MAX = 200;
/** Lower draws first; the defaults are promotional 10, adjustment 50, purchased 100 (SPEC §9.1). */
export const PRIORITY_MAX = 1_000;

export interface GrantInput {
  amount?: unknown;
  category?: string | undefined;
  expiresAt?: string | undefined;
  priority?: unknown;
  reason: string;
  reference?: string | undefined;
}

/**
 * `POST /v1/admin/tenants/{id}/credits`: an operator's promotional grant. One ledger transaction (wallet +,
 * promotions −) whose credit-block intent gives the trigger (migration 0011) the block's priority and
 * expiry; `credit.granted` in the same commit. The reference makes it idempotent.
 */
export async function grantCredit(ctx: Ctx, tenantId: string, input: GrantInput): Promise<{ created: boolean; block: CreditBlockView }> {
  const currency = await walletCurrency(ctx, tenantId);
  const nowMs = ctx.nowMs();
  const grant = checkGrant(input, currency, nowMs);
  const reference = `credit_grant:${tenantId}:${input.reference ?? ulid(nowMs)}`;
  const once = await moveMoney(ctx, async (m) => {
    await m.db.insertInto('credit_block_intents').values({
      reference, category: 'promotional', priority: grant.priority, expires_at_ms: grant.expiresAtMs, reason: grant.reason,
      cost_basis_minor: 0n, order_id: null, attempt_id: null, first_block_id: null,
    }).onConflict((oc) => oc.column('reference').doNothing()).execute();
    const posted = await m.post({
      reference, kind: 'credit_grant', tenantId, currency, description: grant.reason,
      postings: [
        { accountId: walletAccountId(tenantId), amountMinor: grant.amountMinor },
        { accountId: systemAccountId('promotions', currency), amountMinor: -grant.amountMinor },
      ],
      overdraft: 'allow',
    });
    const block = await readBlockByTransaction(m.db, posted.transaction.id);
    await m.emit({ type: 'credit.granted', tenantId, data: { ...blockEventData(block), transactionId: posted.transaction.id, reason: grant.reason } });
    return block;
  }, { key: tenantId });
  const block = once.created ? once.value : await readBlockByTransaction(ctx.store.db, once.existing.id);
  if (!once.created && !sameGrant(block, grant)) throw new PurseError('IDEMPOTENCY_KEY_REUSED');
  return { created: once.created, block: toBlockView(block) };
}

interface CheckedGrant {
  amountMinor: bigint;
  priority: bigint;
  expiresAtMs: bigint | null;
  reason: string;
}

function checkGrant(input: GrantInput, currency: string, nowMs: number): CheckedGrant {
  const amountMinor = parseSignedAmount(input.amount, currency);
  if (amountMinor <= 0n) throw fieldError('AMOUNT_INVALID', 'amount', 'must be positive');
  if (input.category !== undefined && input.category !== 'promotional') throw fieldError('VALIDATION_ERROR', 'category', 'must be "promotional"');
  const reason = input.reason.trim();
  if (reason.length === 0) throw fieldError('VALIDATION_ERROR', 'reason', `must be 1 to ${GRANT_REASON_LENGTH_MAX} characters`);
  return { amountMinor, priority: checkPriority(input.priority), expiresAtMs: checkExpiresAt(input.expiresAt, nowMs), reason };
}

function checkPriority(raw: unknown): bigint {
  if (raw === undefined) return 10n;
  if (typeof raw !== 'number' || !Number.isInteger(raw) || raw < 0 || raw > PRIORITY_MAX) {
    throw fieldError('PRIORITY_INVALID', 'priority', `must be a whole number from 0 to ${PRIORITY_MAX}`);
  }
  return BigInt(raw);
}

function checkExpiresAt(raw: string | undefined, nowMs: number): bigint | null {
  if (raw === undefined) return null;
  const atMs = Date.parse(raw);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(raw) || Number.isNaN(atMs)) throw fieldError('EXPIRES_AT_INVALID', 'expiresAt', 'must be an ISO 8601 date-time');
  if (atMs <= nowMs) throw fieldError('EXPIRES_AT_INVALID', 'expiresAt', 'must be in the future');
  return BigInt(atMs);
}

function sameGrant(block: Awaited<ReturnType<typeof readBlockByTransaction>>, grant: CheckedGrant): boolean {
  return block.amount_minor === grant.amountMinor && BigInt(block.priority) === grant.priority
    && (block.expires_at_ms === null ? null : BigInt(block.expires_at_ms)) === grant.expiresAtMs && block.reason === grant.reason;
}

async function walletCurrency(ctx: Ctx, tenantId: string): Promise<string> {
  const row = await ctx.store.db.selectFrom('wallets').select('currency').where('tenant_id', '=', tenantId).executeTakeFirst();
  if (!row) throw new PurseError('NOT_FOUND');
  return row.currency;
}
