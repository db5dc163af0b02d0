import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { HOLD_EXAMPLE, HoldSchema } from './hold-view.ts';
import { WALLET_EXAMPLE, WalletSchema } from './wallet-route.ts';

/** What the four hold routes share: their auth, the id parameter, the hold-and-wallet answer. */
const HOLD_ID_LENGTH_MAX = 64;
export const HOLD_AUTH = { kind: 'tenant', scope: 'any', permission: 'usage:write' } as const;
export const HoldParams = Type.Object({ id: Type.String({ maxLength: HOLD_ID_LENGTH_MAX, description: 'The hold id, hld_…' }) });
export const HoldResult = Type.Object({ hold: HoldSchema, wallet: WalletSchema }, { examples: [{ hold: HOLD_EXAMPLE, wallet: WALLET_EXAMPLE }] });

/** Capture and void may be sent without a body; validate that as `{}` (runs after the auth hook). */
export async function emptyBodyAsObject(request: FastifyRequest): Promise<void> {
  if (request.body === undefined) request.body = {};
}
