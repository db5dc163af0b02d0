import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { NAME_LENGTH_MAX, createNumber, createTenant, getTenant, listTenants, setTenantStatus } from './tenants.ts';

const TenantSchema = Type.Object({
  id: Type.String({ examples: ['ten_01JD8ZQ2X3Y4Z5A6B7C8D9E0F1'] }),
  name: Type.String(),
  currency: Type.String({ description: 'ISO 4217, upper-case' }),
  status: Type.Union([Type.Literal('active'), Type.Literal('disabled')]),
  createdAt: Type.String({ format: 'date-time' }),
});

const NumberSchema = Type.Object({
  id: Type.String(),
  tenantId: Type.String(),
  name: Type.String(),
  createdAt: Type.String({ format: 'date-time' }),
});

const TenantParams = Type.Object({ tenantId: Type.String({ maxLength: 64 }) });
const Name = Type.String({ minLength: 1, maxLength: NAME_LENGTH_MAX });
const admin = { auth: { kind: 'admin' as const } };
const tags = ['Admin'];

export const registerAdminTenantRoutes: RouteRegistrar = (app, ctx) => {
  app.post('/v1/admin/tenants', {
    config: admin,
    schema: {
      tags, summary: 'Create a tenant', security: adminSecurity,
      body: Type.Object({ name: Name, currency: Type.String({ minLength: 3, maxLength: 3, description: 'ISO 4217' }) }, { additionalProperties: false }),
      response: { 201: TenantSchema, ...errorResponses('CURRENCY_INVALID') },
    },
  }, async (request, reply) => {
    const tenant = await createTenant(ctx, request.body);
    return reply.status(201).send(tenant);
  });

  app.get('/v1/admin/tenants', {
    config: admin,
    schema: { tags, summary: 'List tenants', security: adminSecurity, response: { 200: Type.Object({ data: Type.Array(TenantSchema) }), ...errorResponses() } },
  }, async () => ({ data: await listTenants(ctx) }));

  app.get('/v1/admin/tenants/:tenantId', {
    config: admin,
    schema: { tags, summary: 'Read a tenant', security: adminSecurity, params: TenantParams, response: { 200: TenantSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => getTenant(ctx, request.params.tenantId));

  app.post('/v1/admin/tenants/:tenantId/disable', {
    config: admin,
    schema: { tags, summary: 'Disable a tenant (its keys stop working)', security: adminSecurity, params: TenantParams, response: { 200: TenantSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => setTenantStatus(ctx, request.params.tenantId, 'disabled'));

  app.post('/v1/admin/tenants/:tenantId/enable', {
    config: admin,
    schema: { tags, summary: 'Re-enable a disabled tenant', security: adminSecurity, params: TenantParams, response: { 200: TenantSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => setTenantStatus(ctx, request.params.tenantId, 'active'));

  app.post('/v1/admin/tenants/:tenantId/numbers', {
    config: admin,
    schema: {
      tags, summary: 'Create a number (sub-account) of a tenant', security: adminSecurity, params: TenantParams,
      body: Type.Object({ name: Name }, { additionalProperties: false }),
      response: { 201: NumberSchema, ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => {
    const number = await createNumber(ctx, request.params.tenantId, request.body);
    return reply.status(201).send(number);
  });
};
