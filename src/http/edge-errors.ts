import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { type ErrorCode, PurseError } from '../errors/purse-error.ts';
import { sendError } from './errors.ts';

/**
 * Errors raised before a route runs, by Fastify's router (bad URL encoding, an over-long path
 * parameter) or by Node's HTTP parser (malformed framing, oversized headers). They answer like every
 * other error: `{error, code}` with a Purse code and an `x-request-id`, never Fastify's `FST_…` bodies.
 */
const ROUTER_ERRORS: Record<string, ErrorCode> = {
  FST_ERR_BAD_URL: 'MALFORMED_REQUEST',
  FST_ERR_MAX_PARAM_LENGTH: 'URI_TOO_LONG',
};

/** Fastify's `frameworkErrors` option: the request has an id but no hook ran, so set the header here. */
export function onRouterError(error: FastifyError, request: FastifyRequest, reply: FastifyReply): void {
  void reply.header('x-request-id', request.id);
  const code = ROUTER_ERRORS[error.code];
  sendError(request, reply, code ? new PurseError(code) : error);
}

/** Node's parser errors (llhttp codes) that mean "your headers are too big", not "malformed". */
const HEADER_OVERFLOW_CODES = new Set(['HPE_HEADER_OVERFLOW']);
const TIMEOUT_CODES = new Set(['ERR_HTTP_REQUEST_TIMEOUT']);

/**
 * Fastify's `clientErrorHandler`: no request object exists, only the socket, so the answer is written
 * by hand. A timeout or reset connection gets no answer (nobody is listening); everything else does.
 */
export function clientErrorHandler(newRequestId: () => string, log: (fields: object, message: string) => void) {
  return function onClientError(err: Error & { code?: string }, socket: Socket): void {
    if (err.code === 'ECONNRESET' || socket.destroyed) return;
    const requestId = newRequestId();
    log({ requestId, errCode: err.code }, 'malformed HTTP request refused before routing');
    if (TIMEOUT_CODES.has(err.code ?? '')) {
      socket.destroy(err);
      return;
    }
    const purse = new PurseError(HEADER_OVERFLOW_CODES.has(err.code ?? '') ? 'HEADERS_TOO_LARGE' : 'MALFORMED_REQUEST');
    const body = JSON.stringify(purse.toBody(requestId));
    if (socket.writable) {
      socket.write(
        `HTTP/1.1 ${purse.status} ${STATUS_CODES[purse.status] ?? 'Error'}\r\n` +
          `Content-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
          `x-request-id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
      );
    }
    socket.destroy(err);
  };
}
