import { createPortalSession } from '../portal/create-portal-session.ts';
import type { Ctx } from '../context.ts';
import { type Options, output } from './output.ts';

/** `purse portal --tenant T [--return-url U] [--json]`: print a single-use billing page link (valid one hour). */
export async function portalCommand(ctx: Ctx, opts: Options): Promise<number> {
  const returnUrl = typeof opts.returnUrl === 'string' ? opts.returnUrl : undefined;
  const link = await createPortalSession(ctx, String(opts.tenant), { returnUrl });
  output(opts, link, `${link.url}\n(opens once; expires ${link.expiresAt})`);
  return 0;
}
