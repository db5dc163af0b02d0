import { setAutoTopup } from '../auto-topup/set-auto-topup.ts';
import { type AutoTopupView, readAutoTopup } from '../auto-topup/views.ts';
import { PurseError } from '../errors/purse-error.ts';
import type { Ctx } from '../context.ts';
import { type Options, UsageError, output } from './output.ts';

const EXIT_OK = 0;
const EXIT_REFUSED = 1;

/**
 * `purse auto-topup show --tenant T [--json]` and
 * `purse auto-topup set --tenant T --enabled true|false --threshold X (--amount A | --target-balance B) [--monthly-cap C] [--json]`:
 * the operator's view of a tenant's auto top-up, through the same service and validation as the API.
 */
const text = (opts: Options, name: string) => (typeof opts[name] === 'string' ? (opts[name] as string) : undefined);

/** `purse auto-topup show --tenant T [--json]` */
export async function autoTopupShow(ctx: Ctx, opts: Options): Promise<number> {
  const view = await readAutoTopup(ctx, await knownTenant(ctx, String(opts.tenant)));
  output(opts, view, describe(view));
  return EXIT_OK;
}

/**
 * `purse auto-topup set --tenant T --enabled true|false --threshold X (--amount A | --target-balance B) [--monthly-cap C] [--json]`:
 * the operator's view of a tenant's auto top-up, through the same service and validation as the API.
 */
export async function autoTopupSet(ctx: Ctx, opts: Options): Promise<number> {
  const enabled = String(opts.enabled);
  if (enabled !== 'true' && enabled !== 'false') throw new UsageError('--enabled must be true or false');
  try {
    const view = await setAutoTopup(ctx, await knownTenant(ctx, String(opts.tenant)), {
      enabled: enabled === 'true', threshold: String(opts.threshold), amount: text(opts, 'amount'),
      targetBalance: text(opts, 'targetBalance'), monthlyCap: text(opts, 'monthlyCap'),
    });
    output(opts, view, describe(view));
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
