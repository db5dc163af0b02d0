/**
 * The one error type. Every expected failure is a PurseError with a code from this closed list;
 * the status each code maps to lives here and nowhere else.
 */
export const ERROR_CODES = {
  VALIDATION_ERROR: { status: 400, message: 'Validation error' },
  INVALID_JSON: { status: 400, message: 'Malformed JSON body' },
  MALFORMED_REQUEST: { status: 400, message: 'Malformed HTTP request' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, message: 'Content-Type must be application/json' },
  PURPOSE_INVALID: { status: 400, message: 'Validation error' },
  AMOUNT_REQUIRED: { status: 400, message: 'Validation error' },
  AMOUNT_INVALID: { status: 400, message: 'Validation error' },
  AMOUNT_BELOW_MINIMUM: { status: 400, message: 'Validation error' },
  AMOUNT_ABOVE_MAXIMUM: { status: 400, message: 'Validation error' },
  AMOUNT_NOT_ALLOWED: { status: 400, message: 'Validation error' },
  URL_INVALID: { status: 400, message: 'Validation error' },
  URL_NOT_ALLOWED: { status: 400, message: 'Validation error' },
  CURRENCY_INVALID: { status: 400, message: 'Validation error' },
  CURSOR_INVALID: { status: 400, message: 'Validation error' },
  IDEMPOTENCY_KEY_REQUIRED: { status: 400, message: 'Validation error' },
  // Issue 22 (statements): a month that is not YYYY-MM, or has not begun.
  PERIOD_INVALID: { status: 400, message: 'Validation error' },
  SIGNATURE_INVALID: { status: 400, message: 'Invalid webhook signature' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  INSUFFICIENT_FUNDS: { status: 402, message: 'Insufficient funds' },
  NUMBER_SCOPE_NOT_ALLOWED: { status: 403, message: 'Number-scoped keys cannot call tenant endpoints' },
  INSUFFICIENT_SCOPE: { status: 403, message: 'This key lacks the permission this endpoint needs' },
  TENANT_DISABLED: { status: 403, message: 'Tenant is disabled' },
  NOT_FOUND: { status: 404, message: 'Not found' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, message: 'Idempotency-Key was already used with a different request' },
  IDEMPOTENCY_IN_PROGRESS: { status: 409, message: 'A request with this Idempotency-Key is still in progress' },
  HOLD_NOT_ACTIVE: { status: 409, message: 'Hold is not active' },
  CONFLICT: { status: 409, message: 'Conflict' },
  NO_PAYMENT_METHOD: { status: 409, message: 'No saved card: add a card before enabling auto top-up' },
  PAYLOAD_TOO_LARGE: { status: 413, message: 'Payload too large' },
  URI_TOO_LONG: { status: 414, message: 'URL or path parameter too long' },
  HEADERS_TOO_LARGE: { status: 431, message: 'Request headers too large' },
  RATE_LIMITED: { status: 429, message: 'Too many requests' },
  INTERNAL: { status: 500, message: 'Internal error' },
  STRIPE_UNAVAILABLE: { status: 502, message: 'Payment provider unavailable' },
  STRIPE_REQUEST_REJECTED: {
    status: 502,
    message: "Stripe refused the request as invalid (a Stripe account setting or a configured limit); the operator finds Stripe's reason and request id in the Purse log",
  },
  NOT_READY: { status: 503, message: 'Not ready' },
  // issue 21: credit blocks
  EXPIRES_AT_INVALID: { status: 400, message: 'Validation error' },
  PRIORITY_INVALID: { status: 400, message: 'Validation error' },
  CREDIT_BLOCK_NOT_ACTIVE: { status: 409, message: 'Credit block is not active' },
  // Issue 23: the operator console.
  FORBIDDEN_ROLE: { status: 403, message: 'Your role may not do this' },
  CSRF_INVALID: { status: 403, message: 'The form expired or did not come from this console; reload and try again' },
  LOGIN_LOCKED: { status: 429, message: 'Too many failed logins: this account is locked for a while' },
  // Issue 25 (PostgreSQL failover): no writable host right now, or a COMMIT whose outcome was lost.
  DATABASE_UNAVAILABLE: { status: 503, message: 'Database unavailable (failover in progress, or no connection free in time); retry with the same Idempotency-Key' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;

export interface FieldError {
  field: string;
  message: string;
  code?: string;
}

export class PurseError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: FieldError[] | undefined;
  readonly headers: Record<string, string> | undefined;

  constructor(code: ErrorCode, opts: { message?: string; details?: FieldError[]; headers?: Record<string, string> } = {}) {
    super(opts.message ?? ERROR_CODES[code].message);
    this.name = 'PurseError';
    this.code = code;
    this.status = ERROR_CODES[code].status;
    this.details = opts.details;
    this.headers = opts.headers;
  }

  /** The wire body: `{"error", "code", "details"?}`. The text is the code's fixed text, never a stack or a secret. */
  toBody(requestId?: string): ErrorBody {
    const body: ErrorBody = { error: this.message, code: this.code };
    if (this.details && this.details.length > 0) body.details = this.details;
    if (requestId && this.status >= 500) body.requestId = requestId;
    return body;
  }
}

export interface ErrorBody {
  error: string;
  code: string;
  details?: FieldError[];
  requestId?: string;
}

/** A validation failure on one field, with the code the contract names for it. */
export function fieldError(code: ErrorCode, field: string, message: string): PurseError {
  return new PurseError(code, { details: [{ field, message, code }] });
}

/** Invariant check: a broken invariant is a bug, not an expected failure, so it throws loudly. */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(`Invariant violated: ${message}`);
}
