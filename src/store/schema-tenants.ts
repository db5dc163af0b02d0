import type { Generated } from 'kysely';

/** Row shapes (see schema.ts): Tenants, their numbers and API keys, idempotency claims and portal sessions. */
export interface TenantRow {
  id: string;
  name: string;
  /** The name as the console's search compares it (tenants/search-name.ts); null only for rows written around createTenant. */
  search_name: string | null;
  currency: string;
  status: string;
  stripe_customer_id: string | null;
  /** How many times the Stripe customer was replaced; part of the customer's idempotency key. */
  stripe_customer_generation: Generated<bigint>;
  created_at_ms: bigint;
}

export interface NumberRow {
  id: string;
  tenant_id: string;
  name: string;
  created_at_ms: bigint;
}

export interface ApiKeyRow {
  id: string;
  tenant_id: string;
  number_id: string | null;
  scope: string;
  permissions: string;
  secret_hash: string;
  salt: string;
  hint: string;
  created_at_ms: bigint;
  revoked_at_ms: bigint | null;
}

export interface UsedSignatureRow {
  key_id: string;
  signature: string;
  expires_at_ms: bigint;
}

export interface IdempotencyKeyRow {
  tenant_id: string;
  scope: string;
  key: string;
  request_hash: string;
  response_status: bigint | null;
  response_body: string | null;
  created_at_ms: bigint;
  /** While the first attempt runs; after it a retry may take the claim over. Null on rows from before the lease. */
  lease_until_ms: bigint | null;
  /** What the attempt created (a checkout order id), so a retry after a crash resumes it. */
  resource_id: string | null;
}

export interface PortalSessionRow {
  id: string;
  tenant_id: string;
  link_token_hash: string;
  cookie_hash: string | null;
  return_url: string | null;
  link_expires_at_ms: bigint;
  opened_at_ms: bigint | null;
  expires_at_ms: bigint | null;
  created_at_ms: bigint;
}
