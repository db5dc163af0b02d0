import { listFailedEvents } from '../stripe/inbox.ts';
import type { Ctx } from '../context.ts';
import { UsageError, flags, output } from './args.ts';

/** `purse events failed [--json]`: the Stripe events that exhausted their attempts (dead letters). */
export async function eventsCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const [action = '', ...rest] = argv;
  if (action !== 'failed') throw new UsageError(`unknown command: purse events ${action}`.trim());
  const { values } = flags(rest, { json: 'boolean' });
  const failed = await listFailedEvents(ctx);
  const human = failed.length === 0
    ? 'no failed Stripe events'
    : failed.map((e) => `${e.id}  ${e.type}  attempts ${e.attempts}  failed ${e.failedAt}  ${e.lastError ?? ''}`).join('\n');
  output(values, failed, human);
  return 0;
}
