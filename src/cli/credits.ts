import type { Ctx } from '../context.ts';
import { voidCreditBlock } from '../credits/end-credit-block.ts';
import { grantCredit } from '../credits/grant-credit.ts';
import { listCreditBlocks } from '../credits/list-credit-blocks.ts';
import { type Options, output } from './output.ts';

const text = (v: unknown) => (typeof v === 'string' ? v : undefined);

/** `purse credits grant`: POST /v1/admin/tenants/:id/credits (same validation; --reference makes a retry safe). */
export async function creditsGrant(ctx: Ctx, opts: Options): Promise<void> {
  const priority = text(opts.priority);
  const { created, block } = await grantCredit(ctx, String(opts.tenant), {
    amount: String(opts.amount), reason: String(opts.reason), reference: text(opts.reference), expiresAt: text(opts.expiresAt),
    ...(priority === undefined ? {} : { priority: /^\d+$/.test(priority) ? Number(priority) : priority }),
  });
  output(opts, block, `${created ? 'granted' : 'already granted under this reference:'} ${block.amount} ${block.currency} as ${block.id}${block.expiresAt ? `, expires ${block.expiresAt}` : ''}`);
}

/** `purse credits list`: a tenant's credit blocks, as GET /v1/billing/credits shows them. */
export async function creditsList(ctx: Ctx, opts: Options): Promise<void> {
  const page = await listCreditBlocks(ctx, String(opts.tenant), { status: text(opts.status) });
  const lines = page.data.map((b) => `${b.id}  ${b.category.padEnd(11)} ${b.remaining}/${b.amount} ${b.currency}  ${b.status}${b.expiresAt ? `  expires ${b.expiresAt}` : ''}`);
  output(opts, page, lines.length > 0 ? lines.join('\n') : 'no credit blocks');
}

/** `purse credits void <blockId>`: POST /v1/admin/credits/:id/void. */
export async function creditsVoid(ctx: Ctx, opts: Options, [blockId]: string[]): Promise<void> {
  const block = await voidCreditBlock(ctx, blockId!, String(opts.reason));
  output(opts, block, `voided ${block.id}`);
}
