import { Type } from 'typebox';
import { type RouteRegistrar, errorResponses } from '../api/kit.ts';
import { PurseError } from '../errors/purse-error.ts';

const StatusSchema = Type.Object({ status: Type.String() });
const publicAuth = { auth: { kind: 'public' as const } };

export const registerHealthRoutes: RouteRegistrar = (app, ctx) => {
  app.get('/healthz', {
    config: publicAuth,
    schema: { tags: ['Operations'], summary: 'Liveness: the process answers', response: { 200: StatusSchema, ...errorResponses() } },
  }, async () => ({ status: 'ok' }));

  app.get('/readyz', {
    config: publicAuth,
    schema: { tags: ['Operations'], summary: 'Readiness: the database answers', response: { 200: StatusSchema, ...errorResponses('NOT_READY') } },
  }, async () => {
    try {
      await ctx.store.ping();
    } catch {
      throw new PurseError('NOT_READY');
    }
    return { status: 'ready' };
  });
};
