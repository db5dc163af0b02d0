import { type Static, Type } from 'typebox';
import { toMajorNumber } from '../money/money.ts';
import { HOLD_STATES, effectiveHoldState } from './hold-states.ts';
import type { Hold } from './holds-store.ts';

/** A hold as a tenant sees it, in major units. A hold past its expiry reads as expired at once. */
export const HoldSchema = Type.Object({
  id: Type.String({ examples: ['hld_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1'] }),
  state: Type.Enum(HOLD_STATES, { description: 'held → captured | voided | expired; the last three are final' }),
  amount: Type.Number({ description: 'Reserved from the available balance, major units', examples: [20] }),
  captured: Type.Number({ description: 'Taken by the capture (the rest was released); 0 unless captured', examples: [0] }),
  currency: Type.String({ examples: ['BRL'] }),
  numberId: Type.Union([Type.String(), Type.Null()], { description: 'The number the hold is attributed to' }),
  description: Type.Union([Type.String(), Type.Null()]),
  metadata: Type.Union([Type.Record(Type.String(), Type.String()), Type.Null()]),
  captureTransactionId: Type.Union([Type.String(), Type.Null()], { description: 'The ledger transaction of the capture' }),
  expiresAt: Type.String({ format: 'date-time' }),
  createdAt: Type.String({ format: 'date-time' }),
  updatedAt: Type.String({ format: 'date-time' }),
});

export type HoldView = Static<typeof HoldSchema>;

/** For response examples in the API reference: a 20 BRL hold, still held. */
export const HOLD_EXAMPLE: HoldView = {
  id: 'hld_01JD8ZR5B7C9D1E3F5G7H9J1K3', state: 'held', amount: 20, captured: 0, currency: 'BRL', numberId: null,
  description: 'call in progress', metadata: null, captureTransactionId: null, expiresAt: '2026-03-01T12:10:00.000Z',
  createdAt: '2026-03-01T12:00:00.000Z', updatedAt: '2026-03-01T12:00:00.000Z',
};

export function toHoldView(hold: Hold, nowMs: number): HoldView {
  return {
    id: hold.id,
    state: effectiveHoldState(hold.state, hold.expiresAtMs, nowMs),
    amount: toMajorNumber(hold.amountMinor, hold.currency),
    captured: toMajorNumber(hold.capturedMinor, hold.currency),
    currency: hold.currency,
    numberId: hold.numberId,
    description: hold.description,
    metadata: hold.metadata,
    captureTransactionId: hold.captureTransactionId,
    expiresAt: new Date(hold.expiresAtMs).toISOString(),
    createdAt: new Date(hold.createdAtMs).toISOString(),
    updatedAt: new Date(hold.updatedAtMs).toISOString(),
  };
}
