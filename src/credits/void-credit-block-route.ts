import { Type } from 'typebox';
import { adminSecurity, errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { GRANT_REASON_LENGTH_MAX } from './grant-credit.ts';
import { voidCreditBlock } from './end-credit-block.ts';
import { CreditBlockSchema, ID_LENGTH_MAX } from './credit-route-kit.ts';

export const registerVoidCreditBlockRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/credits/:blockId/void', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Void a credit block: its remainder leaves the wallet', security: adminSecurity,
      params: Type.Object({ blockId: Type.String({ maxLength: ID_LENGTH_MAX }) }),
      body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: GRANT_REASON_LENGTH_MAX }) }, { additionalProperties: false }),
      response: { 200: CreditBlockSchema, ...errorResponses('NOT_FOUND', 'CREDIT_BLOCK_NOT_ACTIVE', 'INSUFFICIENT_FUNDS') },
    },
  }, async (request) => voidCreditBlock(ctx, request.params.blockId, request.body.reason));
};
