import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';
import { JOB_MODES, JOB_STATUSES, JOB_TYPES } from '../job-kinds.js';

/**
 * A string that is one of `values`: `{ type: 'string', enum }` in the OpenAPI
 * document (3.0, where openapi-typescript makes it a union), the union as its
 * static type. Not a Type.Union of literals: the response serializer would
 * then have to match a branch (anyOf) for every job it writes.
 */
const OneOf = <T extends string>(values: readonly T[], description?: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...(description ? { description } : {}) });

export const JobSchema = Type.Object({
  id: Type.String(),
  file_path: Type.String(),
  file_name: Type.String(),
  job_type: OneOf(JOB_TYPES, 'What the job does: a library file (transcription) or a provider request'),
  status: OneOf(JOB_STATUSES),
  priority: Type.Integer(),
  source_lang: Nullable(Type.String()),
  target_lang: Type.String(),
  quality_preset: Type.String(),
  transcribe_or_translate: OneOf(JOB_MODES),
  progress: Type.Number(),
  current_stage: Nullable(Type.String()),
  eta_seconds: Nullable(Type.Integer()),
  created_at: Type.String({ format: 'date-time' }),
  started_at: Nullable(Type.String()),
  completed_at: Nullable(Type.String()),
  output_path: Nullable(Type.String()),
  segments_count: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  error_code: Nullable(Type.String({ description: 'What went wrong, as a stable code beside the message in error (file_not_found, media_unreadable, corrupt_media, incomplete_media, output_not_writable, disk_full, engine_failed, worker_lost, ...); null while the job has no error' })),
  retry_count: Type.Integer(),
  max_retries: Type.Integer(),
  worker_id: Nullable(Type.String()),
  vram_used_mb: Nullable(Type.Integer()),
  processing_time_seconds: Nullable(Type.Number()),
  model_used: Nullable(Type.String()),
  device_used: Nullable(Type.String()),
  is_manual_request: Type.Boolean(),
  node: Nullable(Type.String({ description: 'Name of the machine (node) whose worker ran the job last; null until a worker claimed it' })),
});

export const JobStatsSchema = Type.Object({
  total_jobs: Type.Integer(), queued: Type.Integer(), processing: Type.Integer(),
  completed: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer(),
});

export const CreateJobBody = Type.Object({
  file_path: Type.String({ minLength: 1, description: 'Full path to the media file (absolute, inside library_paths or allowed_media_roots; stored resolved)' }),
  file_name: Type.String({ minLength: 1, description: 'File name' }),
  source_lang: Type.Optional(Nullable(Type.String({ description: 'Audio language (ISO 639-2); detected when absent' }))),
  target_lang: Type.String({ minLength: 1, description: 'Target subtitle language (ISO 639-2)' }),
  quality_preset: Type.Optional(Type.String({ description: 'fast, balanced or best' })),
  transcribe_or_translate: Type.Optional(Type.String({ description: 'transcribe or translate' })),
  priority: Type.Optional(Type.Integer({ description: 'Higher is processed first' })),
  is_manual_request: Type.Optional(Type.Boolean({ default: true })),
  audio_language: Type.Optional(Nullable(Type.String({ description: 'Pick the audio track in this language (ISO 639-2)' }))),
});

export const JobEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'created, claimed, stage, retry_scheduled (an attempt failed and another follows), requeued (retried by hand), handed_back, completed, failed or cancelled' }),
  stage: Nullable(Type.String({ description: 'the stage entered (kind stage), or the stage an attempt had reached when it ended' })),
  worker_id: Nullable(Type.String()),
  node: Nullable(Type.String()),
  error_code: Nullable(Type.String({ description: 'why the attempt failed (failed, retry_scheduled), or why the previous one did (requeued)' })),
  message: Nullable(Type.String({ description: 'what happened, for a person' })),
  data: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'details: creator (by, rule_id, rule_name, source), attempt, next_attempt_at, previous_error, output_path, ...' })),
});

export const BulkBody = Type.Object({
  action: Type.String({ description: 'retry (failed jobs), cancel (queued or processing jobs) or remove (finished jobs; their subtitle files stay)' }),
  ids: Type.Array(Type.String(), { minItems: 1, maxItems: 500, description: 'the job ids, at most 500' }),
});

export const BulkResultSchema = Type.Object({
  action: Type.String(),
  done: Type.Integer(),
  refused: Type.Integer(),
  message: Type.String(),
  results: Type.Array(Type.Object({
    id: Type.String(),
    outcome: Type.Unsafe<'done' | 'refused'>({ type: 'string', enum: ['done', 'refused'] }),
    status: Nullable(Type.String({ description: "the job's status after the action; null once removed" })),
    reason: Nullable(Type.String({ description: 'why the action was refused for this job' })),
  })),
});
