import { CompiledQuery } from 'kysely';
import { PurseError, assert } from '../errors/purse-error.ts';
import type { Db } from '../store/db.ts';
import { PREPARED_MARK } from '../store/pg-pool.ts';
import {
  DuplicateReference, type PostResult, type PostingInput, type TransactionInput, checkTransaction, checkWalletAfter, toLedgerTransaction, transactionRow,
} from './post-transaction.ts';
import { TRANSACTION_COLUMNS, onPostgres, type TransactionRowInput } from './post-transaction-sql.ts';
import { ROLLUP_COLUMNS, ROLLUP_CONFLICT, SPENDING_KINDS, hourOf, sumDeltas } from './usage-rollup.ts';
import { WALLET_STATE_COLUMNS, type WalletState, type WalletStateRow, toWalletState } from './wallet-state.ts';

/**
 * Many postTransaction calls of one batch in a few statements (PostgreSQL), for the group commit's
 * combiner (store/commit-batcher.ts, events/money-transaction.ts). One by one, each posting costs a round
 * trip while the batch holds its wallet's row lock; here a whole run of them costs two:
 *
 *   1. lock the wallets they move (SELECT … FOR UPDATE, in account order), read them, and read which of
 *      the references are already taken;
 *   2. after deciding each posting in order in memory, exactly as one by one would (a taken reference is a
 *      replay, whatever the funds; else the overdraft guard against the balance the earlier ones left),
 *      write them all: one UPDATE per wallet by its total, N transaction rows, 2N postings.
 *
 * Whoever else could take one of these references holds the same wallet's lock. If statement 1 waited for
 * that lock, its snapshot (taken before the wait) may miss a reference committed meanwhile: statement 2
 * then inserts fewer rows than planned (ON CONFLICT DO NOTHING), the count check throws, and the batch
 * runs again one by one. Correct either way; the rare race just costs a replay.
 *
 * Only for postings that move one wallet's balance and nothing held (a usage debit, an adjustment); the
 * caller writes in runs (`write`) so that its wallet hooks can see the database as one by one would.
 */
export class PostingRun {
  readonly #db: Db;
  readonly #nowMs: number;
  readonly #wallets: Map<string, LockedWallet>;
  readonly #taken: Set<string>;

  private constructor(db: Db, nowMs: number, wallets: Map<string, LockedWallet>, taken: Set<string>) {
    this.#db = db;
    this.#nowMs = nowMs;
    this.#wallets = wallets;
    this.#taken = taken;
  }

  static async open(db: Db, inputs: TransactionInput[], nowMs: number): Promise<PostingRun> {
    const accounts = [...new Set(inputs.map((input) => walletPostingOf(input).accountId))].sort();
    const { wallets, taken } = await lockWallets(db, accounts, inputs.map((input) => input.reference));
    return new PostingRun(db, nowMs, wallets, taken);
  }

  /** What postTransaction would do next with `input`: a posting to write, or its refusal (nothing written). */
  plan(input: TransactionInput): { ok: true; planned: PlannedPosting } | { ok: false; error: Error } {
    const posting = walletPostingOf(input);
    const wallet = this.#wallets.get(posting.accountId);
    assert(wallet && wallet.currency === input.currency, `${input.reference}: wallet ${posting.accountId} exists in ${input.currency}`);
    if (this.#taken.has(input.reference)) return { ok: false, error: new DuplicateReference(input.reference) };
    const { balanceMinor, heldMinor } = wallet.state;
    if (input.overdraft === 'forbid' && balanceMinor + posting.amountMinor - heldMinor < 0n) {
      return { ok: false, error: new PurseError('INSUFFICIENT_FUNDS') };
    }
    const after = checkWalletAfter(input, { ...wallet.state, balanceMinor: balanceMinor + posting.amountMinor });
    wallet.state = after;
    this.#taken.add(input.reference);
    return { ok: true, planned: { input, accountId: posting.accountId, after, row: transactionRow(input, posting, after, this.#nowMs) } };
  }

  /** Writes planned postings (in plan order) in one statement; their results, as postTransaction's. */
  async write(planned: PlannedPosting[]): Promise<PostResult[]> {
    if (planned.length === 0) return [];
    const seqs = await writePostings(this.#db, planned, this.#nowMs);
    return planned.map((p) => {
      const seq = seqs.get(p.row.id);
      assert(seq !== undefined, `${p.input.reference}: its transaction was written`);
      return { transaction: toLedgerTransaction({ ...p.row, seq }), created: true, walletAfter: p.after };
    });
  }

  /**
   * Reads the wallet again after hooks that may have written its row (a flag flipped, auto top-up
   * disarmed), so the next posting sees what its own UPDATE would have returned. Its balances must be what
   * this run wrote; anything else (a hook moved money) throws, and the batch runs one by one instead.
   */
  async refresh(accountId: string): Promise<void> {
    const wallet = this.#wallets.get(accountId);
    assert(wallet, `wallet ${accountId} is in this run`);
    const text = `${PREPARED_MARK}select ${WALLET_STATE_COLUMNS.join(', ')} from wallets where account_id = $1`;
    const row = (await this.#db.executeQuery<WalletStateRow>(CompiledQuery.raw(text, [accountId]))).rows[0];
    assert(row, `wallet ${accountId} exists`);
    const state = toWalletState(row);
    assert(state.balanceMinor === wallet.state.balanceMinor && state.heldMinor === wallet.state.heldMinor, `wallet ${accountId} moved only by this run`);
    wallet.state = state;
  }
}

export interface PlannedPosting {
  input: TransactionInput;
  accountId: string;
  after: WalletState;
  row: TransactionRowInput;
}

interface LockedWallet {
  currency: string;
  state: WalletState;
}

/** True when PostingRun can take `input` on this database: PostgreSQL, one wallet moved, nothing held. */
export function combinablePosting(db: Db, input: TransactionInput): boolean {
  return onPostgres(db) && (input.heldDeltaMinor ?? 0n) === 0n && checkTransaction(input) !== undefined;
}

function walletPostingOf(input: TransactionInput): PostingInput {
  const posting = checkTransaction(input);
  assert(posting && (input.heldDeltaMinor ?? 0n) === 0n, `${input.reference}: moves one wallet and nothing held`);
  return posting;
}

const LOCK_WALLETS = `${PREPARED_MARK}with locked as (
    select account_id, currency, ${WALLET_STATE_COLUMNS.join(', ')} from wallets where account_id = any($1::text[]) order by account_id for update
  )
  select locked.*, (select coalesce(array_agg(reference), '{}') from ledger_transactions where reference = any($2::text[])) as taken from locked`;

type LockedRow = WalletStateRow & { account_id: string; currency: string; taken: string[] };

async function lockWallets(db: Db, accountIds: string[], references: string[]): Promise<{ wallets: Map<string, LockedWallet>; taken: Set<string> }> {
  const result = await db.executeQuery<LockedRow>(CompiledQuery.raw(LOCK_WALLETS, [accountIds, references]));
  return {
    wallets: new Map(result.rows.map((row) => [row.account_id, { currency: row.currency, state: toWalletState(row) }])),
    taken: new Set(result.rows[0]?.taken ?? []),
  };
}

const WRITE_POSTINGS = `${PREPARED_MARK}with moved as (
    update wallets w set balance_minor = w.balance_minor + d.delta, updated_at_ms = $1
    from unnest($2::text[], $3::bigint[]) as d (account_id, delta)
    where w.account_id = d.account_id
    returning w.account_id
  ), inserted as (
    insert into ledger_transactions (${TRANSACTION_COLUMNS})
    select * from unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::bigint[], $13::bigint[], $14::bigint[])
    on conflict (reference) do nothing
    returning id, seq
  ), posted as (
    insert into ledger_postings (transaction_id, account_id, amount_minor, currency)
    select * from unnest($15::text[], $16::text[], $17::bigint[], $18::text[])
    returning 1
  ), rolled as (
    insert into usage_hourly (${ROLLUP_COLUMNS})
    select * from unnest($19::text[], $20::bigint[], $21::text[], $22::text[], $23::text[], $24::bigint[], $25::bigint[])
    ${ROLLUP_CONFLICT}
    returning 1
  )
  select inserted.id, inserted.seq, (select count(*) from moved) as wallets, (select count(*) from posted) as postings from inserted`;

/** The batch's rollup rows as unnest columns: one per wallet, hour, number and description, not one per debit. */
function rollupColumns(planned: PlannedPosting[], nowMs: number): unknown[][] {
  const deltas = sumDeltas(planned.flatMap((p) => {
    const { row } = p;
    if (row.tenant_id === null || !SPENDING_KINDS.includes(p.input.kind)) return [];
    return [{
      tenantId: row.tenant_id, hourMs: hourOf(nowMs), numberId: row.number_id ?? '', description: row.description ?? '',
      currency: row.currency, amountMinor: -row.wallet_amount_minor, count: 1n,
    }];
  }));
  return [
    deltas.map((d) => d.tenantId), deltas.map((d) => d.hourMs), deltas.map((d) => d.numberId), deltas.map((d) => d.description),
    deltas.map((d) => d.currency), deltas.map((d) => d.amountMinor), deltas.map((d) => d.count),
  ];
}

/** One statement; its counts must match what was planned, or it throws (and the batch is rolled back). */
async function writePostings(db: Db, planned: PlannedPosting[], nowMs: number): Promise<Map<string, bigint>> {
  const deltas = new Map<string, bigint>();
  for (const p of planned) deltas.set(p.accountId, (deltas.get(p.accountId) ?? 0n) + p.row.wallet_amount_minor);
  const rows = planned.map((p) => p.row);
  const postings = planned.flatMap((p) => p.input.postings.map((posting) => ({ id: p.row.id, posting, currency: p.row.currency })));
  const column = <K extends keyof TransactionRowInput>(key: K) => rows.map((row) => row[key]);
  const parameters = [
    BigInt(nowMs), [...deltas.keys()], [...deltas.values()],
    column('id'), column('reference'), column('tenant_id'), column('number_id'), column('kind'), column('description'), column('metadata'),
    column('currency'), column('wallet_amount_minor'), column('wallet_balance_after_minor'), column('created_at_ms'),
    postings.map((p) => p.id), postings.map((p) => p.posting.accountId), postings.map((p) => p.posting.amountMinor), postings.map((p) => p.currency),
    ...rollupColumns(planned, nowMs),
  ];
  const result = await db.executeQuery<{ id: string; seq: bigint; wallets: bigint; postings: bigint }>(CompiledQuery.raw(WRITE_POSTINGS, parameters));
  const first = result.rows[0];
  assert(result.rows.length === planned.length && first, 'every planned transaction was inserted (no reference taken meanwhile)');
  assert(BigInt(first.wallets) === BigInt(deltas.size) && BigInt(first.postings) === BigInt(postings.length), 'every wallet and posting was written');
  return new Map(result.rows.map((row) => [row.id, BigInt(row.seq)]));
}
