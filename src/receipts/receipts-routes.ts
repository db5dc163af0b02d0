import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { RECEIPT_PAGE_SIZE_DEFAULT, RECEIPT_PAGE_SIZE_MAX, findReceipt, listReceiptRows } from './receipts-store.ts';
import { ReceiptSchema, toReceiptView } from './receipt-view.ts';
import { renderReceiptPdf } from './receipt-pdf.ts';
import { type Lang, negotiateLang } from '../i18n/locale.ts';

const LIMIT_TEXT_LENGTH_MAX = 6;
const CURSOR_LENGTH_MAX = 64;
const ID_LENGTH_MAX = 64;
const TENANT_READ = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;

const Query = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: LIMIT_TEXT_LENGTH_MAX, description: `1 to ${RECEIPT_PAGE_SIZE_MAX}, default ${RECEIPT_PAGE_SIZE_DEFAULT}` })),
  cursor: Type.Optional(Type.String({ maxLength: CURSOR_LENGTH_MAX, description: 'nextCursor from the previous page' })),
}, { additionalProperties: false });
const Params = Type.Object({ id: Type.String({ maxLength: ID_LENGTH_MAX, description: 'rcp_…' }) });
const LangQuery = Type.Object({
  lang: Type.Optional(Type.String({ enum: ['en', 'pt-BR'], description: 'Language of the document; default from Accept-Language, else en' })),
}, { additionalProperties: false });
/** A binary body, documented under its own media type (the error bodies stay JSON). */
export const PDF_RESPONSE = { description: 'The document', content: { 'application/pdf': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } } };
const PageSchema = Type.Object({ data: Type.Array(ReceiptSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** Receipts and credit notes (issue 22, SPEC §9.2): tenant keys only (a number key's 403 comes from its scope). */
export const registerReceiptRoutes: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/receipts', {
    config: { auth: TENANT_READ },
    schema: { tags: ['Billing'], summary: 'List receipts and credit notes, newest first', security: tenantSecurity, querystring: Query, response: { 200: PageSchema, ...errorResponses('CURSOR_INVALID') } },
  }, async (request) => {
    const page = await listReceiptRows(ctx.store.reader(), principalOf(request).tenantId, request.query);
    return { data: page.rows.map((r) => toReceiptView(r, ctx.config.publicUrl)), nextCursor: page.nextCursor };
  });
  app.get('/v1/billing/receipts/:id', {
    config: { auth: TENANT_READ },
    schema: { tags: ['Billing'], summary: 'One receipt or credit note', security: tenantSecurity, params: Params, response: { 200: ReceiptSchema, ...errorResponses('NOT_FOUND') } },
  }, async (request) => toReceiptView(await findReceipt(ctx.store.db, principalOf(request).tenantId, request.params.id), ctx.config.publicUrl));
  app.get('/v1/billing/receipts/:id.pdf', {
    config: { auth: TENANT_READ },
    schema: {
      tags: ['Billing'], summary: 'A receipt or credit note as PDF, in the tenant\'s language', security: tenantSecurity, params: Params, querystring: LangQuery,
      operationId: 'get_billing_receipt_pdf',
      response: { 200: PDF_RESPONSE, ...errorResponses('NOT_FOUND') },
    },
  }, async (request, reply) => {
    const { tenantId } = principalOf(request);
    const lang = documentLang(request.query.lang, request.headers['accept-language']);
    const pdf = await renderReceiptPdf(ctx, await findReceipt(ctx.store.db, tenantId, request.params.id), lang);
    return reply.type('application/pdf').header('content-disposition', `inline; filename="${pdf.fileName}"`).send(pdf.bytes);
  });
};

/** The document's language: `?lang=` when given, else the caller's Accept-Language, else English. */
export function documentLang(asked: string | undefined, acceptLanguage: string | undefined): Lang {
  return asked === 'pt-BR' || asked === 'en' ? asked : negotiateLang(acceptLanguage);
}
