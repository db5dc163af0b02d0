import { Type } from 'typebox';
import { type RouteRegistrar, TENANT_ERRORS, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { readWallet } from './read-wallet.ts';

export const WalletSchema = Type.Object({
  currency: Type.String({ description: 'ISO 4217 account currency', examples: ['BRL'] }),
  balance: Type.Number({ description: 'Major units; includes held funds' }),
  held: Type.Number({ description: 'Reserved by active holds' }),
  available: Type.Number({ description: 'balance − held: what a debit or hold may use' }),
});

export const registerWalletRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/wallet', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'Read the wallet balance', security: tenantSecurity,
      response: { 200: WalletSchema, ...errorResponses(...TENANT_ERRORS) },
    },
  }, async (request) => readWallet(ctx, principalOf(request).tenantId));
};
