import { createPortalSession } from '../portal/create-portal-session.ts';
import type { Ctx } from '../context.ts';
import { flags, optional, output, required } from './args.ts';

/** `purse portal --tenant T [--return-url U] [--json]`: print a single-use billing page link (valid one hour). */
export async function portalCommand(ctx: Ctx, argv: string[]): Promise<number> {
  const { values } = flags(argv, { tenant: 'string', 'return-url': 'string', json: 'boolean' });
  const link = await createPortalSession(ctx, required(values, 'tenant'), { returnUrl: optional(values, 'return-url') });
  output(values, link, `${link.url}\n(opens once; expires ${link.expiresAt})`);
  return 0;
}
