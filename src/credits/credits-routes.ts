import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { GRANT_REASON_LENGTH_MAX, GRANT_REFERENCE_LENGTH_MAX, grantCredit } from './grant-credit.ts';
import { voidCreditBlock } from './end-credit-block.ts';
import { listCreditBlocks } from './list-credit-blocks.ts';
import { creditsReport } from './credits-report.ts';

const ID_LENGTH_MAX = 64;
const TEXT_LENGTH_MAX = 64;

const nullable = <T extends Parameters<typeof Type.Union>[0][number]>(s: T) => Type.Union([s, Type.Null()]);

export const CreditBlockSchema = Type.Object({
  id: Type.String({ description: 'cb_…' }),
  category: Type.String({ description: 'purchased | promotional | adjustment' }),
  currency: Type.String(),
  amount: Type.Number({ description: 'As granted or bought (major units)' }),
  remaining: Type.Number({ description: 'What is left (major units)' }),
  costBasis: nullable(Type.Number({ description: 'What the customer paid for it, excluding tax; 0 for a grant' })),
  priority: Type.Integer({ description: 'Lower draws first' }),
  expiresAt: nullable(Type.String({ format: 'date-time' })),
  createdAt: Type.String({ format: 'date-time' }),
  status: Type.String({ description: 'active | expired | depleted | voided' }),
  source: Type.Object({ orderId: Type.Optional(Type.String()), attemptId: Type.Optional(Type.String()), reason: Type.Optional(Type.String()) }),
});

const SplitSchema = Type.Object({ purchased: Type.Number(), promotional: Type.Number(), other: Type.Number() });
const ReportSchema = Type.Object({
  month: Type.String(),
  currencies: Type.Array(Type.Object({
    currency: Type.String(), opening: Type.Number(), purchased: Type.Number(), granted: Type.Number(), consumed: SplitSchema,
    expired: SplitSchema, voided: Type.Number(), clawedBack: Type.Number(), adjusted: Type.Number(), closing: Type.Number(),
  })),
});

const GrantBody = Type.Object({
  amount: Type.Optional(Type.Unknown({ description: 'Major units, string or number, positive', examples: ['10.00'] })),
  category: Type.Optional(Type.String({ maxLength: TEXT_LENGTH_MAX, description: 'Only "promotional"' })),
  expiresAt: Type.Optional(Type.String({ maxLength: TEXT_LENGTH_MAX, description: 'ISO 8601, in the future' })),
  priority: Type.Optional(Type.Unknown({ description: 'Whole number, lower draws first (default 10)' })),
  reason: Type.String({ minLength: 1, maxLength: GRANT_REASON_LENGTH_MAX }),
  reference: Type.Optional(Type.String({ minLength: 1, maxLength: GRANT_REFERENCE_LENGTH_MAX, description: 'Makes a retry safe: the same reference grants once' })),
}, { additionalProperties: false });

/** issue 21: grants and voids (admin), the tenant's list of its blocks. */
export const registerCreditRoutes: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/credits', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Grant promotional credit (a credit block, optionally expiring)', security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: ID_LENGTH_MAX }) }),
      body: GrantBody,
      response: { 201: CreditBlockSchema, 200: CreditBlockSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'EXPIRES_AT_INVALID', 'PRIORITY_INVALID', 'NOT_FOUND', 'IDEMPOTENCY_KEY_REUSED') },
    },
  }, async (request, reply) => {
    const { created, block } = await grantCredit(ctx, request.params.tenantId, request.body);
    return reply.status(created ? 201 : 200).send(block);
  });
  app.post('/v1/admin/credits/:blockId/void', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Void a credit block: its remainder leaves the wallet', security: adminSecurity,
      params: Type.Object({ blockId: Type.String({ maxLength: ID_LENGTH_MAX }) }),
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: GRANT_REASON_LENGTH_MAX }) }, { additionalProperties: false }),
      response: { 200: CreditBlockSchema, ...errorResponses('NOT_FOUND', 'CREDIT_BLOCK_NOT_ACTIVE', 'INSUFFICIENT_FUNDS') },
    },
  }, async (request) => voidCreditBlock(ctx, request.params.blockId, request.body.reason));
  app.get('/v1/admin/reports/credits', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Prepaid credit report for a month: opening, purchased, granted, consumed, expired (breakage), clawed back, closing', security: adminSecurity,
      querystring: Type.Object({ month: Type.String({ maxLength: 7, description: 'YYYY-MM (UTC)' }) }, { additionalProperties: false }),
      response: { 200: ReportSchema, ...errorResponses('VALIDATION_ERROR') },
    },
  }, async (request) => creditsReport(ctx, request.query.month));
  app.get('/v1/billing/credits', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'List the wallet\'s credit blocks', security: tenantSecurity,
      querystring: Type.Object({
        status: Type.Optional(Type.String({ maxLength: TEXT_LENGTH_MAX, description: 'active | expired | depleted | voided' })),
        cursor: Type.Optional(Type.String({ maxLength: ID_LENGTH_MAX })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ data: Type.Array(CreditBlockSchema), nextCursor: nullable(Type.String()) }), ...errorResponses('VALIDATION_ERROR') },
    },
  }, async (request) => listCreditBlocks(ctx, principalOf(request).tenantId, request.query));
};
