import { Type } from 'typebox';
import { type RouteRegistrar, adminSecurity, errorResponses } from '../api/kit.ts';
import { AUDIT_FILTER_LENGTH_MAX, AUDIT_PAGE_SIZE_MAX, listAudit } from './audit-log.ts';

const Entry = Type.Object({
  id: Type.String(), at: Type.String({ format: 'date-time' }), actor: Type.String({ description: 'Operator email, or `api-key`' }),
  role: Type.String(), action: Type.String(), target: Type.Union([Type.String(), Type.Null()]),
  before: Type.Unknown(), after: Type.Unknown(), requestId: Type.Union([Type.String(), Type.Null()]),
});

/** `GET /v1/admin/audit?actor&target&cursor&limit`: the append-only audit log, newest first. */
export const registerAuditRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/admin/audit', {
    config: { auth: { kind: 'admin' } },
    schema: {
      tags: ['Admin'], summary: 'Read the audit log of operator writes (console and admin API)', security: adminSecurity,
      querystring: Type.Object({
        actor: Type.Optional(Type.String({ minLength: 1, maxLength: AUDIT_FILTER_LENGTH_MAX })),
        target: Type.Optional(Type.String({ minLength: 1, maxLength: AUDIT_FILTER_LENGTH_MAX })),
        cursor: Type.Optional(Type.String({ maxLength: AUDIT_FILTER_LENGTH_MAX })),
        limit: Type.Optional(Type.String({ pattern: '^[1-9][0-9]{0,2}$', description: `1 to ${AUDIT_PAGE_SIZE_MAX}` })),
      }, { additionalProperties: false }),
      response: { 200: Type.Object({ data: Type.Array(Entry), nextCursor: Type.Union([Type.String(), Type.Null()]) }), ...errorResponses('CURSOR_INVALID') },
    },
  }, async (request) => {
    const { limit, ...filters } = request.query;
    return listAudit(ctx, { ...filters, ...(limit === undefined ? {} : { limit: Number(limit) }) });
  });
};
