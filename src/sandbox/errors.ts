/** The body of a Stripe error, as Stripe sends it under `{"error": …}`. */
export interface StripeErrorBody {
  type: 'api_error' | 'card_error' | 'idempotency_error' | 'invalid_request_error';
  message: string;
  code?: string;
  param?: string;
  decline_code?: string;
  doc_url?: string;
  [extra: string]: unknown;
}

/** Thrown by sandbox operations; the HTTP layer turns it into Stripe's error envelope. */
export class SandboxStripeError extends Error {
  constructor(
    readonly status: number,
    readonly body: StripeErrorBody,
  ) {
    super(body.message);
  }
}

const docsBaseUrl = 'https://stripe.com/docs/error-codes';

function withDoc(body: StripeErrorBody): StripeErrorBody {
  return body.code ? { ...body, doc_url: `${docsBaseUrl}/${body.code.replaceAll('_', '-')}` } : body;
}

export function invalidRequest(message: string, param?: string, code?: string): SandboxStripeError {
  const body: StripeErrorBody = { type: 'invalid_request_error', message };
  if (code) body.code = code;
  if (param) body.param = param;
  return new SandboxStripeError(400, withDoc(body));
}

export function unknownParam(param: string): SandboxStripeError {
  return invalidRequest(`Received unknown parameter: ${param}`, param, 'parameter_unknown');
}

export function missingParam(param: string): SandboxStripeError {
  return invalidRequest(`Missing required param: ${param}.`, param, 'parameter_missing');
}

export function invalidValue(message: string, param: string): SandboxStripeError {
  return invalidRequest(message, param, 'parameter_invalid_string');
}

/** Stripe answers 404 with `resource_missing` for ids in the path, 400 for ids given as parameters. */
export function resourceMissing(kind: string, id: string, param?: string): SandboxStripeError {
  const body: StripeErrorBody = withDoc({
    type: 'invalid_request_error',
    code: 'resource_missing',
    message: `No such ${kind}: '${id}'`,
  });
  if (param) body.param = param;
  return new SandboxStripeError(param ? 400 : 404, body);
}

export interface CardErrorFields {
  message: string;
  code: string;
  decline_code?: string;
  param?: string;
  [extra: string]: unknown;
}

export function cardError(fields: CardErrorFields): SandboxStripeError {
  return new SandboxStripeError(402, withDoc({ type: 'card_error', ...fields }));
}

export function idempotencyError(message: string): SandboxStripeError {
  return new SandboxStripeError(400, { type: 'idempotency_error', message });
}

export function authenticationError(message: string): SandboxStripeError {
  return new SandboxStripeError(401, { type: 'invalid_request_error', message });
}

export function apiError(status: number, message: string): SandboxStripeError {
  return new SandboxStripeError(status, { type: 'api_error', message });
}
