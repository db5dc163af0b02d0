import type { Ctx } from '../context.ts';
import { adminCommand } from './admin.ts';
import { autoTopupCommand } from './auto-topup.ts';
import { ledgerCommand } from './ledger.ts';
import { reconcileCommand } from './reconcile.ts';

/** A command that runs against the database: returns the process exit code. */
export type CtxCommand = (ctx: Ctx, argv: string[]) => Promise<number>;

/** `purse <name> …` for every command that needs storage. Add a capability's command here. */
export const CTX_COMMANDS: Record<string, CtxCommand> = {
  migrate: async () => {
    process.stdout.write('migrations applied\n');
    return 0;
  },
  tenants: async (ctx, argv) => adminCommand(ctx, 'tenants', argv).then(() => 0),
  numbers: async (ctx, argv) => adminCommand(ctx, 'numbers', argv).then(() => 0),
  keys: async (ctx, argv) => adminCommand(ctx, 'keys', argv).then(() => 0),
  ledger: ledgerCommand,
  reconcile: reconcileCommand,
  'auto-topup': autoTopupCommand,
};
