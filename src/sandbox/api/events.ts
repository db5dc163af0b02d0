import { invalidRequest } from '../errors.ts';
import type { FormValue } from '../form.ts';
import { arr, int, obj, optional, parseObject, str } from '../schema.ts';
import type { Schema } from '../schema.ts';
import type { StripeEvent, StripeList } from '../types.ts';
import { paginate, paginationShape } from './list.ts';
import { pathId } from './types.ts';
import type { ApiCall, ApiRouter } from './types.ts';

const eventTypesMax = 20;

interface CreatedRange {
  gt?: number;
  gte?: number;
  lt?: number;
  lte?: number;
}

const rangeShape = { gt: optional(int()), gte: optional(int()), lt: optional(int()), lte: optional(int()) };

/** `created` is either an exact timestamp or a `{gt,gte,lt,lte}` range. */
const createdFilter: Schema<CreatedRange, false> = {
  optional: false,
  parse: (raw: FormValue, param: string) =>
    typeof raw === 'string' ? { gte: int().parse(raw, param), lte: int().parse(raw, param) } : obj(rangeShape).parse(raw, param),
};

const listShape = {
  ...paginationShape,
  type: optional(str()),
  types: optional(arr(str())),
  created: optional(createdFilter),
  delivery_success: optional(str()),
};

/** Stripe's `type` filter accepts `*` as a wildcard, e.g. `checkout.session.*`. */
function typeMatcher(pattern: string): (type: string) => boolean {
  if (!pattern.includes('*')) return (type) => type === pattern;
  const source = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  const regex = new RegExp(`^${source}$`);
  return (type) => regex.test(type);
}

function inRange(created: number, range: CreatedRange): boolean {
  return (
    (range.gt === undefined || created > range.gt) &&
    (range.gte === undefined || created >= range.gte) &&
    (range.lt === undefined || created < range.lt) &&
    (range.lte === undefined || created <= range.lte)
  );
}

function listEvents(call: ApiCall): StripeList<StripeEvent> {
  const params = parseObject(listShape, call.params, '');
  if (params.type !== undefined && params.types !== undefined) {
    throw invalidRequest('You may only specify one of these parameters: type, types.', 'types');
  }
  if (params.types && params.types.length > eventTypesMax) {
    throw invalidRequest(`You may pass at most ${eventTypesMax} types.`, 'types');
  }
  const typeMatchers = (params.types ?? (params.type !== undefined ? [params.type] : [])).map(typeMatcher);
  const range = params.created ?? {};
  const matches = (event: StripeEvent): boolean =>
    (typeMatchers.length === 0 || typeMatchers.some((matcher) => matcher(event.type))) && inRange(event.created, range);
  return paginate(call.core.events.newestFirst(), matches, params, '/v1/events', 'event');
}

export function registerEventRoutes(router: ApiRouter): void {
  router
    .add('GET', '/v1/events', listEvents)
    .add('GET', '/v1/events/:id', (call) => {
      parseObject({}, call.params, '');
      return call.core.events.get(pathId(call));
    });
}
