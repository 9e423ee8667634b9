/** Workers API (prefix /api/workers): the pool of every node, and this node's pool controls. */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, Nullable, errors } from '../http/schemas.js';
import { WorkerSchema, StatsSchema } from './workers.schemas.js';

const Timeout = Type.Object({ timeout: Type.Optional(Type.Number({ default: 30, description: 'seconds a running job may take to finish before it is handed back to the queue' })) });

export const workersRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const service = app.ctx.workers.service;
  const tags = ['Workers'];

  app.get('/', { schema: { tags, summary: 'List all workers of every node and their status', response: { 200: Type.Array(WorkerSchema) } } }, async () => service.list());

  app.get('/stats', { schema: { tags, summary: 'Worker pool statistics', response: { 200: StatsSchema } } }, async () => service.stats());

  app.get('/:worker_id', {
    schema: { tags, summary: 'One worker', params: Type.Object({ worker_id: Type.String() }), response: { 200: WorkerSchema, ...errors(404) } },
  }, async (req) => service.get(req.params.worker_id));

  app.post('/', {
    schema: {
      tags, summary: 'Add a worker to this node\'s pool',
      body: Type.Object({ worker_type: Type.String({ description: 'cpu or gpu' }), device_id: Type.Optional(Nullable(Type.Integer({ description: 'GPU device id (GPU workers)' }))) }),
      response: { 201: WorkerSchema, ...errors(400) },
    },
  }, async (req, reply) => reply.status(201).send(await service.add(req.body)));

  app.delete('/:worker_id', {
    schema: {
      tags, summary: 'Remove a worker: its running job finishes, or is handed back to the queue after the timeout',
      params: Type.Object({ worker_id: Type.String() }), querystring: Timeout, response: { 200: Message, ...errors(400, 404) },
    },
  }, async (req) => {
    await service.remove(req.params.worker_id, req.query.timeout);
    return { message: `Worker ${req.params.worker_id} removed successfully` };
  });

  app.post('/pool/start', {
    schema: {
      tags, summary: 'Start workers on this node',
      querystring: Type.Object({ cpu_workers: Type.Optional(Type.Integer({ default: 0 })), gpu_workers: Type.Optional(Type.Integer({ default: 0 })) }),
      response: { 200: Message, ...errors(400) },
    },
  }, async (req) => ({ message: await service.startPool(req.query.cpu_workers ?? 0, req.query.gpu_workers ?? 0) }));

  app.post('/pool/stop', {
    schema: { tags, summary: 'Stop every worker (running jobs finish or are handed back after the timeout)', querystring: Timeout, response: { 200: Message, ...errors(400) } },
  }, async (req) => ({ message: await service.stopPool(req.query.timeout) }));
};
