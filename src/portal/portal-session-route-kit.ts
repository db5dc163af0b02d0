import { Type } from 'typebox';

/** What the two billing page link routes (operator's and tenant's) share: body, answer and description. */
export const URL_LENGTH_MAX = 2048;

export const Body = Type.Union([
  Type.Object({
    returnUrl: Type.Optional(Type.String({ maxLength: URL_LENGTH_MAX, description: 'A "Back" link on the page; its origin must be allow-listed (ALLOWED_REDIRECT_ORIGINS)' })),
  }, { additionalProperties: false }),
  Type.Null(),
]);

export const PortalLinkSchema = Type.Object({
  url: Type.String({ description: '`{PUBLIC_URL}/billing?session=…`: opens the billing page once; send it to the customer, never log it', examples: ['https://billing.example.com/billing?session=…'] }),
  expiresAt: Type.String({ format: 'date-time', description: 'The link must be opened before this (1 hour)' }),
});

export const description = 'A short-lived, single-use link to the billing page of one tenant. Opening it sets an httpOnly session cookie; ' +
  'the link cannot be opened again. Not idempotent by design: a retry mints another link (nothing is charged by a link).';
