import { Type } from 'typebox';
import { errorResponses, principalOf, type RouteRegistrar, tenantSecurity } from '../api/kit.ts';
import { listCreditBlocks } from './list-credit-blocks.ts';
import { CreditBlockSchema, ID_LENGTH_MAX, nullable, TEXT_LENGTH_MAX } from './credit-route-kit.ts';

export const registerListCreditBlocksRoute: RouteRegistrar = (app, ctx) => {
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
