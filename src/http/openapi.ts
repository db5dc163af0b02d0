import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { App } from '../api/kit.ts';
import { openApiWebhooks } from '../events/event-schemas.ts';

export const API_TITLE = 'Purse API';
export const API_VERSION = '0.1.0';

export async function registerOpenApi(app: App): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: API_TITLE,
        version: API_VERSION,
        description:
          'Prepaid wallets for your customers: hosted Stripe Checkout top-ups, usage debits and holds, a double-entry ledger. ' +
          'Tenant endpoints authenticate with `x-api-key: ps_…` or a signed request (`x-api-key-id`, `x-timestamp`, `x-signature`). ' +
          'Amounts on the wire are major units of the account currency.',
      },
      components: {
        securitySchemes: {
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key', description: 'Your ps_ API key' },
          apiKeyId: {
            type: 'apiKey',
            in: 'header',
            name: 'x-api-key-id',
            description: 'API key id; with x-timestamp and x-signature = hex HMAC-SHA256(secret, "{timestamp}.{METHOD}.{path}.{sha256(body)}")',
          },
          adminKey: { type: 'http', scheme: 'bearer', description: 'The operator key (PURSE_ADMIN_KEY)' },
        },
      },
    },
    refResolver: { buildLocalReference: (json, _baseUri, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
  });

  // Outgoing events (SPEC §8.3) as OpenAPI 3.1 webhooks: what Purse POSTs to your endpoints.
  const webhooks = openApiWebhooks();
  app.get('/openapi.json', { schema: { hide: true }, config: { auth: { kind: 'public' } } }, async () => ({ ...app.swagger(), webhooks }));
  await app.register(swaggerUi, {
    routePrefix: DOCS_PREFIX,
    // Swagger UI's own files, served from the package: the page works with no network beyond this server.
    staticCSP: DOCS_CSP,
    theme: { title: `${API_TITLE} reference` },
    uiConfig: { deepLinking: true, displayOperationId: true, defaultModelsExpandDepth: 0, tryItOutEnabled: false },
    transformSpecification: (spec) => ({ ...spec, webhooks }),
  });
}

/** Where the API reference lives: `/docs` (Swagger UI), its assets under `/docs/static/`. */
export const DOCS_PREFIX = '/docs';

/** Everything the reference page loads comes from this origin; nothing reaches out. */
const DOCS_CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src 'self'; " +
  "connect-src 'self'; object-src 'none'; base-uri 'self'; frame-ancestors 'self'";
