import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses, principalOf, tenantSecurity } from '../api/kit.ts';
import { autoTopupSummary } from '../auto-topup/views.ts';
import { readWallet } from './read-wallet.ts';
import { expiringSummary } from '../credits/credit-blocks-store.ts';

export const WalletSchema = Type.Object({
  currency: Type.String({ description: 'ISO 4217 account currency', examples: ['BRL'] }),
  balance: Type.Number({ description: 'Major units; includes held funds' }),
  held: Type.Number({ description: 'Reserved by active holds' }),
  available: Type.Number({ description: 'balance − held: what a debit or hold may use' }),
});

/** For response examples in the API reference. */
export const WALLET_EXAMPLE = { currency: 'BRL', balance: 49.75, held: 20, available: 29.75 };

const WalletWithAutoTopupSchema = Type.Object({
  ...WalletSchema.properties,
  autoTopup: Type.Union([
    Type.Object({ state: Type.String({ description: 'off, active, paused or disabled' }), threshold: Type.Number() }),
    Type.Null(),
  ], { description: 'Auto top-up summary; null when never configured' }),
  // issue 21: credit blocks
  expiring: Type.Union([
    Type.Object({ amount: Type.Number({ description: 'What expires then (major units)' }), at: Type.String({ format: 'date-time' }) }),
    Type.Null(),
  ], { description: 'The next credit expiry within 30 days; null when none' }),
}, { examples: [{ ...WALLET_EXAMPLE, autoTopup: { state: 'active', threshold: 10 }, expiring: null }] });

export const registerWalletRoute: RouteRegistrar = (app, ctx) => {
  app.get('/v1/billing/wallet', {
    config: { auth: { kind: 'tenant', scope: 'tenant', permission: 'billing:read' } },
    schema: {
      tags: ['Billing'], summary: 'Read the wallet balance', security: tenantSecurity,
      response: { 200: WalletWithAutoTopupSchema, ...errorResponses() },
    },
  }, async (request) => {
    const { tenantId } = principalOf(request);
    return {
      ...(await readWallet(ctx, tenantId)), autoTopup: await autoTopupSummary(ctx, tenantId),
      expiring: await expiringSummary(ctx.store.db, tenantId, ctx.nowMs()),
    };
  });
};
