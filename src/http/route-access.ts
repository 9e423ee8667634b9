/**
 * Marks who may call the routes a plugin registers (security/request-guard.ts
 * decides on the route that matched). Which routes are open is listed in one
 * place, docs/SECURITY.md.
 */
import type { FastifyInstance } from 'fastify';
import type { RouteAccess } from '../security/request-guard.js';

/** Gives every route registered in `scope` (and its children) this access, unless a route says otherwise. */
export function markRoutes(scope: FastifyInstance, access: RouteAccess): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), access: route.config?.access ?? access };
  });
}
