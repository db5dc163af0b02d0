import { errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { PurseError } from '../errors/purse-error.ts';
import { publicAuth, StatusSchema } from './health-route-kit.ts';

export const registerReadinessRoute: RouteRegistrar = (app, ctx) => {
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
