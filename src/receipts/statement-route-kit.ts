import { Type } from 'typebox';
import { errorResponses, tenantSecurity } from '../api/kit.ts';

/** What the monthly statement routes (JSON, PDF, CSV) and the streamed history export (issue 22, SPEC §9.2) share. */
export const PERIOD_LENGTH_MAX = 16;
export const FILTER_LENGTH_MAX = 40;
export const TENANT_READ = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;
export const Params = Type.Object({ period: Type.String({ maxLength: PERIOD_LENGTH_MAX, description: 'YYYY-MM (UTC), not in the future' }) });
export const LangQuery = Type.Object({ lang: Type.Optional(Type.String({ enum: ['en', 'pt-BR'] })) }, { additionalProperties: false });
export const CSV_RESPONSE = { description: 'RFC 4180 CSV with a header row', content: { 'text/csv': { schema: Type.Unsafe<unknown>(Type.String()) } } };
export const ExportQuery = Type.Object({
  from: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'YYYY-MM-DD or ISO date-time (UTC), inclusive' })),
  to: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'YYYY-MM-DD (through that day) or ISO date-time (UTC), inclusive' })),
  kind: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'One ledger kind' })),
  numberId: Type.Optional(Type.String({ maxLength: FILTER_LENGTH_MAX, description: 'num_…; a number key may name only its own' })),
}, { additionalProperties: false });

/** A monthly statement route's schema, in any of its three forms. */
export const schema = (summary: string, ok: unknown) => ({
  tags: ['Billing'], summary, security: tenantSecurity, params: Params, querystring: LangQuery, response: { 200: ok, ...errorResponses('PERIOD_INVALID') },
});
