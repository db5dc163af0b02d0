import { errorResponses, type RouteRegistrar } from '../api/kit.ts';
import { publicAuth, StatusSchema } from './health-route-kit.ts';

export const registerLivenessRoute: RouteRegistrar = (app) => {
  app.get('/healthz', {
    config: publicAuth,
    schema: { tags: ['Operations'], summary: 'Liveness: the process answers', response: { 200: StatusSchema, ...errorResponses() } },
  }, async () => ({ status: 'ok' }));
};
