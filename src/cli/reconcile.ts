import { reconcileStripe } from '../stripe/reconcile.ts';
import type { Ctx } from '../context.ts';
import { type Options, UsageError, output, progress } from './output.ts';

const SECONDS_PER_HOUR = 3600;

/** `purse reconcile [--hours N] [--json]`: the same run as `POST /v1/admin/reconcile`. */
export async function reconcileCommand(ctx: Ctx, opts: Options): Promise<number> {
  const hours = typeof opts.hours === 'string' ? opts.hours : undefined;
  if (hours !== undefined && !/^\d{1,4}$/.test(hours)) throw new UsageError('--hours must be a whole number of hours');
  const shown = progress('reconcile');
  shown.step('listing Stripe events, sessions and charges');
  const report = await reconcileStripe(ctx, ...(hours ? [Number(hours) * SECONDS_PER_HOUR] : []));
  shown.done();
  output(opts, report, `looked at ${report.scanned} Stripe events, sessions and charges; recovered ${report.recovered}`);
  return 0;
}
