import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { type EndpointOwner } from './endpoints-store.ts';
import {
  AdminPageQuery, CreateAdminEndpointBody, DeletedSchema, DeliveryListSchema, EndpointListSchema, EndpointParams, EndpointSchema,
  EndpointWithSecretSchema, PageQuery, PatchEndpointBody, TestSentSchema,
} from './endpoint-schemas.ts';
import { listDeliveries, redeliverEvent, sendTestEvent } from './deliveries.ts';
import { createEndpoint, deleteEndpoint, getEndpoint, listEndpoints, rotateEndpointSecret, updateEndpoint } from './manage-endpoints.ts';

const admin = { auth: { kind: 'admin' as const } };
const tags = ['Admin: webhooks'];
const ADMIN: EndpointOwner = { kind: 'admin' };
const BASE = '/v1/admin/webhook-endpoints';

/** Operator endpoints (SPEC §8.3): for every tenant (no tenantId) or one. */
export const registerAdminWebhookRoutes: RouteRegistrar = (app, ctx) => {
  app.post(BASE, {
    config: admin,
    schema: { tags, summary: 'Create a webhook endpoint (the secret is returned once)', security: adminSecurity, body: CreateAdminEndpointBody, response: { 201: EndpointWithSecretSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request, reply) => reply.status(201).header('cache-control', 'no-store').send(await createEndpoint(ctx, ADMIN, request.body)));

  app.get(BASE, {
    config: admin,
    schema: { tags, summary: 'List webhook endpoints, newest first', security: adminSecurity, querystring: AdminPageQuery, response: { 200: EndpointListSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => listEndpoints(ctx, ADMIN, request.query));

  app.get(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Get a webhook endpoint', security: adminSecurity, params: EndpointParams, response: { 200: EndpointSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getEndpoint(ctx, ADMIN, request.params.id));

  app.patch(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Change url, events, enabled or description', security: adminSecurity, params: EndpointParams, body: PatchEndpointBody, response: { 200: EndpointSchema, ...errorResponses('URL_INVALID', 'URL_NOT_ALLOWED', 'NOT_FOUND') } },
  }, async (request) => updateEndpoint(ctx, ADMIN, request.params.id, request.body));

  app.delete(`${BASE}/:id`, {
    config: admin,
    schema: { tags, summary: 'Delete a webhook endpoint and its deliveries', security: adminSecurity, params: EndpointParams, response: { 200: DeletedSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => deleteEndpoint(ctx, ADMIN, request.params.id));

  app.post(`${BASE}/:id/rotate-secret`, {
    config: admin,
    schema: { tags, summary: 'Rotate the signing secret (the old one keeps signing for 24 h)', security: adminSecurity, params: EndpointParams, response: { 200: EndpointWithSecretSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.header('cache-control', 'no-store').send(await rotateEndpointSecret(ctx, ADMIN, request.params.id)));

  app.get(`${BASE}/:id/deliveries`, {
    config: admin,
    schema: { tags, summary: 'Deliveries to this endpoint, newest first', security: adminSecurity, params: EndpointParams, querystring: PageQuery, response: { 200: DeliveryListSchema, ...errorResponses('CURSOR_INVALID', 'NOT_FOUND') } },
  }, async (request) => listDeliveries(ctx, ADMIN, request.params.id, request.query));

  app.post(`${BASE}/:id/test`, {
    config: admin,
    schema: { tags, summary: 'Send a webhook_endpoint.test event to this endpoint', security: adminSecurity, params: EndpointParams, response: { 202: TestSentSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request, reply) => reply.status(202).send(await sendTestEvent(ctx, ADMIN, request.params.id)));

  app.post('/v1/admin/events/:eventId/redeliver', {
    config: admin,
    schema: {
      tags, summary: 'Deliver an event again to every endpoint it matches (same webhook-id)', security: adminSecurity,
      params: Type.Object({ eventId: Type.String({ maxLength: 64 }) }),
      response: { 202: Type.Object({ eventId: Type.String(), deliveries: Type.Number() }), ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => reply.status(202).send(await redeliverEvent(ctx, request.params.eventId)));
};
