import { reconcileEvents } from '../stripe/reconcile.ts';
import type { Ctx } from '../context.ts';
import { flags, optional, output, UsageError } from './args.ts';

const SECONDS_PER_HOUR = 3600;

/** `purse reconcile [--hours N] [--json]`: replay Stripe events Purse never received. */
export async function reconcileCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const { values } = flags(argv, { hours: 'string', json: 'boolean' });
  const hours = optional(values, 'hours');
  if (hours !== undefined && !/^\d{1,4}$/.test(hours)) throw new UsageError('--hours must be a whole number of hours');
  const report = await reconcileEvents(ctx, ...(hours ? [Number(hours) * SECONDS_PER_HOUR] : []));
  output(values, report, `looked at ${report.seen} Stripe events, recovered ${report.recovered}`);
  return 0;
}
