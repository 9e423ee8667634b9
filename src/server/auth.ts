/**
 * Wires the request guard (security/request-guard.ts) into the app: one
 * onRequest hook for every route, and a helper that marks the routes a
 * plugin registers as open. Which routes are open is listed in one place,
 * docs/SECURITY.md, and marked where they are registered (app.ts).
 */
import type { FastifyInstance } from 'fastify';
import type { AppContext } from './context.js';
import { requestGuard, type RouteAccess } from '../security/request-guard.js';

export function registerAuth(app: FastifyInstance, ctx: AppContext): void {
  app.addHook('onRequest', requestGuard(ctx.settings));
}

/** Gives every route registered in `scope` (and its children) this access, unless a route says otherwise. */
export function markRoutes(scope: FastifyInstance, access: RouteAccess): void {
  scope.addHook('onRoute', (route) => {
    route.config = { ...(route.config ?? {}), access: route.config?.access ?? access };
  });
}
