import { listFailedEvents } from '../stripe/inbox.ts';
import type { Ctx } from '../context.ts';
import { type Options, output } from './output.ts';

/** `purse events failed [--json]`: the Stripe events that exhausted their attempts (dead letters). */
export async function eventsFailed(ctx: Ctx, opts: Options): Promise<number> {
  const failed = await listFailedEvents(ctx);
  const human = failed.length === 0
    ? 'no failed Stripe events'
    : failed.map((e) => `${e.id}  ${e.type}  attempts ${e.attempts}  failed ${e.failedAt}  ${e.lastError ?? ''}`).join('\n');
  output(opts, failed, human);
  return 0;
}
