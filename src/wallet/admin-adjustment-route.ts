import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { ADJUSTMENT_REFERENCE_LENGTH_MAX, REASON_LENGTH_MAX, adjustWallet } from './adjust-wallet.ts';
import { TransactionSchema } from './transaction-view.ts';

const TENANT_ID_LENGTH_MAX = 64;

const Body = Type.Object(
  {
    // Left untyped here so a wrong type answers AMOUNT_INVALID like any other bad amount.
    amount: Type.Optional(Type.Unknown({ description: 'Major units, string or number; negative takes money out', examples: ['10.50', -5] })),
    reason: Type.String({ minLength: 1, maxLength: REASON_LENGTH_MAX, description: 'Why; shown in the tenant history' }),
    reference: Type.Optional(Type.String({ minLength: 1, maxLength: ADJUSTMENT_REFERENCE_LENGTH_MAX, description: 'Makes a retry safe: the same reference adjusts once' })),
    allowNegative: Type.Optional(Type.Boolean({ description: 'Let a negative adjustment take the available balance below zero' })),
  },
  { additionalProperties: false },
);

const ResultSchema = Type.Object({
  transaction: TransactionSchema,
  wallet: Type.Object({ currency: Type.String(), balance: Type.Number(), held: Type.Number(), available: Type.Number() }),
});

export const registerAdminAdjustmentRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants/:tenantId/adjustments', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Adjust a wallet by hand (a ledger transaction with a reason)', security: adminSecurity,
      params: Type.Object({ tenantId: Type.String({ maxLength: TENANT_ID_LENGTH_MAX }) }),
      body: Body,
      response: { 201: ResultSchema, 200: ResultSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'INSUFFICIENT_FUNDS', 'NOT_FOUND', 'CONFLICT') },
    },
  }, async (request, reply) => {
    const { created, ...result } = await adjustWallet(ctx, request.params.tenantId, request.body);
    // 201 for the movement, 200 for a replay of the same reference.
    return reply.status(created ? 201 : 200).send(result);
  });
};
