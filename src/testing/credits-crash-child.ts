/**
 * A Purse process for credit-block crash tests (issue 21): arms a crash point (CRASH_AT, `point@n`), then runs
 * CRASH_WORK — `expire` (the expiry job at CRASH_NOW_MS) or `grant` (CRASH_GRANT: tenant id and body as JSON)
 * — and SIGKILLs itself at the point. DATABASE_URL names the test's database.
 */
import { openCtx } from '../app.ts';
import { parseConfig } from '../config/config.ts';
import { expireCreditBlocks } from '../credits/end-credit-block.ts';
import { grantCredit } from '../credits/grant-credit.ts';
import { type CrashPoint, armCrashPoint } from '../store/crash-points.ts';
import { TEST_SECRETS } from './harness.ts';

const nowMs = Number(process.env.CRASH_NOW_MS);
const [point, hit] = (process.env.CRASH_AT ?? '').split('@');
const ctx = await openCtx(parseConfig({ PURSE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: process.env.DATABASE_URL ?? '' }), { secrets: TEST_SECRETS, nowMs: () => nowMs });
armCrashPoint({ point: point as CrashPoint, hit: Number(hit ?? '1') });
if (process.env.CRASH_WORK === 'expire') {
  await expireCreditBlocks(ctx);
} else {
  const { tenantId, body } = JSON.parse(process.env.CRASH_GRANT ?? '{}') as { tenantId: string; body: { reason: string } };
  await grantCredit(ctx, tenantId, body);
}
process.stdout.write('finished without crashing\n');
process.exit(0);
