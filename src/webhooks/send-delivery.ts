import type { Ctx } from '../context.ts';
import { refusedDestination } from './url-guard.ts';
import { signatureHeader } from './signing.ts';

/** A receiver has this long to answer 2xx (SPEC §8.3). */
export const DELIVERY_TIMEOUT_MS = 10_000;
export const LAST_ERROR_LENGTH_MAX = 500;
const MS_PER_SECOND = 1000;
const USER_AGENT = 'Purse-Webhooks/1';

export interface SendRequest {
  url: string;
  messageId: string;
  body: string;
  secrets: readonly string[];
}

export interface SendOutcome {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * One HTTP attempt, outside any database transaction. Redirects are not followed (a 3xx is a failure:
 * following one could lead anywhere, SSRF included). In production the destination is checked again.
 */
export async function sendDelivery(ctx: Ctx, request: SendRequest): Promise<SendOutcome> {
  if (ctx.config.env === 'production') {
    const refused = await refusedDestination(new URL(request.url));
    if (refused) return { ok: false, status: null, error: `refused: ${refused}` };
  }
  // The signature's timestamp is wall-clock time: receivers check it against their own clocks.
  const timestampSeconds = Math.floor(Date.now() / MS_PER_SECOND);
  try {
    const response = await fetch(request.url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      headers: {
        'content-type': 'application/json',
        'user-agent': USER_AGENT,
        'webhook-id': request.messageId,
        'webhook-timestamp': String(timestampSeconds),
        'webhook-signature': signatureHeader(request.secrets, request.messageId, timestampSeconds, request.body),
      },
      body: request.body,
    });
    // The answer's body is not ours to read; release the connection.
    await response.body?.cancel().catch(() => {});
    const ok = response.status >= 200 && response.status < 300;
    return { ok, status: response.status, error: ok ? null : `HTTP ${response.status}` };
  } catch (err) {
    return { ok: false, status: null, error: describeFailure(err) };
  }
}

function describeFailure(err: unknown): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${DELIVERY_TIMEOUT_MS} ms`;
  const cause = err instanceof Error && err.cause instanceof Error ? `: ${err.cause.message}` : '';
  return `${err instanceof Error ? err.message : String(err)}${cause}`.slice(0, LAST_ERROR_LENGTH_MAX);
}
