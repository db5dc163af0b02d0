import type { App } from '../api/kit.ts';
import type { Ctx } from '../context.ts';

/** Registers one console page or form action (one per file) on the console's scope, with its hidden, public route options. */
export type ConsolePageRegistrar = (app: App, ctx: Ctx, options: object) => void;
