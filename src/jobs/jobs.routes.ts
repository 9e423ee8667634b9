import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, errors } from '../server/schemas.js';
import { JobSchema, JobStatsSchema, CreateJobBody } from './jobs.schemas.js';
import { requireLanguage } from './jobs.service.js';

const IdParams = Type.Object({ job_id: Type.String() });

export const jobsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const jobs = app.ctx.jobs;
  const tags = ['Jobs'];
  // Kept as bytes: a 50-job page is ~25 KB, and re-encoding the string on every send showed in the tail latency.
  const pageJson = new WeakMap<object, Buffer>();

  app.get('/', {
    schema: {
      tags, summary: 'List jobs with pagination and filtering (newest first)',
      querystring: Type.Object({
        status_filter: Type.Optional(Type.String({ description: 'queued, processing, completed, failed or cancelled' })),
        page: Type.Optional(Type.Integer({ default: 1, maximum: 2147483647, description: 'Page number (1-based)' })),
        page_size: Type.Optional(Type.Integer({ default: 50, description: 'Items per page (max 500)' })),
      }),
      response: { 200: Type.Object({ jobs: Type.Array(JobSchema), total: Type.Integer(), page: Type.Integer(), page_size: Type.Integer() }), ...errors(400) },
    },
  }, async (req, reply) => {
    const result = await jobs.list({ status: req.query.status_filter || undefined, page: req.query.page ?? 1, pageSize: req.query.page_size ?? 50 });
    // The service hands back the same object while the page is unchanged; its JSON is kept with it.
    let body = pageJson.get(result);
    if (body === undefined) {
      body = Buffer.from(reply.serialize(result) as string);
      pageJson.set(result, body);
    }
    return reply.type('application/json; charset=utf-8').send(body as never);
  });

  app.get('/stats', { schema: { tags, summary: 'Queue statistics', response: { 200: JobStatsSchema } } }, async () => jobs.stats());

  app.get('/:job_id', {
    schema: { tags, summary: 'Get a job', params: IdParams, response: { 200: JobSchema, ...errors(404) } },
  }, async (req) => jobs.get(req.params.job_id));

  app.post('/', {
    schema: {
      tags, summary: 'Create a transcription job',
      description: 'file_path must lie inside library_paths or allowed_media_roots (after resolving .. and symlinks); any other path is a 403 outside_library.',
      body: CreateJobBody, response: { 201: JobSchema, ...errors(400, 403, 409) },
    },
  }, async (req, reply) => {
    const { audio_language, ...body } = req.body;
    const job = await jobs.createFromRequest({
      ...body,
      options: audio_language ? { audio_language: requireLanguage(audio_language, 'audio_language') } : undefined,
    }, app.ctx.settings);
    return reply.status(201).send(job);
  });

  app.post('/:job_id/retry', {
    schema: { tags, summary: 'Retry a failed job', params: IdParams, response: { 200: JobSchema, ...errors(400, 404, 409) } },
  }, async (req) => jobs.retry(req.params.job_id));

  const cancel = async (id: string) => {
    await jobs.cancel(id);
    return { message: `Job ${id} cancelled successfully` };
  };
  app.delete('/:job_id', {
    schema: { tags, summary: 'Cancel a job', params: IdParams, response: { 200: Message, ...errors(400, 404) } },
  }, async (req) => cancel(req.params.job_id));
  app.post('/:job_id/cancel', {
    schema: { tags, summary: 'Cancel a job (POST alias for DELETE)', params: IdParams, response: { 200: Message, ...errors(400, 404) } },
  }, async (req) => cancel(req.params.job_id));

  app.post('/queue/clear', {
    schema: {
      tags, summary: 'Clear all completed jobs from the queue (or, with status, the failed or cancelled ones); subtitle files stay',
      querystring: Type.Object({ status: Type.Optional(Type.String({ description: 'completed (default), failed or cancelled' })) }),
      response: { 200: Message, ...errors(400) },
    },
  }, async (req) => {
    const status = req.query.status || 'completed';
    const n = await jobs.clear(status);
    return { message: `Cleared ${n} ${status} ${n === 1 ? 'job' : 'jobs'}` };
  });

  app.post('/retry-failed', {
    schema: {
      tags, summary: 'Retry every failed job (a job whose file already has another live job is skipped)',
      response: { 200: Type.Object({ message: Type.String(), retried: Type.Integer(), skipped: Type.Integer() }) },
    },
  }, async () => {
    const r = await jobs.retryAllFailed();
    const skipped = r.skipped ? `; ${r.skipped} skipped (another job for the same file is queued or running)` : '';
    return { ...r, message: `Retried ${r.retried} failed ${r.retried === 1 ? 'job' : 'jobs'}${skipped}` };
  });
};
