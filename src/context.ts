import type { Config } from './config/config.ts';
import type { Store } from './store/db.ts';
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
}
