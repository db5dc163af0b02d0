import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { PAGE_SIZE_DEFAULT, PAGE_SIZE_MAX, listTransactions } from './list-transactions.ts';
import { TRANSACTION_EXAMPLE, TransactionSchema } from './transaction-view.ts';

const LIMIT_TEXT_LENGTH_MAX = 6;
const CURSOR_LENGTH_MAX = 64;

const Query = Type.Object(
  {
    // Query strings stay strings (no type coercion); the service parses and bounds them.
    limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: LIMIT_TEXT_LENGTH_MAX, description: `1 to ${PAGE_SIZE_MAX}, default ${PAGE_SIZE_DEFAULT}` })),
    cursor: Type.Optional(Type.String({ maxLength: CURSOR_LENGTH_MAX, description: 'nextCursor from the previous page' })),
  },
  { additionalProperties: false },
);

const PageSchema = Type.Object({
  data: Type.Array(TransactionSchema),
  nextCursor: Type.Union([Type.String(), Type.Null()], { description: 'Pass as cursor for older transactions; null on the last page' }),
}, { examples: [{ data: [TRANSACTION_EXAMPLE], nextCursor: null }] });

export const registerTransactionsRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/transactions', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'List ledger transactions, newest first', security: tenantSecurity,
      querystring: Query,
      response: { 200: PageSchema, ...errorResponses('CURSOR_INVALID') },
    },
  }, async (request) => listTransactions(ctx, principalOf(request).tenantId, request.query));
};
