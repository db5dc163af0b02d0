/**
 * A Purse process for crash tests: stores one Stripe event in the inbox exactly as the webhook route does,
 * says so on stdout, then waits to be killed before processing it. DATABASE_URL names the test's database;
 * CRASH_NOW_MS is the test's clock; CRASH_EVENT the event's JSON.
 */
import { openCtx } from '../app.ts';
import { parseConfig } from '../config/config.ts';
import { recordEvent } from '../stripe/inbox.ts';
import { TEST_SECRETS } from './harness.ts';

const WAIT_FOREVER_MS = 60_000;
const payload = process.env.CRASH_EVENT ?? '';
const nowMs = Number(process.env.CRASH_NOW_MS);
const ctx = await openCtx(parseConfig({ PURSE_ENV: 'test', LOG_LEVEL: 'warn', DATABASE_URL: process.env.DATABASE_URL ?? '' }), { secrets: TEST_SECRETS, nowMs: () => nowMs });
const fresh = await recordEvent(ctx, JSON.parse(payload), payload);
process.stdout.write(`recorded ${fresh}\n`);
setInterval(() => {}, WAIT_FOREVER_MS);
