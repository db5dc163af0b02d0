import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { TransactionSchema } from './transaction-view.ts';
import { debitUsage } from './debit-usage.ts';
import { amountField, DescriptionField, MetadataField, NumberIdField } from './spend-input.ts';
import { TRANSACTION_EXAMPLE } from './transaction-view.ts';
import { WALLET_EXAMPLE, WalletSchema } from './wallet-route.ts';

const Body = Type.Object(
  {
    amount: Type.Optional(amountField()),
    description: Type.Optional(DescriptionField),
    numberId: Type.Optional(NumberIdField),
    metadata: Type.Optional(MetadataField),
  },
  { additionalProperties: false, examples: [{ amount: '0.25', description: '5 SMS', metadata: { campaign: 'spring' } }] },
);

const Headers = Type.Object({
  'idempotency-key': Type.Optional(Type.String({
    description: 'Required. Becomes the ledger reference (per tenant): a retry never debits twice and gets the first result; ' +
      'the same key with a different request is 409 IDEMPOTENCY_KEY_REUSED.',
  })),
});

const ResultSchema = Type.Object(
  { transaction: TransactionSchema, wallet: WalletSchema },
  { examples: [{ transaction: TRANSACTION_EXAMPLE, wallet: { ...WALLET_EXAMPLE, held: 0, available: 49.75 } }] },
);

export const registerUsageRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/usage', {
    config: { auth: { kind: 'tenant', scope: 'any', permission: 'usage:write' } },
    schema: {
      tags: ['Billing'],
      summary: 'Debit usage from the wallet now',
      description: 'Takes the amount from the available balance (balance − held) in one ledger transaction; 402 INSUFFICIENT_FUNDS, ' +
        'with nothing written, if it would overdraw. A number-scoped key attributes usage to its own number (naming another is 403 ' +
        'NUMBER_SCOPE_NOT_ALLOWED); a tenant key may name one of its numbers (an unknown one is 404). 201 for the debit, 200 for a retry.',
      operationId: 'post_billing_usage',
      security: tenantSecurity,
      headers: Headers,
      body: Body,
      response: { 201: ResultSchema, 200: ResultSchema, ...errorResponses('AMOUNT_REQUIRED', 'AMOUNT_INVALID', 'NUMBER_SCOPE_NOT_ALLOWED', 'NOT_FOUND', 'INSUFFICIENT_FUNDS', 'IDEMPOTENCY_KEY_REQUIRED', 'IDEMPOTENCY_KEY_REUSED') },
    },
  }, async (request, reply) => {
    const { created, ...result } = await debitUsage(ctx, principalOf(request), request.body, request.headers['idempotency-key']);
    return reply.status(created ? 201 : 200).send(result);
  });
};
