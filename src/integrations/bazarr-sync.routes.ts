import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Bazarr Wanted sync: status and Sync now. */
export const bazarrSyncRoutes: FastifyPluginAsyncTypebox = async (_app) => {
  // routes are added by the change that builds this area
};
