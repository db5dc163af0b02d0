import type { ReceiptRow } from '../store/schema.ts';
import { PAGE_RECEIPTS_MAX, statementMonths } from './billing-documents.ts';
import { PurseError } from '../errors/purse-error.ts';
import { findOrder } from '../checkout/orders-store.ts';
import { listLedgerTransactions } from '../wallet/list-transactions.ts';
import type { LedgerTransaction } from '../ledger/post-transaction.ts';
import { minorDigits } from '../money/currencies.ts';
import { type TopupBounds, topupBounds } from '../money/limits.ts';
import { listPaymentMethods, type PaymentMethodView } from '../customers/payment-method-view.ts';
import type { PortalSession } from '../portal/open-portal-session.ts';
import { readWalletMinor } from '../wallet/read-wallet.ts';
import type { AutoTopupAttemptRow, CheckoutOrderRow } from '../store/schema.ts';
import type { Ctx } from '../context.ts';
import { type AutoTopupFacts, readAutoTopupFacts, readLowBalanceMinor } from './settings-view.ts';
import { type UsageInsight, readUsageInsight } from './insight-view.ts';

/** Everything the billing page shows for one tenant, read in a handful of indexed queries. */
export const HISTORY_PAGE_SIZE = 20;
const PRESET_CANDIDATES_MAJOR = [10n, 20n, 50n, 100n, 200n, 500n];
const PRESETS_MAX = 4;

export interface BillingData {
  currency: string;
  balanceMinor: bigint;
  heldMinor: bigint;
  cards: PaymentMethodView[];
  history: LedgerTransaction[];
  nextCursor: string | null;
  isFirstPage: boolean;
  bounds: TopupBounds;
  presetsMinor: bigint[];
  autoTopup: AutoTopupFacts;
  lowBalanceMinor: bigint | null;
  /** Issue 22: the newest receipts and the months offered as statements. */
  receipts: ReceiptRow[];
  statementMonths: string[];
  insight: UsageInsight;
  /** issue 21: the wallet's credit blocks with money left, in draw-down order. */
  credits: CreditLine[];
  /** Issue 24: the open holds behind "Reserved", soonest to lapse first (read only when something is held). */
  holds: HoldLine[];
  /** Issue 24: top-ups paid by a delayed method (bank transfer, voucher) that the bank has not confirmed yet. */
  pendingTopups: PendingTopup[];
}

export interface PendingTopup {
  id: string;
  amountMinor: bigint;
  createdAtMs: number;
}

/** Delayed payments settle within days; older orders still processing are Stripe's to expire, not the page's to list. */
const PENDING_LOOKBACK_MS = 14 * 24 * 60 * 60 * 1000;
const PENDING_LINES_MAX = 10;

async function readPendingTopups(ctx: Ctx, tenantId: string): Promise<PendingTopup[]> {
  // (tenant_id, created_at_ms) index: the last two weeks of the tenant's orders only.
  const rows = await ctx.store.db.selectFrom('checkout_orders').select(['id', 'amount_minor', 'created_at_ms'])
    .where('tenant_id', '=', tenantId).where('created_at_ms', '>=', BigInt(ctx.nowMs() - PENDING_LOOKBACK_MS))
    .where('purpose', '=', 'wallet_topup').where('state', '=', 'processing')
    .orderBy('created_at_ms', 'desc').limit(PENDING_LINES_MAX).execute();
  return rows.map((r) => ({ id: r.id, amountMinor: BigInt(r.amount_minor ?? 0n), createdAtMs: Number(r.created_at_ms) }));
}

export interface HoldLine {
  id: string;
  amountMinor: bigint;
  description: string | null;
  createdAtMs: number;
  expiresAtMs: number;
}

/** The page lists this many open holds; the total reserved is always in the wallet figures. */
export const HOLD_LINES_MAX = 20;

async function readHolds(ctx: Ctx, tenantId: string, heldMinor: bigint): Promise<HoldLine[]> {
  if (heldMinor <= 0n) return [];
  // (tenant_id, state, expires_at_ms) index: one range scan, already in expiry order.
  const rows = await ctx.store.db.selectFrom('holds').select(['id', 'amount_minor', 'captured_minor', 'description', 'created_at_ms', 'expires_at_ms'])
    .where('tenant_id', '=', tenantId).where('state', '=', 'held').orderBy('expires_at_ms').limit(HOLD_LINES_MAX).execute();
  return rows.map((r) => ({ id: r.id, amountMinor: BigInt(r.amount_minor), description: r.description, createdAtMs: Number(r.created_at_ms), expiresAtMs: Number(r.expires_at_ms) }));
}

export interface CreditLine {
  id: string;
  category: string;
  remainingMinor: bigint;
  expiresAtMs: number | null;
}

export async function readBillingData(ctx: Ctx, session: PortalSession, cursor: string | undefined): Promise<BillingData> {
  const wallet = await readWalletMinor(ctx, session.tenantId);
  const currency = wallet.currency;
  const [cards, page, autoTopup, lowBalanceMinor, credits, insight, holds, pendingTopups] = await Promise.all([
    listPaymentMethods(ctx.store.db, session.tenantId),
    readHistory(ctx, session.tenantId, cursor),
    readAutoTopupFacts(ctx, session.tenantId),
    readLowBalanceMinor(ctx, session.tenantId),
    readCredits(ctx, session.tenantId),
    readUsageInsight(ctx, session.tenantId),
    readHolds(ctx, session.tenantId, wallet.heldMinor),
    readPendingTopups(ctx, session.tenantId),
  ]);
  const [receipts, tenant] = await Promise.all([
    ctx.store.db.selectFrom('receipts').selectAll().where('tenant_id', '=', session.tenantId).orderBy('serial', 'desc').limit(PAGE_RECEIPTS_MAX).execute(),
    ctx.store.db.selectFrom('tenants').select(['created_at_ms']).where('id', '=', session.tenantId).executeTakeFirstOrThrow(),
  ]);
  const bounds = topupBounds(currency, ctx.config.topupLimits);
  return {
    currency,
    balanceMinor: wallet.balanceMinor,
    heldMinor: wallet.heldMinor,
    cards,
    history: page.data,
    nextCursor: page.nextCursor,
    isFirstPage: page.isFirstPage,
    bounds,
    presetsMinor: presets(currency, bounds),
    receipts,
    statementMonths: statementMonths(ctx.nowMs(), Number(tenant.created_at_ms)),
    autoTopup,
    lowBalanceMinor,
    credits,
    insight,
    holds,
    pendingTopups,
  };
}

const CREDIT_LINES_MAX = 20;

/** What expires when: active blocks with money left, in draw-down order (the deficit block is internal). */
async function readCredits(ctx: Ctx, tenantId: string): Promise<CreditLine[]> {
  const rows = await ctx.store.db.selectFrom('credit_blocks').select(['id', 'category', 'remaining_minor', 'expires_at_ms', 'priority', 'created_at_ms'])
    .where('tenant_id', '=', tenantId).where('state', '=', 'active').where('remaining_minor', '>', 0n).where('category', '<>', 'deficit')
    .orderBy('priority').orderBy('created_at_ms').limit(CREDIT_LINES_MAX).execute();
  const lines = rows.map((r) => ({ id: r.id, category: r.category, remainingMinor: BigInt(r.remaining_minor), expiresAtMs: r.expires_at_ms === null ? null : Number(r.expires_at_ms) }));
  return lines.sort((a, b) => (a.expiresAtMs ?? Infinity) - (b.expiresAtMs ?? Infinity));
}

/** Newest first, keyset-paged on (tenant_id, seq): the first page is one index range scan. A bad cursor shows the first page. */
async function readHistory(ctx: Ctx, tenantId: string, cursor: string | undefined) {
  const limit = String(HISTORY_PAGE_SIZE);
  try {
    return { ...(await listLedgerTransactions(ctx, tenantId, { limit, cursor })), isFirstPage: cursor === undefined };
  } catch (err) {
    if (!(err instanceof PurseError) || err.code !== 'CURSOR_INVALID') throw err;
    return { ...(await listLedgerTransactions(ctx, tenantId, { limit })), isFirstPage: true };
  }
}

function presets(currency: string, bounds: TopupBounds): bigint[] {
  const digits = minorDigits(currency);
  // Currencies without minor units (JPY) have small units: offer a hundred times more of them.
  const scale = digits === 0 ? 100n : 10n ** BigInt(digits);
  return PRESET_CANDIDATES_MAJOR.map((major) => major * scale)
    .filter((minor) => minor >= bounds.minMinor && minor <= bounds.maxMinor)
    .slice(0, PRESETS_MAX);
}

/** The order a return page refers to, if it is this tenant's; another tenant's order is treated as none. */
export async function tenantOrder(ctx: Ctx, tenantId: string, orderId: string | undefined): Promise<CheckoutOrderRow | undefined> {
  if (!orderId) return undefined;
  const order = await findOrder(ctx.store.db, orderId);
  return order && order.tenant_id === tenantId ? order : undefined;
}

/** The auto top-up attempt a recovery return refers to, if it is this tenant's; another tenant's is treated as none. */
export async function tenantAttempt(ctx: Ctx, tenantId: string, attemptId: string | undefined): Promise<AutoTopupAttemptRow | undefined> {
  if (!attemptId || !/^atu_[0-9A-Z]{26}$/.test(attemptId)) return undefined;
  return ctx.store.db.selectFrom('auto_topup_attempts').selectAll().where('id', '=', attemptId).where('tenant_id', '=', tenantId).executeTakeFirst();
}

const FINAL_STATES: Record<string, readonly string[]> = {
  wallet_topup: ['paid', 'failed', 'expired', 'canceled'],
  add_card: ['completed', 'failed', 'expired'],
};

/** Whether the order has reached a state the return page can report as the outcome. */
export function isSettled(order: CheckoutOrderRow): boolean {
  return FINAL_STATES[order.purpose]?.includes(order.state) ?? true;
}
