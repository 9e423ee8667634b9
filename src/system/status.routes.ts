import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { allLanguages } from '../languages.js';
import { Nullable } from '../http/schemas.js';
import { healthSummary, systemStatus } from './status.service.js';

const WorkersSummary = Type.Object({
  total_workers: Type.Integer(), cpu_workers: Type.Integer(), gpu_workers: Type.Integer(),
  idle_workers: Type.Integer(), busy_workers: Type.Integer(),
  total_jobs_completed: Type.Integer(), total_jobs_failed: Type.Integer(),
});
const QueueSummary = Type.Object({
  total_jobs: Type.Integer(), queued: Type.Integer(), processing: Type.Integer(),
  completed: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer(),
  needs_review: Type.Integer({ description: 'Completed jobs whose subtitle needs review (quality score under quality_review_threshold, not accepted yet)' }),
});
const ScannerSummary = Type.Object({
  scheduler_enabled: Type.Boolean(), scheduler_running: Type.Boolean(), next_scan_time: Nullable(Type.String()),
  watcher_enabled: Type.Boolean(), watcher_running: Type.Boolean(),
});

const PresetModels = Type.Object({ fast: Type.String(), balanced: Type.String(), best: Type.String() }, { description: 'The model each quality preset runs with' });
const TranscriptionSummary = Type.Object({
  engine: Type.String({ description: 'local (whisper.cpp), remote_asr or remote_openai (engine_backend)' }),
  preset: Type.String({ description: 'Preset of jobs created without one (transcription_preset)' }),
  model: Type.String({ description: 'Model the default preset runs with: whisper_model unless the preset has its own model' }),
  model_installed: Type.Boolean({ description: 'Whether that model file is on disk (always true for a remote engine)' }),
  provider_preset: Type.String({ description: 'Preset of provider requests (provider_quality_preset)' }),
  provider_model: Type.String({ description: 'Model provider requests run with' }),
  models: PresetModels,
});

const Health = Type.Object({
  status: Type.String({ description: 'healthy, degraded (a full disk) or unhealthy (no database)' }),
  database: Type.String({ description: 'connected or disconnected' }),
  workers: Type.Integer(),
  queue_size: Type.Integer(),
  disk_free_bytes: Nullable(Type.Integer({ description: 'free bytes on the disk holding the data folder' })),
  detail: Type.Optional(Type.String({ description: 'what is wrong and the fix, when not healthy' })),
});

export const systemRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;

  app.get('/health', {
    config: { access: 'open' },
    schema: {
      tags: ['System'], summary: 'Health check for monitoring systems (open: needs no API key)', security: [],
      description: '200 `healthy`; 503 `unhealthy` when the database does not answer, 503 `degraded` when the data folder\'s disk is full (or a write just failed for space), with `detail` saying what to free.',
      response: { 200: Health, 503: Health },
    },
  }, async (_req, reply) => {
    const h = await healthSummary(ctx);
    return reply.status(h.httpStatus).send(h.body);
  });

  app.get('/api/status', {
    schema: {
      tags: ['System'], summary: 'Complete system status overview',
      response: { 200: Type.Object({ system: Type.Object({ status: Type.String(), uptime_seconds: Type.Number() }), workers: WorkersSummary, queue: QueueSummary, scanner: ScannerSummary, transcription: TranscriptionSummary }) },
    },
  }, async () => systemStatus(ctx));

  app.get('/api/languages', {
    schema: {
      tags: ['System'], summary: 'Languages the API accepts (ISO 639-2 codes with English and native names)',
      response: { 200: Type.Array(Type.Object({ code: Type.String(), iso639_1: Nullable(Type.String()), name: Type.String(), native: Type.String() })) },
    },
  }, async () => allLanguages().map((l) => ({ code: l.code, iso639_1: l.iso6391, name: l.name, native: l.native })));
};
