import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { type AuditActor, type AuditChange, auditWrite, redactSecrets } from '../audit/audit-log.ts';
import type { Ctx } from '../context.ts';

/**
 * A write from the server's shell (`purse adjust`, `purse tenants disable`, …) is audited like the admin
 * API's: actor `cli:<os user>` with the owner's role, the command as the action, its first argument (or
 * --tenant) as the target, its arguments and options (secret-looking ones left out) as "after". The entry
 * rides on the command's first commit (audit-log.ts auditWrite): the change and its entry commit together.
 */
export function cliActor(): AuditActor {
  return { actor: `cli:${osUser()}`, role: 'owner' };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry for this uid (some containers): the environment's name, if any.
    return process.env.USER ?? process.env.LOGNAME ?? String(process.getuid?.() ?? 'unknown');
  }
}

export function cliChange(command: Command): AuditChange {
  const words: string[] = [];
  for (let c: Command | null = command; c?.parent; c = c.parent) words.unshift(c.name());
  const { json: _json, ...options } = command.opts();
  const target = command.args[0] ?? (typeof options.tenant === 'string' ? options.tenant : undefined);
  return { action: `purse ${words.join(' ')}`, target, after: { args: command.args, options: redactSecrets(options) } };
}

export function auditedCommand<T>(ctx: Ctx, command: Command, run: () => Promise<T>): Promise<T> {
  return auditWrite(ctx, cliActor(), cliChange(command), run);
}
