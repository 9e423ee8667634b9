import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, errors } from '../http/schemas.js';
import { JobSchema, JobStatsSchema, CreateJobBody, JobEventSchema, BulkBody, BulkResultSchema, ListQuery, ClearQuery, RetryBody } from './jobs.schemas.js';
import { requireLanguage } from './jobs.service.js';
import { jobQualityRoutes } from './job-quality.routes.js';

const IdParams = Type.Object({ job_id: Type.String() });

export const jobsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const jobs = app.ctx.jobs;
  const tags = ['Jobs'];
  // Kept as bytes: a 50-job page is ~25 KB, and re-encoding the string on every send showed in the tail latency.
  const pageJson = new WeakMap<object, Buffer>();

  app.get('/', {
    schema: {
      tags, summary: 'List jobs with pagination and filtering (newest first)',
      querystring: ListQuery,
      response: { 200: Type.Object({ jobs: Type.Array(JobSchema), total: Type.Integer(), page: Type.Integer(), page_size: Type.Integer() }), ...errors(400) },
    },
  }, async (req, reply) => {
    const q = req.query;
    const result = await jobs.list({
      status: q.status_filter || undefined, page: q.page ?? 1, pageSize: q.page_size ?? 50,
      search: q.search, sort: q.sort, order: q.order, ruleId: q.rule_id, language: q.language, needsReview: q.needs_review,
    });
    // The service hands back the same object while the page is unchanged; its JSON is kept with it.
    let body = pageJson.get(result);
    if (body === undefined) {
      body = Buffer.from(reply.serialize(result) as string);
      pageJson.set(result, body);
    }
    return reply.type('application/json; charset=utf-8').send(body as never);
  });

  app.get('/stats', { schema: { tags, summary: 'Queue statistics, and how many subtitles need review', response: { 200: JobStatsSchema } } }, async () => jobs.stats());

  await app.register(jobQualityRoutes);

  app.get('/:job_id', {
    schema: { tags, summary: 'Get a job', params: IdParams, response: { 200: JobSchema, ...errors(404) } },
  }, async (req) => jobs.get(req.params.job_id));

  app.get('/:job_id/events', {
    schema: {
      tags, summary: "A job's timeline, oldest first",
      description: 'Created by which rule, webhook, user or provider request; claimed by which worker on which node; each stage with its time; each failed attempt with its reason; each retry by hand with the reason the attempt before failed; the end.',
      params: IdParams, response: { 200: Type.Object({ job_id: Type.String(), events: Type.Array(JobEventSchema) }), ...errors(404) },
    },
  }, async (req) => ({ job_id: req.params.job_id, events: await jobs.events(req.params.job_id) }));

  app.get('/:job_id/subtitle', {
    schema: {
      tags, summary: 'The subtitle file the job wrote (text), inline or with download=1 as an attachment',
      description: "Only the job's own output (its output_path), served as application/x-subrip (.srt), text/vtt (.vtt) or text/plain. 404 no_subtitle, naming why, when the job has none: not completed, no speech found, a provider request, or the file moved or deleted since.",
      params: IdParams,
      querystring: Type.Object({ download: Type.Optional(Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')], { description: '1 (or true): sent as an attachment (Content-Disposition) with the file name' })) }),
      response: { 200: Type.String({ description: 'The subtitle text' }), ...errors(404) },
    },
  }, async (req, reply) => {
    const sub = await jobs.subtitle(req.params.job_id);
    const name = encodeURIComponent(sub.fileName);
    return reply
      .type(sub.contentType)
      .header('content-disposition', `${req.query.download === '1' || req.query.download === 'true' ? 'attachment' : 'inline'}; filename*=UTF-8''${name}`)
      .header('x-subtitle-path', encodeURIComponent(sub.path))
      .header('cache-control', 'no-store')
      .send(sub.content as never);
  });

  app.post('/bulk', {
    schema: {
      tags, summary: 'Retry, cancel or remove selected jobs; each is done or refused with its reason',
      description: 'retry: failed jobs go back to the queue (refused: not failed, or another job for the file is live). cancel: queued or processing jobs (refused: already finished). remove: finished jobs leave the list with their timeline, their subtitle files stay (refused: still queued or running, cancel it first).',
      body: BulkBody, response: { 200: BulkResultSchema, ...errors(400) },
    },
  }, async (req) => jobs.bulk(req.body.action, req.body.ids));

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
    schema: {
      tags, summary: 'Retry a failed job, optionally with another quality preset',
      description: "The job goes back to the queue as a fresh start. An optional body `{\"quality_preset\": \"fast\"}` runs the new attempt with that preset (the timeline says so). A completed job is redone from the Library (`POST /api/library/actions`, action redo, with its own quality_preset), which replaces only a subtitle TranscriptorIO wrote.",
      params: IdParams, body: Type.Optional(RetryBody), 'x-optional-body': true, response: { 200: JobSchema, ...errors(400, 404, 409) },
    },
    // A POST without a body (every client before the preset) is the empty one: the schema then checks `{}`.
    preValidation: async (req) => {
      req.body ??= {};
    },
  }, async (req) => jobs.retry(req.params.job_id, undefined, { qualityPreset: req.body?.quality_preset }));

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
      querystring: ClearQuery,
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
