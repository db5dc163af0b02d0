import type { SandboxCore } from '../core.ts';
import type { RequestRef } from '../events.ts';
import type { FormObject } from '../form.ts';
import type { Router } from '../router.ts';

/** One Stripe API call after auth, parsing and idempotency: parameters without `expand`. */
export interface ApiCall {
  core: SandboxCore;
  params: FormObject;
  path: Record<string, string>;
  request: RequestRef;
}

export type ApiHandler = (call: ApiCall) => object;
export type ApiRouter = Router<ApiHandler>;

export function pathId(call: ApiCall, key = 'id'): string {
  const id = call.path[key];
  if (id === undefined) throw new Error(`route is missing :${key}`);
  return id;
}
