import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import type { FastifyRequest } from 'fastify';
import type { EndpointOwner } from './endpoints-store.ts';
import {
  CreateTenantEndpointBody, DeletedSchema, DeliveryListSchema, EndpointListSchema, EndpointParams, EndpointSchema,
  EndpointWithSecretSchema, PageQuery, PatchEndpointBody, TestSentSchema,
} from './endpoint-schemas.ts';
import { listDeliveries, sendTestEvent } from './deliveries.ts';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from './manage-endpoints.ts';

const read = { auth: { kind: 'tenant' as const, scope: 'tenant' as const, permission: 'billing:read' as const } };
const write = { auth: { kind: 'tenant' as const, scope: 'tenant' as const, permission: 'billing:write' as const } };
const tags = ['Billing: webhooks'];
const BASE = '/v1/billing/webhook-endpoints';

function ownerOf(request: FastifyRequest): EndpointOwner {
  return { kind: 'tenant', tenantId: principalOf(request).tenantId };
}

/** A tenant's own endpoints (SPEC §8.3): the same shapes as the operator's, its own events only. */
export const registerTenantWebhookRoutes: RouteRegistrar = (app, ctx) => {
  app.post(BASE, {
    config: write,
    schema: { tags, summary: 'Create a webhook endpoint for your events (the secret is returned once)', security: tenantSecurity, body: CreateTenantEndpointBody, response: { 201: EndpointWithSecretSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED') } },
  }, async (request, reply) => reply.status(201).header('cache-control', 'no-store').send(await createEndpoint(ctx, ownerOf(request), request.body)));

  app.get(BASE, {
    config: read,
    schema: { tags, summary: 'List your webhook endpoints', security: tenantSecurity, querystring: PageQuery, response: { 200: EndpointListSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => listEndpoints(ctx, ownerOf(request), request.query));

  app.get(`${BASE}/:id`, {
    config: read,
    schema: { tags, summary: 'Get one of your webhook endpoints', security: tenantSecurity, params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getEndpoint(ctx, ownerOf(request), request.params.id));

  app.patch(`${BASE}/:id`, {
    config: write,
    schema: { tags, summary: 'Change url, events, enabled or description', security: tenantSecurity, params: EndpointParams, body: PatchEndpointBody, response: { 200: EndpointSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request) => updateEndpoint(ctx, ownerOf(request), request.params.id, request.body));

  app.delete(`${BASE}/:id`, {
    config: write,
    schema: { tags, summary: 'Delete one of your webhook endpoints', security: tenantSecurity, params: EndpointParams, response: { 200: DeletedSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => deleteEndpoint(ctx, ownerOf(request), request.params.id));

  app.post(`${BASE}/:id/rotate-secret`, {
    config: write,
    schema: { tags, summary: 'Rotate the signing secret (the old one keeps signing for 24 h)', security: tenantSecurity, params: EndpointParams, response: { 200: EndpointWithSecretSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await rotateEndpointSecret(ctx, ownerOf(request), request.params.id)));

  app.get(`${BASE}/:id/deliveries`, {
    config: read,
    schema: { tags, summary: 'Deliveries to this endpoint, newest first', security: tenantSecurity, params: EndpointParams, querystring: PageQuery, response: { 200: DeliveryListSchema, ...errorResponses('CURSOR_INVALID', 'NOT_FOUND') } },
  }, async (request) => listDeliveries(ctx, ownerOf(request), request.params.id, request.query));

  app.post(`${BASE}/:id/test`, {
    config: write,
    schema: { tags, summary: 'Send a webhook_endpoint.test event to this endpoint', security: tenantSecurity, params: EndpointParams, response: { 202: TestSentSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.status(202).send(await sendTestEvent(ctx, ownerOf(request), request.params.id)));
};
