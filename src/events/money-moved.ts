import type { LedgerTransaction, PostResult, TransactionInput } from '../ledger/post-transaction.ts';
import type { WalletState } from '../ledger/wallet-state.ts';
import type { Db } from '../store/db.ts';
import type { EventInput, PurseEvent } from './emit.ts';

/**
 * What a money path holds inside its database transaction (money-transaction.ts): the transaction
 * handle, one clock reading, and the only ways to move a wallet's balance so that every "after money
 * moves" hook sees the move and can add its own rows to the same commit.
 */
export interface MoneyTrx {
  readonly db: Db;
  readonly nowMs: number;
  /** postTransaction, then every wallet hook on the wallet it moved. Throws DuplicateReference on a repeat. */
  post(input: TransactionInput): Promise<PostResult>;
  /** For wallet moves that are not postings (a hold placed, voided or expired): runs the wallet hooks. */
  walletMoved(moved: WalletMoved): Promise<void>;
  /** Adds an event to the outbox, in this transaction. */
  emit(event: EventInput): Promise<PurseEvent>;
}

export interface WalletMoved {
  tenantId: string;
  currency: string;
  /** How much this move changed the available balance (balance − held); negative when it took some. */
  availableDeltaMinor: bigint;
  /** The wallet as the statement that moved it returned it (row still locked by this transaction). */
  after: WalletState;
  /** The ledger transaction, when the move was a posting. */
  transaction: LedgerTransaction | null;
  /**
   * The provider took money back (a refund's clawback, a dispute opened, lost or won; SPEC §8.4), not the
   * tenant spending it. Wallet events fire as for any move; nothing that charges the customer on their behalf
   * (auto top-up) starts from it: charging a card right after refunding it would be wrong. Absent: false.
   */
  clawback?: boolean;
}

/**
 * Runs inside the money transaction after every wallet move. Must be cheap when it has nothing to do
 * (it runs on every usage debit) and must do database work only (on PostgreSQL a batch may run twice).
 */
export type WalletHook = ((m: MoneyTrx, moved: WalletMoved) => Promise<void>) & {
  /**
   * True when, for this move, the hook certainly neither reads nor writes the wallet row (it may still add
   * rows elsewhere, such as an event). PostgreSQL then writes a run of debits in one statement and runs
   * the hooks after it; a hook without this is assumed to touch the row, and each move waits for it.
   */
  leavesWalletRow?: (moved: WalletMoved) => boolean;
};
