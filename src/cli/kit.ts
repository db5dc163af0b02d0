import type { Command } from 'commander';
import type { Ctx } from '../context.ts';
import type { Options } from './output.ts';

/** A command that runs against the database; resolves to its exit code (0 when void). */
export type CtxHandler = (ctx: Ctx, opts: Options, args: string[]) => Promise<number | void>;
/** A command that manages its own resources (serve, migrate, doctor, sandbox). */
export type PlainHandler = (opts: Options, args: string[]) => Promise<number | void>;
export type Action = (...params: unknown[]) => Promise<void>;

export interface CommandKit {
  withCtx(load: () => Promise<CtxHandler>): Action;
  /** withCtx for a command that writes: audited as actor `cli:<os user>` (cli-audit.ts). */
  audited(load: () => Promise<CtxHandler>): Action;
  plain(load: () => Promise<PlainHandler>): Action;
  group(program: Command, name: string, description: string): Command;
  /** `command(program, 'webhooks list')`: the subcommand `list` of group `webhooks` (created if new). */
  command(program: Command, words: string): Command;
}

