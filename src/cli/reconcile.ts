import { reconcileStripe } from '../stripe/reconcile.ts';
import type { Ctx } from '../context.ts';
import { type Options, UsageError, output, progress } from './output.ts';
import { StartupError, describeStripe, reasonOf } from './startup-errors.ts';

const SECONDS_PER_HOUR = 3600;
/** Stripe SDK errors that say "this Stripe cannot be used from here", not "this run found a bug". */
const STRIPE_UNUSABLE = new Set(['StripeConnectionError', 'StripeAuthenticationError', 'StripePermissionError']);

/** `purse reconcile [--hours N] [--json]`: the same run as `POST /v1/admin/reconcile`. */
export async function reconcileCommand(ctx: Ctx, opts: Options): Promise<number> {
  const hours = typeof opts.hours === 'string' ? opts.hours : undefined;
  if (hours !== undefined && !/^\d{1,4}$/.test(hours)) throw new UsageError('--hours must be a whole number of hours');
  const shown = progress('reconcile');
  shown.step('listing Stripe events, sessions and charges');
  let report;
  try {
    report = await reconcileStripe(ctx, ...(hours ? [Number(hours) * SECONDS_PER_HOUR] : []));
  } catch (err) {
    const e = err as { type?: string; detail?: unknown };
    // One line naming which Stripe and why (e.g. the sandbox is not running), not a stack trace.
    if (typeof e.type === 'string' && STRIPE_UNUSABLE.has(e.type)) throw new StartupError(`cannot reach ${describeStripe(ctx.config)}: ${reasonOf(e.detail ?? err)}`);
    throw err;
  } finally {
    shown.done();
  }
  output(opts, report, `looked at ${report.scanned} Stripe events, sessions and charges; recovered ${report.recovered}`);
  return 0;
}
