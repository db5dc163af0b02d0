import { unixSeconds } from './clock.ts';
import type { SandboxClock } from './clock.ts';
import { resourceMissing } from './errors.ts';
import { newId } from './ids.ts';
import type { StripeEvent } from './types.ts';

export const stripeApiVersion = '2026-10-28.endive';

/** Which API request caused an event; page and control-API actions have none, like dashboard actions. */
export interface RequestRef {
  id: string | null;
  idempotency_key: string | null;
}
export const noRequest: RequestRef = { id: null, idempotency_key: null };

export type EventListener = (event: StripeEvent) => number;

/** The account's event stream. Objects are snapshotted at emission, as Stripe does. */
export class EventLog {
  private readonly events: StripeEvent[] = [];
  private readonly byId = new Map<string, StripeEvent>();
  private listener: EventListener = () => 0;
  private emittedCount = 0;

  constructor(private readonly clock: SandboxClock) {}

  /** The listener returns how many endpoints will receive the event (its `pending_webhooks`). */
  onEmit(listener: EventListener): void {
    this.listener = listener;
  }

  emit(type: string, object: object, request: RequestRef, previousAttributes?: Record<string, unknown>): StripeEvent {
    const event: StripeEvent = {
      id: newId('evt'),
      object: 'event',
      api_version: stripeApiVersion,
      created: unixSeconds(this.clock),
      data: previousAttributes
        ? { object: structuredClone(object), previous_attributes: previousAttributes }
        : { object: structuredClone(object) },
      livemode: false,
      pending_webhooks: 0,
      request: { ...request },
      type,
    };
    this.events.push(event);
    this.byId.set(event.id, event);
    this.emittedCount += 1;
    event.pending_webhooks = this.listener(event);
    return event;
  }

  /** Puts back an event from a saved snapshot, without delivering it again. */
  /** Events emitted since start (not restored ones): a change counter for whoever keeps the state. */
  get emitted(): number {
    return this.emittedCount;
  }

  restore(event: StripeEvent): void {
    if (this.byId.has(event.id)) return;
    this.events.push(event);
    this.byId.set(event.id, event);
  }

  get(id: string): StripeEvent {
    const event = this.byId.get(id);
    if (!event) throw resourceMissing('event', id);
    return event;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  newestFirst(): StripeEvent[] {
    return [...this.events].reverse();
  }
}
