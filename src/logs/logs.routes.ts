import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';

/** Recent server and worker log lines. */
export const logsRoutes: FastifyPluginAsyncTypebox = async (_app) => {
  // routes are added by the change that builds this area
};
