import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { TRANSACTION_EXAMPLE, TransactionSchema } from './transaction-view.ts';
import { captureHold } from './capture-hold.ts';
import { HOLD_AUTH, HoldParams, emptyBodyAsObject } from './hold-route-kit.ts';
import { HOLD_EXAMPLE, HoldSchema } from './hold-view.ts';
import { amountField } from './spend-input.ts';
import { WALLET_EXAMPLE, WalletSchema } from './wallet-route.ts';

const CAPTURED_EXAMPLE = {
  hold: { ...HOLD_EXAMPLE, state: 'captured', captured: 12.5, captureTransactionId: 'txn_01JD8ZS8C0D2E4F6G8H0J2K4M6' },
  transaction: { ...TRANSACTION_EXAMPLE, id: 'txn_01JD8ZS8C0D2E4F6G8H0J2K4M6', reference: `hold:${HOLD_EXAMPLE.id}:capture`, kind: 'hold_capture', amount: -12.5, balanceAfter: 37.25, description: 'call in progress', metadata: null },
  wallet: { ...WALLET_EXAMPLE, balance: 37.25, held: 0, available: 37.25 },
};
const CaptureResult = Type.Object({ hold: HoldSchema, transaction: TransactionSchema, wallet: WalletSchema }, { examples: [CAPTURED_EXAMPLE] });
const CaptureBody = Type.Object(
  { amount: Type.Optional(amountField('How much to take, at most the held amount; the whole hold when absent (the rest is released). ')) },
  { additionalProperties: false },
);

export const registerCaptureHoldRoute: RouteRegistrar = (app, ctx) => {
  app.post('/v1/billing/holds/:id/capture', {
    config: { auth: HOLD_AUTH },
    schema: {
      tags: ['Billing'], summary: 'Capture a hold, fully or partly', security: tenantSecurity, operationId: 'post_billing_hold_capture',
      description: 'Debits the captured amount and releases the whole reservation in one ledger transaction. Repeating the same capture ' +
        'returns the hold; a hold voided, expired (even if not yet swept) or captured for another amount is 409 HOLD_NOT_ACTIVE.',
      params: HoldParams,
      body: CaptureBody,
      response: { 200: CaptureResult, ...errorResponses('AMOUNT_INVALID', 'NOT_FOUND', 'HOLD_NOT_ACTIVE') },
    },
    preValidation: emptyBodyAsObject,
  }, async (request) => captureHold(ctx, principalOf(request), request.params.id, request.body));
};
