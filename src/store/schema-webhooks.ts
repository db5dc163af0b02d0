/** Row shapes (see schema.ts): The outbox of events and the outgoing webhooks that deliver them. */
export interface EventRow {
  id: string;
  type: string;
  tenant_id: string | null;
  data: string;
  created_at_ms: bigint;
  dispatched_at_ms: bigint | null;
}

export interface WebhookEndpointRow {
  id: string;
  tenant_id: string | null;
  owner: string;
  url: string;
  description: string | null;
  events: string;
  enabled: bigint;
  secret_salt: string;
  previous_secret_salt: string | null;
  previous_secret_expires_at_ms: bigint | null;
  failing_since_ms: bigint | null;
  disabled_reason: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
}

export interface WebhookDeliveryRow {
  id: string;
  event_id: string;
  endpoint_id: string;
  state: string;
  attempts: bigint;
  next_attempt_at_ms: bigint | null;
  claimed_until_ms: bigint | null;
  last_status: bigint | null;
  last_error: string | null;
  created_at_ms: bigint;
  updated_at_ms: bigint;
  delivered_at_ms: bigint | null;
}
