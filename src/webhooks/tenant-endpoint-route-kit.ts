import { principalOf } from '../api/kit.ts';
import type { FastifyRequest } from 'fastify';
import type { EndpointOwner } from './endpoints-store.ts';

/** What a tenant's own webhook endpoint routes (SPEC §8.3: the operator's shapes, its own events only) share: auth, tag, owner, base path. */
export const read = { auth: { kind: 'tenant' as const, scope: 'tenant' as const, permission: 'billing:read' as const } };
export const write = { auth: { kind: 'tenant' as const, scope: 'tenant' as const, permission: 'billing:write' as const } };
export const tags = ['Billing: webhooks'];
export const BASE = '/v1/billing/webhook-endpoints';

export function ownerOf(request: FastifyRequest): EndpointOwner {
  return { kind: 'tenant', tenantId: principalOf(request).tenantId };
}
