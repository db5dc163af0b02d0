import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { readTransaction } from './read-transaction.ts';
import { TRANSACTION_DETAIL_EXAMPLE, TransactionDetailSchema } from './transaction-view.ts';

const TRANSACTION_ID_LENGTH_MAX = 64;
const Params = Type.Object({ id: Type.String({ maxLength: TRANSACTION_ID_LENGTH_MAX, description: 'The transaction id, txn_…' }) });

export const registerReadTransactionRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/transactions/:id', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'Read a ledger transaction and the credit blocks it moved', security: tenantSecurity,
      operationId: 'get_billing_transaction',
      params: Params,
      response: { 200: { ...TransactionDetailSchema, examples: [TRANSACTION_DETAIL_EXAMPLE] }, ...errorResponses('NOT_FOUND') },
    },
  }, async (request) => readTransaction(ctx, principalOf(request).tenantId, request.params.id));
};
