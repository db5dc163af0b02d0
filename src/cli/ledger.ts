import { CREDIT_LEDGER_CHECKS } from '../credits/credit-checks.ts';
import { RECEIPT_LEDGER_CHECKS } from '../receipts/receipt-checks.ts';
import { type LedgerCheck, verifyLedger } from '../ledger/verify-ledger.ts';
import { HOLD_LEDGER_CHECKS } from '../wallet/hold-checks.ts';
import { REFUND_LEDGER_CHECKS } from '../refunds/refund-checks.ts';
import type { Ctx } from '../context.ts';
import { type Options, progress } from './output.ts';

const EXIT_OK = 0;
const EXIT_INVARIANT_BROKEN = 1;

/**
 * Invariants owned by other capabilities (e.g. holds: held_minor equals the active holds). The ledger
 * may not import them, the command line may: add a capability's checks here.
 */
export const CAPABILITY_LEDGER_CHECKS: readonly LedgerCheck[] = [...HOLD_LEDGER_CHECKS, ...REFUND_LEDGER_CHECKS, ...CREDIT_LEDGER_CHECKS, ...RECEIPT_LEDGER_CHECKS];

/** `purse ledger verify [--json]`: exit 0 only if every invariant holds. */
export async function ledgerVerify(ctx: Ctx, opts: Options): Promise<number> {
  const shown = progress('ledger verify');
  const report = await verifyLedger(ctx.store.db, CAPABILITY_LEDGER_CHECKS, (name, index, total) => shown.step(`${index + 1}/${total} ${name}`));
  shown.done();
  if (opts.json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    const lines = report.checks.map((c) => `${c.ok ? '✓' : '✗'} ${c.name}${c.detail ? ` — ${c.detail}` : ''}`);
    lines.push(report.ok ? 'ledger verified: every invariant holds' : 'ledger verification FAILED');
    process.stdout.write(lines.join('\n') + '\n');
  }
  return report.ok ? EXIT_OK : EXIT_INVARIANT_BROKEN;
}
