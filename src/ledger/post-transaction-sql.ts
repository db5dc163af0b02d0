import { PostgresAdapter, type QueryResult } from 'kysely';
import type { Db } from '../store/db.ts';
import { precompiled, runPrecompiled } from '../store/precompiled.ts';
import type { LedgerTransactionRow } from '../store/schema.ts';
import { WALLET_STATE_COLUMNS, type WalletStateRow } from './wallet-state.ts';
import { ROLLUP_COLUMNS, ROLLUP_CONFLICT, type RollupDelta, rollupParameters } from './usage-rollup.ts';

/**
 * postTransaction's success path as SQL written once per dialect. On that path, building and compiling
 * the statements with Kysely's query builder cost more CPU than SQLite takes to run them, and on
 * PostgreSQL every statement is a round trip inside a batch that holds a wallet's row lock:
 * - SQLite (in-process, no round trips): the guarded UPDATE, the INSERT of the transaction, the INSERT of
 *   its postings — three statements, as in the builder version;
 * - PostgreSQL: the same three as one statement (data-modifying CTEs, wallet row first), one round trip.
 * The same guards and the same lock order either way; the builder stays for everything off the hot path.
 */
export interface WalletMove {
  accountId: string;
  currency: string;
  deltaMinor: bigint;
  heldDeltaMinor: bigint;
  /** Only when the wallet's available balance must stay ≥ 0. */
  forbidOverdraft: boolean;
  nowMs: number;
}

export type WalletAfterRow = WalletStateRow;

export type TransactionRowInput = Omit<LedgerTransactionRow, 'seq'>;

export interface Posting {
  accountId: string;
  amountMinor: bigint;
}

const SET_WALLET = 'update wallets set balance_minor = balance_minor + ?, held_minor = held_minor + ?, updated_at_ms = ?';
const WALLET_GUARD = 'where account_id = ? and currency = ? and held_minor + ? >= 0';
const OVERDRAFT_GUARD = ' and balance_minor - held_minor + ? >= 0';
const RETURNING_WALLET = `returning ${WALLET_STATE_COLUMNS.join(', ')}`;
/** The column order every insert of a ledger transaction (one row or a batch of them) writes in. */
export const TRANSACTION_COLUMNS = 'id, reference, tenant_id, number_id, kind, description, metadata, currency, wallet_amount_minor, wallet_balance_after_minor, created_at_ms';

export function onPostgres(db: Db): boolean {
  return db.getExecutor().adapter instanceof PostgresAdapter;
}

export async function moveWalletRow(db: Db, move: WalletMove): Promise<WalletAfterRow | undefined> {
  const text = cached(db, `move:${move.forbidOverdraft}`, () => `${SET_WALLET} ${WALLET_GUARD}${move.forbidOverdraft ? OVERDRAFT_GUARD : ''} ${RETURNING_WALLET}`);
  const result = await run<WalletAfterRow>(db, text, walletParameters(move));
  return result.rows[0];
}

/** The new transaction's seq, or undefined when its reference is already taken. */
export async function insertTransactionRow(db: Db, row: TransactionRowInput): Promise<bigint | undefined> {
  const text = cached(db, 'transaction', () => `insert into ledger_transactions (${TRANSACTION_COLUMNS}) values (${marks(11)}) on conflict (reference) do nothing returning seq`);
  const result = await run<{ seq: bigint }>(db, text, transactionParameters(row, row.wallet_balance_after_minor));
  const seq = result.rows[0]?.seq;
  return seq === undefined ? undefined : BigInt(seq);
}

export async function insertPostingRows(db: Db, transactionId: string, currency: string, postings: Posting[]): Promise<bigint | undefined> {
  const text = cached(db, `postings:${postings.length}`, () =>
    `insert into ledger_postings (transaction_id, account_id, amount_minor, currency) values ${Array(postings.length).fill(`(${marks(4)})`).join(', ')}`);
  const result = await run(db, text, postings.flatMap((p) => [transactionId, p.accountId, p.amountMinor, currency]));
  return result.numAffectedRows;
}

export interface OneStatementResult {
  wallet: WalletAfterRow;
  /** Undefined when the reference was already taken (the wallet moved in this statement: roll it back). */
  seq: bigint | undefined;
  postings: bigint;
}

/**
 * PostgreSQL: wallet, transaction and postings in one statement. The transaction row takes the wallet's
 * balance after from the UPDATE; no wallet row (a refusal) means no insert; a taken reference means no
 * postings. Undefined when the guarded update refused.
 */
export async function postInOneStatement(
  db: Db, move: WalletMove, row: TransactionRowInput, postings: Posting[], rollup?: RollupDelta,
): Promise<OneStatementResult | undefined> {
  const text = cached(db, `one:${move.forbidOverdraft}:${postings.length}:${rollup !== undefined}`, () => `with moved as (
      ${SET_WALLET} ${WALLET_GUARD}${move.forbidOverdraft ? OVERDRAFT_GUARD : ''} ${RETURNING_WALLET}
    ), inserted as (
      insert into ledger_transactions (${TRANSACTION_COLUMNS})
      select ?, ?, ?, ?, ?, ?, ?, ?, ?, moved.balance_minor, ? from moved
      on conflict (reference) do nothing returning id, seq
    ), posted as (
      insert into ledger_postings (transaction_id, account_id, amount_minor, currency)
      select inserted.id, p.account_id, p.amount_minor, ? from inserted
      cross join (values ${Array(postings.length).fill('(?::text, ?::bigint)').join(', ')}) as p (account_id, amount_minor)
      returning 1
    )${rollup ? `, rolled as (
      insert into usage_hourly (${ROLLUP_COLUMNS}) select ?, ?::bigint, ?, ?, ?, ?::bigint, ?::bigint from inserted
      ${ROLLUP_CONFLICT} returning 1
    )` : ''}
    select ${WALLET_STATE_COLUMNS.map((c) => `moved.${c}`).join(', ')}, inserted.seq, (select count(*) from posted) as postings
    from moved left join inserted on true`);
  const parameters = [
    ...walletParameters(move),
    ...transactionParameters(row, undefined),
    row.currency,
    ...postings.flatMap((p) => [p.accountId, p.amountMinor]),
    ...(rollup ? rollupParameters(rollup) : []),
  ];
  const result = await run<WalletAfterRow & { seq: bigint | null; postings: bigint }>(db, text, parameters);
  const found = result.rows[0];
  if (!found) return undefined;
  return {
    wallet: found,
    seq: found.seq === null ? undefined : BigInt(found.seq),
    postings: BigInt(found.postings),
  };
}

function walletParameters(move: WalletMove): unknown[] {
  const { deltaMinor, heldDeltaMinor } = move;
  const guard = [move.accountId, move.currency, heldDeltaMinor];
  // available after = (balance + delta) − (held + heldDelta)
  return [deltaMinor, heldDeltaMinor, BigInt(move.nowMs), ...guard, ...(move.forbidOverdraft ? [deltaMinor - heldDeltaMinor] : [])];
}

/** In column order; `balanceAfter` undefined leaves that column out (the one-statement form computes it). */
function transactionParameters(row: TransactionRowInput, balanceAfter: bigint | null | undefined): unknown[] {
  const head = [row.id, row.reference, row.tenant_id, row.number_id, row.kind, row.description, row.metadata, row.currency, row.wallet_amount_minor];
  return balanceAfter === undefined ? [...head, row.created_at_ms] : [...head, balanceAfter, row.created_at_ms];
}

function marks(count: number): string {
  return Array(count).fill('?').join(', ');
}

function cached(db: Db, key: string, build: () => string): string {
  return precompiled(db, key, build);
}

function run<R>(db: Db, text: string, parameters: unknown[]): Promise<QueryResult<R>> {
  return runPrecompiled<R>(db, text, parameters);
}
