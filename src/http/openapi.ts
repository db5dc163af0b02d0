import swagger from '@fastify/swagger';
import type { App } from '../api/kit.ts';
import { openApiWebhooks } from '../events/event-schemas.ts';
import { registerDocsPage } from './docs-page.ts';
import { FixedFile } from '../api/static-assets.ts';

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

  // Outgoing events (SPEC §8.3) as OpenAPI 3.1 webhooks: what Purse POSTs to your endpoints. The document is
  // fixed once the routes are registered: serialised and compressed once, then answered from memory.
  let document: FixedFile | undefined;
  app.get('/openapi.json', { schema: { hide: true }, config: { auth: { kind: 'public' } } }, async (request, reply) => {
    document ??= new FixedFile('application/json; charset=utf-8', () => JSON.stringify({ ...app.swagger(), webhooks: openApiWebhooks() }));
    return document.send(request, reply, 'no-cache');
  });
  registerDocsPage(app);
}
