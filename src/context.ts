import type { Config } from './config/config.ts';
import type { WalletHook } from './events/money-moved.ts';
import type { Store } from './store/db.ts';
import type { StripeGateway } from './stripe/gateway.ts';

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

/** What every service receives: storage, settings, secrets, a clock and a logger. No globals. */
export interface Ctx {
  config: Config;
  store: Store;
  secrets: Secrets;
  nowMs(): number;
  log: Logger;
  stripe: StripeGateway;
  /**
   * Run inside the money transaction after every wallet move, after the built-in event hook
   * (events/money-transaction.ts). Features that react to balances (auto top-up) add theirs here.
   */
  walletHooks?: readonly WalletHook[];
}
