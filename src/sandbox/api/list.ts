import { invalidRequest, resourceMissing } from '../errors.ts';
import { int, optional, str } from '../schema.ts';
import type { StripeList } from '../types.ts';

const limitDefault = 10;
const limitMax = 100;

export const paginationShape = {
  limit: optional(int({ min: 1, max: limitMax })),
  starting_after: optional(str()),
  ending_before: optional(str()),
};

export interface PaginationParams {
  limit?: number;
  starting_after?: string;
  ending_before?: string;
}

function cursorIndex<T extends { id: string }>(all: T[], id: string, kind: string, param: string): number {
  const index = all.findIndex((item) => item.id === id);
  if (index === -1) throw resourceMissing(kind, id, param);
  return index;
}

/**
 * Stripe cursor pagination over a newest-first list. Cursors are positions in the full ordering,
 * so a cursor object that the filter excludes still works, as it does on Stripe.
 */
export function paginate<T extends { id: string }>(
  all: T[], matches: (item: T) => boolean, params: PaginationParams, url: string, kind: string,
): StripeList<T> {
  const limit = params.limit ?? limitDefault;
  if (params.starting_after && params.ending_before) {
    throw invalidRequest('You may only specify one of these parameters: starting_after, ending_before.', 'ending_before');
  }
  if (params.ending_before) {
    const index = cursorIndex(all, params.ending_before, kind, 'ending_before');
    const candidates = all.slice(0, index).filter(matches);
    return { object: 'list', data: candidates.slice(-limit), has_more: candidates.length > limit, url };
  }
  const start = params.starting_after ? cursorIndex(all, params.starting_after, kind, 'starting_after') + 1 : 0;
  const candidates = all.slice(start).filter(matches);
  return { object: 'list', data: candidates.slice(0, limit), has_more: candidates.length > limit, url };
}
