import type { FastifyBaseLogger, RouteOptions } from 'fastify';

/**
 * The per-request tax (issue 26): a request id in `x-request-id` and in every log line, the request log lines,
 * the metrics observation, auth and rate limiting, the text guard, the admin audit rider, and (tests only)
 * the declared-error check. Every route pays it except the plain ones listed here, which answer from
 * memory and need none of it: a liveness probe hit every second by a load balancer should cost what a bare
 * Fastify route costs. The hooks are attached to each taxed route (and the not-found handler) rather than to
 * the server, because a server-wide hook runs for every route, plain or not.
 */
const PLAIN_ROUTES: ReadonlyMap<string, ReadonlySet<string>> = new Map([['/healthz', new Set(['GET', 'HEAD'])]]);

/** What a plain route's requests are called internally (no header carries it, no log line names it). */
export const PLAIN_REQUEST_ID = 'req_plain';

type Hook = (...args: never[]) => unknown;
export const TAX_STAGES = ['onRequest', 'preValidation', 'preHandler', 'onSend', 'onResponse'] as const;
export type TaxStage = (typeof TAX_STAGES)[number];
export type RequestTax = Record<TaxStage, Hook[]>;

export function emptyTax(): RequestTax {
  return { onRequest: [], preValidation: [], preHandler: [], onSend: [], onResponse: [] };
}

export function isPlainRoute(method: string, url: string | undefined): boolean {
  return url !== undefined && PLAIN_ROUTES.get(url)?.has(method) === true;
}

/** Fastify's genReqId sees the raw request only: a plain route's URL, exactly, gets no random id. */
export function requestIdFor(newId: () => string): (raw: { method?: string; url?: string }) => string {
  return (raw) => (isPlainRoute(raw.method ?? '', raw.url) ? PLAIN_REQUEST_ID : newId());
}

/** onRoute: a taxed route gets the tax's hooks before its own; a plain route gets a silent logger instead. */
export function chargeTax(route: RouteOptions, tax: RequestTax): void {
  const methods = Array.isArray(route.method) ? route.method : [route.method];
  if (methods.every((m) => isPlainRoute(m, route.url))) {
    route.childLoggerFactory = silentChild;
    return;
  }
  const hooks = route as unknown as Partial<Record<TaxStage, Hook | Hook[]>>;
  for (const stage of TAX_STAGES) {
    if (tax[stage].length === 0) continue;
    const own = hooks[stage];
    hooks[stage] = [...tax[stage], ...(own === undefined ? [] : Array.isArray(own) ? own : [own])];
  }
}

const SILENT = new WeakMap<FastifyBaseLogger, FastifyBaseLogger>();

/** One silent child per server logger, shared by every plain request: no per-request logger is built. */
function silentChild(logger: FastifyBaseLogger): FastifyBaseLogger {
  let silent = SILENT.get(logger);
  if (!silent) {
    silent = logger.child({}, { level: 'silent' });
    SILENT.set(logger, silent);
  }
  return silent;
}
