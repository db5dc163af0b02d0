import type { EndpointOwner } from './endpoints-store.ts';

/** What the operator's webhook endpoint routes (SPEC §8.3: for every tenant, or one) share: auth, tag, owner, base path. */
export const admin = { auth: { kind: 'admin' as const } };
export const tags = ['Admin: webhooks'];
export const ADMIN: EndpointOwner = { kind: 'admin' };
export const BASE = '/v1/admin/webhook-endpoints';
