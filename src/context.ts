import type { Config } from './config/config.ts';
import type { WalletHook } from './events/money-moved.ts';
import type { Db, Store } from './store/db.ts';
import type { PaymentGateway } from './gateway/payment-gateway.ts';

/** The operator secrets in effect: from config, or generated for development. */
export interface Secrets {
  adminKey: string;
  masterKey: string;
}

export interface Logger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

/** What every service receives: storage, settings, secrets, a clock, a logger and the payment gateway. No globals. */
export interface Ctx {
  config: Config;
  store: Store;
  secrets: Secrets;
  nowMs(): number;
  log: Logger;
  /** The payment provider (Stripe or its sandbox), behind Purse's own interface. */
  payments: PaymentGateway;
  /**
   * Run inside the money transaction after every wallet move, after the built-in event hook
   * (events/money-transaction.ts). Features that react to balances (auto top-up) add theirs here.
   */
  walletHooks?: readonly WalletHook[];
  /**
   * Run inside the transaction that saves or removes a card (customers/card-events.ts). Auto top-up adds
   * its own here (a paused top-up resumes on a new card; the last card gone pauses it), so customers/
   * never imports auto-topup/.
   */
  cardHooks?: readonly CardHook[];
}

/** What a card change tells the features that depend on cards, inside the same transaction. */
export interface CardHook {
  cardSaved?(trx: Db, tenantId: string, nowMs: number): Promise<void>;
  lastCardRemoved?(trx: Db, tenantId: string, nowMs: number): Promise<void>;
}
