import { afterAll, beforeAll } from 'vitest';
import { type Call, type TestTenant, asKey, setupTenant } from './api.ts';
import { type TestPurse, startTestPurse } from './harness.ts';
import { fundWallet } from './ledger.ts';

/**
 * The setup shared by the hold tests (src/wallet/holds-*.test.ts): one Purse per file with a clock the test
 * moves, short configured lifetimes, a funded tenant `acme`, and the hold routes as one-line calls.
 */
export const HOLDS_START_MS = Date.UTC(2026, 0, 15, 9, 0, 0);
export const SECOND_MS = 1000;
export const DEFAULT_EXPIRES_SECONDS = 900;
export const MAX_EXPIRES_SECONDS = 3600;

export interface WalletBalances { currency: string; balance: number; held: number; available: number }

/** Methods are arrow properties so a test file may destructure them. */
export class HoldsRig {
  purse!: TestPurse;
  acme!: TestTenant;
  private clockMs = HOLDS_START_MS;
  private keyCounter = 0;

  nowMs = (): number => this.clockMs;
  advanceMs = (ms: number): void => {
    this.clockMs += ms;
  };

  place = (secret: string, body: unknown, idempotencyKey?: string): Promise<Call> =>
    asKey(this.purse, secret, 'POST', '/v1/billing/holds', body, idempotencyKey ? { 'idempotency-key': idempotencyKey } : {});
  capture = (secret: string, holdId: string, body?: unknown): Promise<Call> =>
    asKey(this.purse, secret, 'POST', `/v1/billing/holds/${holdId}/capture`, body);
  voidIt = (secret: string, holdId: string): Promise<Call> => asKey(this.purse, secret, 'POST', `/v1/billing/holds/${holdId}/void`);
  read = (secret: string, holdId: string): Promise<Call> => asKey(this.purse, secret, 'GET', `/v1/billing/holds/${holdId}`);

  /** The balances only; the auto top-up summary beside them is tested in auto-topup/. */
  walletOf = async (tenant: TestTenant): Promise<WalletBalances> => {
    const { autoTopup: _autoTopup, expiring: _expiring, ...balances } = (await asKey(this.purse, tenant.tenantKey, 'GET', '/v1/billing/wallet')).body;
    return balances as WalletBalances;
  };
  fundedTenant = async (amount: number): Promise<TestTenant> => {
    const tenant = await setupTenant(this.purse);
    await fundWallet(this.purse, tenant.tenantId, amount);
    return tenant;
  };
  usage = (secret: string, amount: number | string): Promise<Call> => {
    this.keyCounter += 1;
    return asKey(this.purse, secret, 'POST', '/v1/billing/usage', { amount }, { 'idempotency-key': `hold-test-${this.keyCounter}` });
  };

  async start(): Promise<void> {
    this.purse = await startTestPurse(
      { RATE_LIMIT_PER_MINUTE: '1000000', HOLD_EXPIRES_SECONDS_DEFAULT: String(DEFAULT_EXPIRES_SECONDS), HOLD_EXPIRES_SECONDS_MAX: String(MAX_EXPIRES_SECONDS) },
      { nowMs: () => this.clockMs },
    );
    this.acme = await setupTenant(this.purse);
    await fundWallet(this.purse, this.acme.tenantId, 1000);
  }
}

/** A rig started before the file's tests and closed after them. */
export function useHoldsRig(): HoldsRig {
  const rig = new HoldsRig();
  beforeAll(() => rig.start());
  afterAll(async () => {
    await rig.purse?.close();
  });
  return rig;
}
