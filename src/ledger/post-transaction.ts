import type { Selectable } from 'kysely';
import { PurseError, assert } from '../errors/purse-error.ts';
import { newId } from '../ids/ids.ts';
import { isCurrency } from '../money/currencies.ts';
import { type Db, type TransactOptions, transact } from '../store/db.ts';
import type { LedgerTransactionRow } from '../store/schema.ts';
import { walletAccountId } from './accounts.ts';
import { type WalletState, toWalletState } from './wallet-state.ts';
import { addToRollup, rollupDelta } from './usage-rollup.ts';
import { TRANSACTION_KINDS, type PostingInput, type TransactionInput, type TransactionKind } from './transaction-input.ts';
import { type WalletMove, insertPostingRows, insertTransactionRow, moveWalletRow, onPostgres, postInOneStatement } from './post-transaction-sql.ts';

export { TRANSACTION_KINDS, type PostingInput, type TransactionInput, type TransactionKind } from './transaction-input.ts';

export interface LedgerTransaction {
  id: string;
  seq: bigint;
  reference: string;
  kind: TransactionKind;
  tenantId: string | null;
  numberId: string | null;
  currency: string;
  description: string | null;
  metadata: Record<string, string> | null;
  /** The wallet posting of this transaction, 0 when it has none. */
  walletAmountMinor: bigint;
  walletBalanceAfterMinor: bigint | null;
  createdAtMs: number;
}

export interface WalletAfter {
  balanceMinor: bigint;
  heldMinor: bigint;
}

export interface PostResult {
  transaction: LedgerTransaction;
  created: boolean;
  /** The wallet right after this posting; null on a replay or when no wallet was posted to. */
  walletAfter: WalletState | null;
}

/**
 * Thrown when the reference already exists. Not a PurseError: it must abort the caller's DB transaction
 * (undoing the wallet update that preceded the insert); `transactOnce` turns it into the existing result.
 */
export class DuplicateReference extends Error {
  constructor(readonly reference: string) {
    super(`Ledger reference already used: ${reference}`);
    this.name = 'DuplicateReference';
  }
}

export const POSTINGS_MIN = 2;
export const POSTINGS_MAX = 16;
export const REFERENCE_LENGTH_MAX = 255;
const WALLET_PREFIX = 'wallet:';

/**
 * Writes one balanced transaction. Call inside a DB transaction (READ COMMITTED on PostgreSQL).
 * Statement order is the row-lock order: the wallet row first (guarded update), then the reference
 * (insert-or-nothing), then the postings. Two racing requests with one reference queue on the wallet
 * row; the second sees the first's reference, throws DuplicateReference and its update rolls back.
 * No reads on the success path: three statements on SQLite, one on PostgreSQL (post-transaction-sql.ts).
 * It only ever returns `created: true`: a repeated reference throws DuplicateReference, which
 * `transactOnce` / `recordTransaction` turn into the stored one.
 */
export async function postTransaction(db: Db, input: TransactionInput, nowMs: number): Promise<PostResult> {
  const walletPosting = checkTransaction(input);
  if (walletPosting && onPostgres(db)) return postInOneRoundTrip(db, input, walletPosting, nowMs);
  const walletAfter = walletPosting ? await moveWallet(db, input, walletPosting, nowMs) : null;
  const row = transactionRow(input, walletPosting, walletAfter, nowMs);
  const seq = await insertTransactionRow(db, row);
  if (seq === undefined) throw new DuplicateReference(input.reference);
  const written = await blocksCovering(insertPostingRows(db, row.id, input.currency, input.postings));
  assert(written === BigInt(input.postings.length), `transaction ${row.id} wrote every posting`);
  const rollup = rollupDelta(input, walletPosting, nowMs);
  if (rollup) await addToRollup(db, rollup);
  return { transaction: toLedgerTransaction({ ...row, seq }), created: true, walletAfter };
}

async function postInOneRoundTrip(db: Db, input: TransactionInput, walletPosting: PostingInput, nowMs: number): Promise<PostResult> {
  const row = transactionRow(input, walletPosting, null, nowMs);
  const posted = await blocksCovering(postInOneStatement(db, walletMove(input, walletPosting, nowMs), row, input.postings, rollupDelta(input, walletPosting, nowMs)));
  if (!posted) return explainRefusal(db, input, walletPosting.accountId, input.heldDeltaMinor ?? 0n);
  if (posted.seq === undefined) throw new DuplicateReference(input.reference);
  assert(posted.postings === BigInt(input.postings.length), `transaction ${row.id} wrote every posting`);
  const walletAfter = checkWalletAfter(input, toWalletState(posted.wallet));
  return { transaction: toLedgerTransaction({ ...row, wallet_balance_after_minor: walletAfter.balanceMinor, seq: posted.seq }), created: true, walletAfter };
}

/** What the credit-block trigger (migration 0011) says when a usage debit's unexpired blocks cannot cover it. */
export const CREDIT_BLOCKS_SHORT = 'purse:credit_blocks_short';

/** The balance covers the debit but only with money in blocks already past their expiry: insufficient funds. */
async function blocksCovering<T>(write: Promise<T>): Promise<T> {
  try {
    return await write;
  } catch (err) {
    if (err instanceof Error && err.message.includes(CREDIT_BLOCKS_SHORT)) throw new PurseError('INSUFFICIENT_FUNDS');
    throw err;
  }
}

/** Pure checks before any write; returns the wallet posting, if any. A failure here is a caller's bug. */
export function checkTransaction(input: TransactionInput): PostingInput | undefined {
  const { postings, currency, reference } = input;
  assert(reference.length > 0 && reference.length <= REFERENCE_LENGTH_MAX, `reference is 1 to ${REFERENCE_LENGTH_MAX} characters`);
  assert((TRANSACTION_KINDS as readonly string[]).includes(input.kind), `kind ${input.kind} is known`);
  assert(isCurrency(currency), `currency ${currency} is an ISO 4217 code`);
  assert(postings.length >= POSTINGS_MIN && postings.length <= POSTINGS_MAX, `${reference}: ${POSTINGS_MIN} to ${POSTINGS_MAX} postings`);
  assert(postings.every((p) => p.amountMinor !== 0n), `${reference}: no zero postings`);
  assert(postings.reduce((sum, p) => sum + p.amountMinor, 0n) === 0n, `${reference}: postings sum to zero`);
  const walletPostings = postings.filter((p) => p.accountId.startsWith(WALLET_PREFIX));
  assert(walletPostings.length <= 1, `${reference}: at most one wallet posting`);
  // System account ids end in their currency, so the currency check costs no read.
  const others = postings.filter((p) => !p.accountId.startsWith(WALLET_PREFIX));
  assert(others.every((p) => p.accountId.endsWith(`:${currency}`)), `${reference}: every system posting is in ${currency}`);
  const walletPosting = walletPostings[0];
  if (walletPosting) {
    assert(input.tenantId !== null && walletPosting.accountId === walletAccountId(input.tenantId), `${reference}: the wallet posting is the tenant's`);
  }
  assert((input.heldDeltaMinor ?? 0n) === 0n || walletPosting, `${reference}: a held change needs a wallet posting`);
  assert(!input.numberId || input.tenantId, `${reference}: a number belongs to a tenant`);
  return walletPosting;
}

/** The guarded update: moves balance and held together, refusing what would break a wallet rule. */
async function moveWallet(db: Db, input: TransactionInput, posting: PostingInput, nowMs: number): Promise<WalletState> {
  const row = await moveWalletRow(db, walletMove(input, posting, nowMs));
  if (!row) return explainRefusal(db, input, posting.accountId, input.heldDeltaMinor ?? 0n);
  return checkWalletAfter(input, toWalletState(row));
}

function walletMove(input: TransactionInput, posting: PostingInput, nowMs: number): WalletMove {
  return {
    accountId: posting.accountId, currency: input.currency, deltaMinor: posting.amountMinor,
    heldDeltaMinor: input.heldDeltaMinor ?? 0n, forbidOverdraft: input.overdraft === 'forbid', nowMs,
  };
}

/** The other side of the write: what the guard promised is what the row now says. */
export function checkWalletAfter(input: TransactionInput, state: WalletState): WalletState {
  const { balanceMinor, heldMinor } = state;
  assert(heldMinor >= 0n, `${input.reference}: held stays ≥ 0`);
  assert(input.overdraft === 'allow' || balanceMinor - heldMinor >= 0n, `${input.reference}: available stays ≥ 0`);
  return state;
}

/**
 * Failure path only (one read): a repeat of a reference that already moved money is a replay, not a
 * refusal, even when the first one used up the funds; otherwise it is insufficient funds or a bug.
 */
async function explainRefusal(db: Db, input: TransactionInput, accountId: string, heldDeltaMinor: bigint): Promise<never> {
  if (await findTransaction(db, input.reference)) throw new DuplicateReference(input.reference);
  const wallet = await db.selectFrom('wallets').select(['currency', 'held_minor']).where('account_id', '=', accountId).executeTakeFirst();
  assert(wallet, `${input.reference}: wallet ${accountId} exists`);
  assert(wallet.currency === input.currency, `${input.reference}: wallet ${accountId} is in ${input.currency}`);
  assert(wallet.held_minor + heldDeltaMinor >= 0n, `${input.reference}: held of ${accountId} stays ≥ 0`);
  throw new PurseError('INSUFFICIENT_FUNDS');
}

export function transactionRow(input: TransactionInput, walletPosting: PostingInput | undefined, walletAfter: WalletState | null, nowMs: number): Omit<LedgerTransactionRow, 'seq'> {
  return {
    id: newId('txn'),
    reference: input.reference,
    tenant_id: input.tenantId,
    number_id: input.numberId ?? null,
    kind: input.kind,
    description: input.description ?? null,
    metadata: input.metadata ? JSON.stringify(input.metadata) : null,
    currency: input.currency,
    wallet_amount_minor: walletPosting?.amountMinor ?? 0n,
    wallet_balance_after_minor: walletAfter?.balanceMinor ?? null,
    created_at_ms: BigInt(nowMs),
  };
}

export type Once<T> = { created: true; value: T } | { created: false; existing: LedgerTransaction };

/**
 * Runs `work` (which calls postTransaction, plus anything else that must commit with it) in its own
 * savepoint of the store's group commit (store/commit-batcher.ts): resolved only once committed. On a
 * duplicate reference its work rolls back and the transaction already stored is returned — including when
 * the first use of the reference was earlier in the same batch, since the replay is read after the commit.
 * `opts.key` names the wallet the work locks (the tenant id) so PostgreSQL keeps that wallet in one lane.
 * On PostgreSQL `work` may run more than once (a batch replayed with savepoints): database work only.
 */
export async function transactOnce<T>(db: Db, work: (trx: Db) => Promise<T>, opts: TransactOptions = {}): Promise<Once<T>> {
  try {
    return { created: true, value: await transact(db, work, opts) };
  } catch (err) {
    if (!(err instanceof DuplicateReference)) throw err;
    const existing = await findTransaction(db, err.reference);
    assert(existing, `duplicate reference ${err.reference} has a stored transaction`);
    return { created: false, existing };
  }
}

export async function findTransaction(db: Db, reference: string): Promise<LedgerTransaction | undefined> {
  const row = await db.selectFrom('ledger_transactions').selectAll().where('reference', '=', reference).executeTakeFirst();
  return row ? toLedgerTransaction(row) : undefined;
}

function transactionKind(row: Selectable<LedgerTransactionRow>): TransactionKind {
  const kind = TRANSACTION_KINDS.find((k) => k === row.kind);
  assert(kind, `transaction ${row.id} has a known kind (${row.kind})`);
  return kind;
}

export function toLedgerTransaction(row: Selectable<LedgerTransactionRow>): LedgerTransaction {
  return {
    id: row.id,
    seq: row.seq,
    reference: row.reference,
    kind: transactionKind(row),
    tenantId: row.tenant_id,
    numberId: row.number_id,
    currency: row.currency,
    description: row.description,
    metadata: row.metadata === null ? null : (JSON.parse(row.metadata) as Record<string, string>),
    walletAmountMinor: row.wallet_amount_minor,
    walletBalanceAfterMinor: row.wallet_balance_after_minor,
    createdAtMs: Number(row.created_at_ms),
  };
}
