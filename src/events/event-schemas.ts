import { type TSchema, Type } from 'typebox';
import { EVENT_TYPES, type EventType } from './catalog.ts';

/** Each event type's `data` (SPEC §8.3): published as the OpenAPI 3.1 `webhooks` section and in docs/events.md. */
const money = (description: string) => Type.Number({ description: `${description} (major units)` });
const nullable = (schema: TSchema) => Type.Union([schema, Type.Null()]);
const wallet = {
  currency: Type.String({ description: 'ISO 4217' }),
  balance: money('Balance after the change'),
  held: money('Held by active holds'),
  available: money('balance − held'),
};
const topup = { orderId: Type.String({ description: 'cto_…' }), amount: nullable(money('Top-up amount')), currency: Type.String() };
const attempt = { attemptId: Type.String({ description: 'atu_…' }), amount: money('The charge'), currency: Type.String() };
/** The credit a refunded or disputed charge paid for: a Checkout top-up (orderId) or an auto top-up (attemptId); the other is null. */
const creditIds = {
  orderId: nullable(Type.String({ description: 'cto_… when the charge was a Checkout top-up, else null' })),
  attemptId: nullable(Type.String({ description: 'atu_… when the charge was an auto top-up (off-session or its recovery page), else null' })),
};
const failure = Type.Object({ code: Type.String(), message: Type.String() });

/** issue 21: a credit block as events carry it. */
const block = {
  blockId: Type.String({ description: 'cb_…' }), category: Type.String(), currency: Type.String(),
  amount: money('The block as granted or bought'), remaining: money('What is left in it'),
  expiresAt: nullable(Type.String({ format: 'date-time' })),
};

export const EVENT_DATA_SCHEMAS: Record<EventType, TSchema> = {
  // issue 21: credit blocks
  'credit.granted': Type.Object({ ...block, transactionId: Type.String(), reason: nullable(Type.String()) }),
  'credit.expiring': Type.Object(block),
  'credit.expired': Type.Object({ ...block, expired: money('What left the wallet'), transactionId: nullable(Type.String()) }),
  'credit.voided': Type.Object({ ...block, voided: money('What left the wallet'), transactionId: nullable(Type.String()), reason: Type.String() }),
  // Issue 22.
  'receipt.issued': Type.Object({
    receiptId: Type.String({ description: 'rcp_…' }), number: Type.String(), kind: Type.String({ enum: ['receipt', 'credit_note'] }),
    credited: money('Credited (receipt) or taken back (credit note)'), currency: Type.String(), ...creditIds,
    refundId: nullable(Type.String()), transactionId: Type.String(), pdfUrl: Type.String(),
  }),
  'topup.succeeded': Type.Object({ ...topup, transactionId: Type.String({ description: 'txn_… of the credit' }) }),
  'topup.failed': Type.Object({ ...topup, failure: nullable(Type.Object({ code: Type.String(), message: nullable(Type.String()) })) }),
  'topup.expired': Type.Object(topup),
  'wallet.low_balance': Type.Object({ ...wallet, lowBalance: money('The alert line crossed') }),
  'wallet.depleted': Type.Object(wallet),
  'wallet.adjusted': Type.Object({ ...wallet, transactionId: Type.String(), reference: Type.String(), amount: money('Signed adjustment'), reason: Type.String() }),
  'wallet.debited': Type.Object({
    ...wallet, transactionId: Type.String(), kind: Type.String({ enum: ['usage', 'hold_capture'] }), amount: money('Debited'),
    numberId: nullable(Type.String()), description: nullable(Type.String()),
  }),
  'hold.expired': Type.Object({
    holdId: Type.String(), numberId: nullable(Type.String()), currency: Type.String(), amount: money('Released reservation'),
    description: nullable(Type.String()), metadata: nullable(Type.Record(Type.String(), Type.String())), expiresAt: Type.String({ format: 'date-time' }),
  }),
  'auto_topup.succeeded': Type.Object({ ...attempt, paymentIntentId: Type.String(), transactionId: Type.String({ description: 'txn_… of the credit' }) }),
  'auto_topup.failed': Type.Object({
    ...attempt, failure, paymentIntentId: nullable(Type.String()), consecutiveFailures: Type.Number(),
    retryAt: nullable(Type.String({ format: 'date-time', description: 'When it is tried again; null when this failure disabled auto top-up' })),
  }),
  'auto_topup.action_required': Type.Object({ ...attempt, failure, paymentIntentId: nullable(Type.String()), recoveryUrl: Type.String({ description: 'A hosted page where the customer pays this attempt on-session' }) }),
  'auto_topup.capped': Type.Object({ ...attempt, monthlyCap: nullable(money('The monthly cap')), month: Type.String({ description: 'YYYY-MM, UTC' }) }),
  'auto_topup.disabled': Type.Object({ ...attempt, failure, paymentIntentId: nullable(Type.String()), consecutiveFailures: Type.Number() }),
  'payment_method.saved': Type.Object({
    paymentMethodId: Type.String(), brand: Type.String(), last4: Type.String(), expMonth: Type.Number(), expYear: Type.Number(), isDefault: Type.Boolean(),
  }),
  'payment_method.removed': Type.Object({
    paymentMethodId: Type.String(), brand: Type.String(), last4: Type.String(),
    newDefaultPaymentMethodId: nullable(Type.String({ description: 'The card that became the default, when the removed one was' })),
  }),
  'payment_method.duplicate_detached': Type.Object({
    paymentMethodId: Type.String({ description: 'The older copy, now detached at Stripe and gone from the list' }),
    replacedBy: Type.String({ description: 'The payment method of the same card (same fingerprint) that replaced it' }),
    brand: Type.String(), last4: Type.String(),
  }),
  'refund.clawed_back': Type.Object({
    ...creditIds, chargeId: Type.String({ description: 'ch_… at Stripe' }), currency: Type.String(), transactionId: Type.String({ description: 'txn_… of the clawback' }),
    amountRefunded: money("The charge's cumulative refunded amount at Stripe (tax included)"),
    clawedBack: money('Taken back from the wallet by this event (may take the balance below zero)'),
  }),
  'dispute.opened': Type.Object({
    ...creditIds, disputeId: Type.String({ description: 'dp_… at Stripe' }), chargeId: Type.String(), currency: Type.String(),
    held: money('The disputed share of the credit, now held: available drops, balance does not'),
  }),
  'dispute.closed': Type.Object({
    ...creditIds, disputeId: Type.String(), chargeId: Type.String(), currency: Type.String(),
    status: Type.String({ enum: ['won', 'lost'] }), held: money('The share that was held'),
    transactionId: nullable(Type.String({ description: 'txn_… of the clawback when lost; null when won (the hold is released)' })),
  }),
  'webhook_endpoint.disabled': Type.Object({ endpointId: Type.String(), url: Type.String(), reason: Type.String(), failingSince: Type.String({ format: 'date-time' }) }),
  'webhook_endpoint.test': Type.Object({ endpointId: Type.String(), message: Type.String() }),
};

const SIGNATURE_HEADERS = [
  { name: 'webhook-id', in: 'header', required: true, schema: { type: 'string' }, description: 'The event id (evt_…), the same on every retry: dedupe on it' },
  { name: 'webhook-timestamp', in: 'header', required: true, schema: { type: 'string' }, description: 'Unix seconds when this attempt was signed' },
  { name: 'webhook-signature', in: 'header', required: true, schema: { type: 'string' }, description: '`v1,<base64 HMAC-SHA256>` (Standard Webhooks); two, space-separated, during a secret rotation' },
];

/** The OpenAPI 3.1 `webhooks` object: one POST per event type, envelope plus that type's data. */
export function openApiWebhooks(): Record<string, unknown> {
  return Object.fromEntries(EVENT_TYPES.map((type) => [type, {
    post: {
      summary: type,
      parameters: SIGNATURE_HEADERS,
      requestBody: {
        required: true,
        content: {
          'application/json': {
            schema: Type.Object({
              id: Type.String({ description: 'evt_…' }),
              type: Type.Literal(type),
              createdAt: Type.String({ format: 'date-time' }),
              tenantId: nullable(Type.String()),
              data: EVENT_DATA_SCHEMAS[type],
            }),
          },
        },
      },
      responses: { '200': { description: 'Any 2xx within 10 s acknowledges the event; anything else is retried' } },
    },
  }]));
}
