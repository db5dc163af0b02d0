/**
 * A wallet as the statement that moved it returned it: the balances, plus what the "after money moves"
 * hooks (events/) need to notice a crossing without reading anything else. Every statement that moves a
 * wallet row returns these columns (WALLET_STATE_COLUMNS), so the hot path pays no extra round trip.
 */
export interface WalletState {
  balanceMinor: bigint;
  heldMinor: bigint;
  watch: WalletWatch;
}

export interface WalletWatch {
  /** The tenant's low-balance alert, null when none is set. */
  lowBalanceMinor: bigint | null;
  lowBalanceArmed: boolean;
  depletedArmed: boolean;
  debitedSubscribed: boolean;
  /** Auto top-up's threshold while it is armed (active, nothing in flight or scheduled); null otherwise. */
  autoTopupThresholdMinor: bigint | null;
}

export const WALLET_STATE_COLUMNS = ['balance_minor', 'held_minor', 'low_balance_minor', 'low_balance_armed', 'depleted_armed', 'debited_subscribed', 'auto_topup_threshold_minor'] as const;

export interface WalletStateRow {
  balance_minor: bigint | number | string;
  held_minor: bigint | number | string;
  low_balance_minor: bigint | number | string | null;
  low_balance_armed: bigint | number | string;
  depleted_armed: bigint | number | string;
  debited_subscribed: bigint | number | string;
  auto_topup_threshold_minor: bigint | number | string | null;
}

const FLAG_ON = 1n;

export function toWalletState(row: WalletStateRow): WalletState {
  return {
    balanceMinor: BigInt(row.balance_minor),
    heldMinor: BigInt(row.held_minor),
    watch: {
      lowBalanceMinor: row.low_balance_minor === null ? null : BigInt(row.low_balance_minor),
      lowBalanceArmed: BigInt(row.low_balance_armed) === FLAG_ON,
      depletedArmed: BigInt(row.depleted_armed) === FLAG_ON,
      debitedSubscribed: BigInt(row.debited_subscribed) === FLAG_ON,
      autoTopupThresholdMinor: row.auto_topup_threshold_minor === null ? null : BigInt(row.auto_topup_threshold_minor),
    },
  };
}
