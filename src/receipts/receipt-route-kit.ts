import { Type } from 'typebox';
import { RECEIPT_PAGE_SIZE_DEFAULT, RECEIPT_PAGE_SIZE_MAX } from './receipts-store.ts';
import { ReceiptSchema } from './receipt-view.ts';
import { type Lang, negotiateLang } from '../i18n/locale.ts';

/** What the three receipt routes (issue 22, SPEC §9.2: tenant keys only, a number key's 403 comes from its scope) and the statement routes share. */
export const LIMIT_TEXT_LENGTH_MAX = 6;
export const CURSOR_LENGTH_MAX = 64;
export const ID_LENGTH_MAX = 64;
export const TENANT_READ = { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } as const;

export const Query = Type.Object({
  limit: Type.Optional(Type.String({ pattern: '^[0-9]+$', maxLength: LIMIT_TEXT_LENGTH_MAX, description: `1 to ${RECEIPT_PAGE_SIZE_MAX}, default ${RECEIPT_PAGE_SIZE_DEFAULT}` })),
  cursor: Type.Optional(Type.String({ maxLength: CURSOR_LENGTH_MAX, description: 'nextCursor from the previous page' })),
}, { additionalProperties: false });
export const Params = Type.Object({ id: Type.String({ maxLength: ID_LENGTH_MAX, description: 'rcp_…' }) });
export const LangQuery = Type.Object({
  lang: Type.Optional(Type.String({ enum: ['en', 'pt-BR'], description: 'Language of the document; default from Accept-Language, else en' })),
}, { additionalProperties: false });
/** A binary body, documented under its own media type (the error bodies stay JSON). */
export const PDF_RESPONSE = { description: 'The document', content: { 'application/pdf': { schema: Type.Unsafe<Buffer>(Type.String({ format: 'binary' })) } } };
export const PageSchema = Type.Object({ data: Type.Array(ReceiptSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) });

/** The document's language: `?lang=` when given, else the caller's Accept-Language, else English. */
export function documentLang(asked: string | undefined, acceptLanguage: string | undefined): Lang {
  return asked === 'pt-BR' || asked === 'en' ? asked : negotiateLang(acceptLanguage);
}
