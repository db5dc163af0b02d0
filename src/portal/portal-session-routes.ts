import type { RouteRegistrar } from '../api/kit.ts';
export const registerPortalSessionRoutes: RouteRegistrar = () => {};
