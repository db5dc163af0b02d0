import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { grantCredit } from './grant-credit.ts';
import { CreditBlockSchema, GrantBody, ID_LENGTH_MAX } from './credit-route-kit.ts';

export const registerGrantCreditRoute: RouteRegistrar = (app, ctx) => {
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
};
