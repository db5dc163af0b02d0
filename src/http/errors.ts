import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type FieldError, PurseError } from '../errors/purse-error.ts';

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
  void reply.status(purse.status).send(purse.toBody(request.id));
}
