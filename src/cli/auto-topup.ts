import { setAutoTopup } from '../auto-topup/set-auto-topup.ts';
import { type AutoTopupView, readAutoTopup } from '../auto-topup/views.ts';
import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { UsageError, flags, optional, output, required } from './args.ts';

const EXIT_OK = 0;
const EXIT_REFUSED = 1;

/**
 * `purse auto-topup show --tenant T [--json]` and
 * `purse auto-topup set --tenant T --enabled true|false --threshold X (--amount A | --target-balance B) [--monthly-cap C] [--json]`:
 * the operator's view of a tenant's auto top-up, through the same service and validation as the API.
 */
export async function autoTopupCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const [action = '', ...rest] = argv;
  if (action === 'show') {
    const { values } = flags(rest, { tenant: 'string', json: 'boolean' });
    const view = await readAutoTopup(ctx, await knownTenant(ctx, required(values, 'tenant')));
    output(values, view, describe(view));
    return EXIT_OK;
  }
  if (action !== 'set') throw new UsageError(`unknown command: purse auto-topup ${action}`.trim());
  const { values } = flags(rest, {
    tenant: 'string', enabled: 'string', threshold: 'string', amount: 'string', 'target-balance': 'string', 'monthly-cap': 'string', json: 'boolean',
  });
  const enabled = required(values, 'enabled');
  if (enabled !== 'true' && enabled !== 'false') throw new UsageError('--enabled must be true or false');
  try {
    const view = await setAutoTopup(ctx, await knownTenant(ctx, required(values, 'tenant')), {
      enabled: enabled === 'true', threshold: required(values, 'threshold'), amount: optional(values, 'amount'),
      targetBalance: optional(values, 'target-balance'), monthlyCap: optional(values, 'monthly-cap'),
    });
    output(values, view, describe(view));
    return EXIT_OK;
  } catch (err) {
    if (!(err instanceof PurseError)) throw err;
    const detail = err.details?.map((d) => `${d.field} ${d.message}`).join('; ');
    process.stderr.write(`refused: ${err.code}${detail ? ` (${detail})` : ` (${err.message})`}\n`);
    return EXIT_REFUSED;
  }
}

async function knownTenant(ctx: Ctx, tenantId: string): Promise<string> {
  const row = await ctx.store.db.selectFrom('tenants').select('id').where('id', '=', tenantId).executeTakeFirst();
  if (!row) throw new UsageError(`no tenant ${tenantId}`);
  return row.id;
}

function describe(view: AutoTopupView): string {
  if (view.threshold === null) return 'auto top-up: never configured (off)';
  const charge = view.amount !== null ? `charge ${view.amount} ${view.currency}` : `top up to ${view.targetBalance} ${view.currency}`;
  const cap = view.monthlyCap === null ? 'no monthly cap' : `cap ${view.monthlyCap} ${view.currency}/month`;
  const lines = [
    `auto top-up: ${view.state}${view.pausedReason ? ` (${view.pausedReason})` : ''}`,
    `  below ${view.threshold} ${view.currency}: ${charge}; ${cap}; charged this month ${view.chargedThisMonth} ${view.currency}`,
  ];
  if (view.inFlight) lines.push(`  in flight: ${view.inFlight.id} ${view.inFlight.state} ${view.inFlight.amount} ${view.currency}`);
  if (view.recoveryUrl) lines.push(`  recovery link: ${view.recoveryUrl}`);
  return lines.join('\n');
}
