import type { Writable } from 'node:stream';
import pino from 'pino';
import type { RouteRegistrar } from './api/kit.ts';
import { AUTO_TOPUP_CARD_HOOK } from './auto-topup/card-changes.ts';
import { startAutoTopupIfCrossed } from './auto-topup/trigger.ts';
import { receiptIssuer } from './receipts/issue-receipt.ts';
import { wakeEventsWaitingOnCredit } from './stripe/waiting-events.ts';
import type { Config } from './config/config.ts';
import { resolveSecrets } from './config/dev-secrets.ts';
import type { Ctx, Secrets } from './context.ts';
import type { JobTimers } from './jobs/scheduler.ts';
import { type OpenStoreOptions, openStore } from './store/db.ts';
import { migrateToLatest } from './store/migrate.ts';
import type { PaymentGateway } from './gateway/payment-gateway.ts';
import { gatewayFromConfig } from './gateway/stripe-gateway.ts';

export interface CreatePurseOptions {
  logStream?: Writable;
  nowMs?: () => number;
  secrets?: Secrets;
  store?: OpenStoreOptions;
  payments?: PaymentGateway;
  /** Routes beyond the product's own (tests use this to provoke failures). */
  extraRoutes?: RouteRegistrar[];
  /**
   * The background jobs (jobs/jobs.ts) start with the app by default, so every way of running Purse runs
   * them. `false` leaves them off (tests that drive each job themselves); `timers` replaces real intervals.
   */
  jobs?: false | { timers?: JobTimers };
}

/**
 * Storage (migrated), secrets, clock and logger: what the CLI needs without an HTTP server. Kept apart
 * from app.ts so that a CLI command never loads the HTTP stack.
 */
export async function openCtx(config: Config, opts: CreatePurseOptions = {}): Promise<Ctx> {
  const log = pino({ level: config.logLevel }, opts.logStream ?? process.stderr);
  // Only a writer lost after one was found is a failover; a database down at start-up is a start-up error.
  let hadWriter = false;
  const store = openStore(config.databaseUrl, {
    failoverTimeoutMs: config.dbFailoverTimeoutMs,
    readUrl: config.databaseReadUrl,
    readReplicaMaxLagMs: config.readReplicaMaxLagMs,
    onFailover: (event, detail) => {
      if (event === 'writer-found') {
        if (hadWriter) log.warn(detail, 'PostgreSQL: writable host found');
        hadWriter = true;
      } else if (event === 'writer-lost') {
        if (hadWriter) log.warn(detail, 'PostgreSQL: writable host lost; looking for the writer again');
      } else log.error(detail, 'PostgreSQL: no writable host within PURSE_DB_FAILOVER_TIMEOUT_MS; still looking');
    },
    ...opts.store,
  });
  try {
    await migrateToLatest(store);
  } catch (err) {
    await store.close().catch(() => {});
    throw err;
  }
  const secrets = opts.secrets ?? resolveSecrets(config).secrets;
  const payments = opts.payments ?? gatewayFromConfig(config);
  // Receipts (issue 22) are issued in the crediting transaction; auto top-up reacts to wallet moves inside the money transaction (events/money-transaction.ts).
  return { config, store, secrets, nowMs: opts.nowMs ?? Date.now, log, payments, walletHooks: [receiptIssuer(config), startAutoTopupIfCrossed, wakeEventsWaitingOnCredit], cardHooks: [AUTO_TOPUP_CARD_HOOK] };
}
