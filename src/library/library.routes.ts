import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** The library index: items, tree, actions. */
export const libraryRoutes: FastifyPluginAsyncTypebox = async (_app) => {
  // routes are added by the change that builds this area
};
