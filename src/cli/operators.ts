import { createOperator, disableOperator, listOperators, resetOperatorPassword } from '../operators/manage-operators.ts';
import type { Ctx } from '../context.ts';
import { cliActor } from './cli-audit.ts';
import { type Options, output } from './output.ts';

/** `purse operators …`: console accounts. Run from the server's shell, audited as actor `cli:<os user>` (manage-operators.ts writes the entries). */
const CLI_ACTOR = cliActor();

export async function operatorsCreate(ctx: Ctx, opts: Options): Promise<number> {
  const link = await createOperator(ctx, CLI_ACTOR, { email: opts.email, role: opts.role });
  output(opts, link, `${link.operator.email} (${link.operator.role}): set the password at\n${link.url}\n(opens once; expires ${link.expiresAt})`);
  return 0;
}

export async function operatorsList(ctx: Ctx, opts: Options): Promise<number> {
  const all = await listOperators(ctx);
  output(opts, all, all.length === 0 ? 'no operators' : all.map((o) => `${o.id}  ${o.email}  ${o.role}  ${o.status}${o.hasPassword ? '' : '  (password not set)'}`).join('\n'));
  return 0;
}

export async function operatorsDisable(ctx: Ctx, opts: Options, args: string[]): Promise<number> {
  const operator = await disableOperator(ctx, CLI_ACTOR, String(args[0]));
  output(opts, operator, `${operator.email} disabled; its sessions ended`);
  return 0;
}

export async function operatorsResetPassword(ctx: Ctx, opts: Options, args: string[]): Promise<number> {
  const link = await resetOperatorPassword(ctx, CLI_ACTOR, String(args[0]));
  output(opts, link, `${link.operator.email}: old password and sessions ended; set a new one at\n${link.url}\n(opens once; expires ${link.expiresAt})`);
  return 0;
}
