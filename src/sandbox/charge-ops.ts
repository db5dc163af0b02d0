import { unixSeconds } from './clock.ts';
import type { SandboxCore } from './core.ts';
import { invalidRequest } from './errors.ts';
import type { RequestRef } from './events.ts';
import { newId } from './ids.ts';
import { formatMinor } from './money.ts';
import type { Charge, Dispute, Metadata, Refund } from './types.ts';

/** Refunds and disputes: the after-payment life of a charge. */

export interface RefundInput {
  amount?: number;
  metadata?: Metadata;
  reason?: string;
}

function refundableMinor(charge: Charge): number {
  return charge.amount - charge.amount_refunded;
}

export function refundCharge(core: SandboxCore, charge: Charge, input: RefundInput, request: RequestRef): Refund {
  if (charge.status !== 'succeeded') {
    throw invalidRequest(`Charge ${charge.id} has not succeeded, so it cannot be refunded.`, 'charge', 'charge_not_refundable');
  }
  const remaining = refundableMinor(charge);
  if (remaining === 0) {
    throw invalidRequest(`Charge ${charge.id} has already been refunded.`, 'charge', 'charge_already_refunded');
  }
  const amount = input.amount ?? remaining;
  if (amount > remaining) {
    throw invalidRequest(
      `Refund amount (${formatMinor(amount, charge.currency)}) is greater than unrefunded amount on charge (${formatMinor(remaining, charge.currency)})`,
      'amount',
      'amount_too_large',
    );
  }
  const refund: Refund = {
    id: newId('re'),
    object: 'refund',
    amount,
    charge: charge.id,
    created: unixSeconds(core.clock),
    currency: charge.currency,
    metadata: input.metadata ?? {},
    payment_intent: charge.payment_intent,
    reason: input.reason ?? null,
    status: 'succeeded',
  };
  core.state.refunds.set(refund.id, refund);
  const previous = { amount_refunded: charge.amount_refunded, refunded: charge.refunded };
  charge.amount_refunded += amount;
  charge.refunded = charge.amount_refunded === charge.amount;
  core.events.emit('charge.refunded', charge, request, previous);
  return refund;
}

export function disputeCharge(core: SandboxCore, charge: Charge, amount: number | undefined, request: RequestRef): Dispute {
  if (charge.status !== 'succeeded') throw invalidRequest(`Charge ${charge.id} has not succeeded, so it cannot be disputed.`, 'charge');
  if (charge.disputed) throw invalidRequest(`Charge ${charge.id} is already disputed.`, 'charge');
  const disputable = refundableMinor(charge);
  const disputed = amount ?? disputable;
  if (disputed < 1 || disputed > disputable) {
    throw invalidRequest(`Dispute amount must be between 1 and ${disputable}.`, 'amount');
  }
  const dispute: Dispute = {
    id: newId('dp'),
    object: 'dispute',
    amount: disputed,
    charge: charge.id,
    created: unixSeconds(core.clock),
    currency: charge.currency,
    is_charge_refundable: false,
    livemode: false,
    metadata: {},
    payment_intent: charge.payment_intent,
    reason: 'fraudulent',
    status: 'needs_response',
  };
  core.state.disputes.set(dispute.id, dispute);
  charge.disputed = true;
  core.events.emit('charge.dispute.created', dispute, request);
  return dispute;
}

export function closeDispute(core: SandboxCore, dispute: Dispute, status: 'won' | 'lost', request: RequestRef): Dispute {
  if (dispute.status !== 'needs_response') throw invalidRequest(`Dispute ${dispute.id} is already ${dispute.status}.`, 'dispute');
  const previous = { status: dispute.status };
  dispute.status = status;
  core.events.emit('charge.dispute.closed', dispute, request, previous);
  return dispute;
}
