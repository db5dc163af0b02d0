import { type LedgerCheck, verifyLedger } from '../ledger/verify-ledger.ts';
import { HOLD_LEDGER_CHECKS } from '../wallet/hold-checks.ts';
import { REFUND_LEDGER_CHECKS } from '../refunds/refund-checks.ts';
import type { Ctx } from '../context.ts';
import { UsageError, flags } from './args.ts';

const EXIT_OK = 0;
const EXIT_INVARIANT_BROKEN = 1;

/**
 * Invariants owned by other capabilities (e.g. holds: held_minor equals the active holds). The ledger
 * may not import them, the command line may: add a capability's checks here.
 */
export const CAPABILITY_LEDGER_CHECKS: readonly LedgerCheck[] = [...HOLD_LEDGER_CHECKS, ...REFUND_LEDGER_CHECKS];

/** `purse ledger verify [--json]`: exit 0 only if every invariant holds. */
export async function ledgerCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const [action = '', ...rest] = argv;
  if (action !== 'verify') throw new UsageError(`unknown command: purse ledger ${action}`.trim());
  const { values } = flags(rest, { json: 'boolean' });
  const report = await verifyLedger(ctx.store.db, CAPABILITY_LEDGER_CHECKS);
  if (values.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const lines = report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
    lines.push(report.ok ? 'ledger verified: every invariant holds' : 'ledger verification FAILED');
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.ok ? EXIT_OK : EXIT_INVARIANT_BROKEN;
}
