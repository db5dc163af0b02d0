import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, PurseError } from '../errors/purse-error.ts';
import { RETRY_AFTER_SECONDS, isConnectionLoss, isPoolCheckoutTimeout } from '../store/pg-failover.ts';

/** Fastify's own error codes, translated into ours. Anything unmapped below 500 is a validation error. */
const FASTIFY_CODE_MAP: Record<string, PurseError['code']> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'MALFORMED_REQUEST',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

export function toPurseError(error: FastifyError | PurseError | Error): PurseError | undefined {
  if (error instanceof PurseError) return error;
  const fastifyError = error as FastifyError;
  if (fastifyError.validation) return new PurseError('VALIDATION_ERROR', { details: validationDetails(fastifyError) });
  const mapped = fastifyError.code ? FASTIFY_CODE_MAP[fastifyError.code] : undefined;
  if (mapped) return new PurseError(mapped);
  if (error instanceof SyntaxError) return new PurseError('INVALID_JSON');
  // The database went away mid-request (a failover), or no pooled connection came free in time (overload):
  // nothing acknowledged, the client retries with its key.
  if (isConnectionLoss(error) || isPoolCheckoutTimeout(error)) return new PurseError('DATABASE_UNAVAILABLE', { headers: { 'retry-after': String(RETRY_AFTER_SECONDS) } });
  const status = fastifyError.statusCode;
  if (status !== undefined && status >= 400 && status < 500) return new PurseError('VALIDATION_ERROR');
  return undefined;
}

function validationDetails(error: FastifyError): FieldError[] {
  const context = error.validationContext ?? 'body';
  return (error.validation ?? []).map((v) => {
    const params = v.params as Record<string, unknown>;
    const extra = typeof params.additionalProperty === 'string' ? `/${params.additionalProperty}` : '';
    const missing = typeof params.missingProperty === 'string' ? `/${params.missingProperty}` : '';
    const path = `${v.instancePath}${extra}${missing}`.replace(/^\//, '').replace(/\//g, '.');
    return { field: path ? `${context}.${path}` : context, message: v.message ?? 'is invalid' };
  });
}

export function sendError(request: FastifyRequest, reply: FastifyReply, error: Error): void {
  const purse = toPurseError(error);
  if (!purse) {
    request.log.error({ err: error }, 'unexpected failure');
    const internal = new PurseError('INTERNAL');
    void reply.status(internal.status).send(internal.toBody(request.id));
    return;
  }
  if (purse.headers) void reply.headers(purse.headers);
  if (purse.status >= 500) request.log.error({ code: purse.code }, purse.message);
  const send = () => void reply.status(purse.status).send(purse.toBody(request.id));
  if (purse.code === 'PAYLOAD_TOO_LARGE') afterUnreadBody(request.raw, send);
  else send();
}

/** How much of an oversize body is read and thrown away so its sender can read the 413, and for how long. */
export const OVERSIZE_DRAIN_MAX_BYTES = 16 * 1024 * 1024;
export const OVERSIZE_DRAIN_TIMEOUT_MS = 10_000;

/**
 * An oversize body is refused before it is read. Answering at once and closing would leave the unread rest
 * in the socket, and the kernel answers unread data on a closed socket with a reset: a client still sending
 * sees ECONNRESET/EPIPE instead of our 413. So the rest is read and discarded first (up to
 * OVERSIZE_DRAIN_MAX_BYTES or OVERSIZE_DRAIN_TIMEOUT_MS, a bound against a sender that never stops), then
 * the 413 goes out. Nothing of it is kept.
 */
function afterUnreadBody(raw: FastifyRequest['raw'], send: () => void): void {
  if (raw.complete || raw.destroyed) return send();
  let drainedBytes = 0;
  let sent = false;
  const finish = () => {
    if (sent) return;
    sent = true;
    clearTimeout(timer);
    raw.off('data', onData);
    send();
  };
  const onData = (chunk: Buffer) => {
    drainedBytes += chunk.length;
    if (drainedBytes > OVERSIZE_DRAIN_MAX_BYTES) finish();
  };
  const timer = setTimeout(finish, OVERSIZE_DRAIN_TIMEOUT_MS);
  raw.on('data', onData);
  raw.once('end', finish);
  raw.once('close', finish);
  raw.resume();
}
