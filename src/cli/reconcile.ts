import { reconcileStripe } from '../stripe/reconcile.ts';
import type { Ctx } from '../context.ts';
import { flags, optional, output, UsageError } from './args.ts';

const SECONDS_PER_HOUR = 3600;

/** `purse reconcile [--hours N] [--json]`: the same run as `POST /v1/admin/reconcile`. */
export async function reconcileCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const { values } = flags(argv, { hours: 'string', json: 'boolean' });
  const hours = optional(values, 'hours');
  if (hours !== undefined && !/^\d{1,4}$/.test(hours)) throw new UsageError('--hours must be a whole number of hours');
  const report = await reconcileStripe(ctx, ...(hours ? [Number(hours) * SECONDS_PER_HOUR] : []));
  output(values, report, `looked at ${report.scanned} Stripe events, sessions and charges; recovered ${report.recovered}`);
  return 0;
}
