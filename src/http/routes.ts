import type { RouteRegistrar } from '../api/kit.ts';
import { registerAdminKeyRoutes } from '../tenants/admin-key-routes.ts';
import { registerAdminTenantRoutes } from '../tenants/admin-tenant-routes.ts';
import { registerWalletRoute } from '../wallet/wallet-route.ts';
import { registerHealthRoutes } from './health-routes.ts';

/** Every route of the product, in the order they appear in the docs. */
export const ROUTES: RouteRegistrar[] = [
  registerHealthRoutes,
  registerAdminTenantRoutes,
  registerAdminKeyRoutes,
  registerWalletRoute,
];
