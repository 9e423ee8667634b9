import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, errors } from '../http/schemas.js';
import { ModelSchema, RecommendationSchema } from './models.schemas.js';

const NameParams = Type.Object({ name: Type.String() });

export const modelsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const models = ctx.models;
  const tags = ['Models'];

  app.get('/', { schema: { tags, summary: 'Installed and available Whisper and VAD models', response: { 200: Type.Array(ModelSchema) } } },
    async () => models.list());

  app.get('/recommendation', {
    schema: {
      tags, summary: 'The model suggested for this machine (CPU cores, memory, GPU memory), the model folder and the model jobs use now',
      querystring: Type.Object({ worker_type: Type.Optional(Type.Union([Type.Literal('cpu'), Type.Literal('gpu')], { description: 'Weigh the GPU (gpu) or only the CPU (cpu); absent: from the worker settings' })) }),
      response: { 200: RecommendationSchema },
    },
  }, async (req) => models.recommendation(req.query.worker_type ? { preferGpu: req.query.worker_type === 'gpu' } : {}));

  app.post('/:name/download', {
    schema: {
      tags, summary: 'Download a model in the background (progress: model.download events on /api/events)',
      params: NameParams, response: { 200: Message, 202: Message, ...errors(400, 409) },
    },
  }, async (req, reply) => {
    const r = await models.startDownload(req.params.name);
    return reply.status(r.started ? 202 : 200).send({ message: r.message });
  });

  app.delete('/:name/download', {
    schema: { tags, summary: 'Cancel a running download', params: NameParams, response: { 200: Message, ...errors(404) } },
  }, async (req) => {
    models.cancelDownload(req.params.name);
    return { message: `Download of model ${req.params.name} cancelled` };
  });

  app.delete('/:name', {
    schema: { tags, summary: 'Delete an installed model', params: NameParams, response: { 200: Message, ...errors(404, 409) } },
  }, async (req) => {
    await models.remove(req.params.name);
    return { message: `Model ${req.params.name} deleted` };
  });
};
