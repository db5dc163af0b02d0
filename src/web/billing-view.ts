import type { ReceiptRow } from '../store/schema.ts';
import { PAGE_RECEIPTS_MAX, statementMonths } from './billing-documents.ts';
import { findOrder } from '../checkout/orders-store.ts';
import type { HoldState } from '../wallet/hold-states.ts';
import type { HistoryFilter } from './history-filter.ts';
import { type HoldLine, type NumberOption, hasHolds, readHistory, readHolds, readNumbers } from './history-view.ts';
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
  /** Issue 24: a filtered page's walk stopped at HISTORY_SCAN_ROWS_MAX entries; `nextCursor` searches on. */
  scanStopped: boolean;
  /** Issue 24: the tenant's numbers, for the history's number filter and the holds list. */
  numbers: NumberOption[];
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
  /** Issue 24: the holds in the state the page filters by (open by default); `hasHolds` false when there never were any. */
  holds: HoldLine[];
  hasHolds: boolean;
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

export interface CreditLine {
  id: string;
  category: string;
  remainingMinor: bigint;
  expiresAtMs: number | null;
}

/** What the page's query asks of the history and holds (history-filter.ts has already checked it). */
export interface BillingDataQuery {
  cursor: string | undefined;
  filter: HistoryFilter;
  holdState: HoldState;
}

export async function readBillingData(ctx: Ctx, session: PortalSession, q: BillingDataQuery): Promise<BillingData> {
  const wallet = await readWalletMinor(ctx, session.tenantId);
  const currency = wallet.currency;
  // Nothing held now and the open ones asked for: no hold read unless the tenant ever held (one index probe).
  const readHoldsNow = wallet.heldMinor > 0n || q.holdState !== 'held';
  const [cards, page, autoTopup, lowBalanceMinor, credits, insight, holds, pendingTopups, numbers, everHeld] = await Promise.all([
    listPaymentMethods(ctx.store.db, session.tenantId),
    readHistory(ctx, session.tenantId, q.filter, q.cursor),
    readAutoTopupFacts(ctx, session.tenantId),
    readLowBalanceMinor(ctx, session.tenantId),
    readCredits(ctx, session.tenantId),
    readUsageInsight(ctx, session.tenantId),
    readHoldsNow ? readHolds(ctx, session.tenantId, q.holdState) : Promise.resolve([]),
    readPendingTopups(ctx, session.tenantId),
    readNumbers(ctx, session.tenantId),
    readHoldsNow ? Promise.resolve(true) : hasHolds(ctx, session.tenantId),
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
    scanStopped: page.scanStopped,
    numbers,
    bounds,
    presetsMinor: presets(currency, bounds),
    receipts,
    statementMonths: statementMonths(ctx.nowMs(), Number(tenant.created_at_ms)),
    autoTopup,
    lowBalanceMinor,
    credits,
    insight,
    holds,
    hasHolds: everHeld,
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
