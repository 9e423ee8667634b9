import { Type } from '@fastify/type-provider-typebox';
import { Bounded, Nullable, OneOf } from '../http/schemas.js';
import { JOB_MODES, JOB_STATUSES, JOB_TYPES, TERMINAL_STATUSES } from '../job-kinds.js';
import { QUALITY_PRESETS } from '../quality-presets.js';
import { JOB_SORTS } from './jobs.repository.js';
import { BULK_ACTIONS, MAX_BULK_IDS } from './jobs-bulk.js';

/** GET /api/jobs: the contract's page, and the refinements (search, sort, order, rule, language). */
export const ListQuery = Type.Object({
  status_filter: Type.Optional(OneOf(JOB_STATUSES, { description: 'queued, processing, completed, failed or cancelled', error: 'bad_status', allowEmpty: true })),
  page: Type.Optional(Bounded({ default: 1, minimum: 1, maximum: 2147483647 }, { description: 'Page number (1-based)', error: 'bad_page', message: { default: 'page must be an integer of at least 1', maximum: 'page must be at most 2147483647' } })),
  page_size: Type.Optional(Bounded({ default: 50, minimum: 1, maximum: 500 }, { description: 'Items per page (max 500)', error: 'bad_page_size', message: 'page_size must be an integer between 1 and 500' })),
  search: Type.Optional(Type.String({ maxLength: 500, description: 'Only jobs whose file path contains this text (any case)' })),
  sort: Type.Optional(OneOf(JOB_SORTS, { description: 'added (default), priority or status (running, queued, failed, cancelled, completed)', error: 'bad_sort', allowEmpty: true })),
  order: Type.Optional(OneOf(['asc', 'desc'] as const, { description: 'desc (default: newest, highest priority, running first) or asc', error: 'bad_sort', message: 'order must be asc or desc, got "{value}"', allowEmpty: true })),
  rule_id: Type.Optional(Bounded({ minimum: 1 }, { description: 'Only jobs the scan rule with this id created', error: 'bad_request', message: 'rule_id must be a positive integer (a scan rule id)' })),
  language: Type.Optional(Type.String({ description: 'Only jobs with this audio or subtitle language (ISO 639-2)' })),
  // The error keywords of http/schemas.ts (x-error-code, x-error-message): a bad value is a 400 bad_filter that names it.
  needs_review: Type.Optional(Type.Boolean({
    description: 'true: only jobs whose subtitle needs review (its quality score is under quality_review_threshold and nobody accepted it); false: only the others',
    'x-error-code': 'bad_filter',
    'x-error-message': 'needs_review must be true or false, got "{value}"',
  })),
});

/** POST /api/jobs/queue/clear: which finished jobs go. */
export const ClearQuery = Type.Object({
  status: Type.Optional(OneOf(TERMINAL_STATUSES, {
    description: 'completed (default), failed or cancelled',
    error: 'bad_status',
    message: `status must be one of ${TERMINAL_STATUSES.join(', ')} (only finished jobs can be cleared), got "{value}"`,
    allowEmpty: true,
  })),
});

export const JobSchema = Type.Object({
  id: Type.String(),
  file_path: Type.String(),
  file_name: Type.String(),
  job_type: OneOf(JOB_TYPES, 'What the job does: a library file (transcription) or a provider request'),
  status: OneOf(JOB_STATUSES),
  priority: Type.Integer(),
  source_lang: Nullable(Type.String()),
  target_lang: Type.String(),
  quality_preset: OneOf(QUALITY_PRESETS),
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
  needs_review: Type.Boolean({ description: 'True while the subtitle\'s quality score is under quality_review_threshold and nobody accepted it (POST /api/jobs/{job_id}/review/accept)' }),
  quality_score: Nullable(Type.Number({ description: 'The subtitle\'s quality score, 0-100 (GET /api/jobs/{job_id}/quality has the report); null for a job without a report' })),
});

export const JobStatsSchema = Type.Object({
  total_jobs: Type.Integer(), queued: Type.Integer(), processing: Type.Integer(),
  completed: Type.Integer(), failed: Type.Integer(), cancelled: Type.Integer(),
  needs_review: Type.Integer({ description: 'Completed jobs whose subtitle needs review (GET /api/jobs?needs_review=true lists them)' }),
});

export const CreateJobBody = Type.Object({
  file_path: Type.String({ minLength: 1, description: 'Full path to the media file (absolute, inside library_paths or allowed_media_roots; stored resolved)' }),
  file_name: Type.Optional(Type.String({ minLength: 1, description: 'File name; the path\'s last part when absent' })),
  source_lang: Type.Optional(Nullable(Type.String({ description: 'Audio language (ISO 639-2); detected when absent' }))),
  target_lang: Type.String({ minLength: 1, description: 'Target subtitle language (ISO 639-2)' }),
  quality_preset: Type.Optional(OneOf(QUALITY_PRESETS, { description: 'fast, balanced or best (default: the transcription_preset setting)', error: 'bad_quality_preset', message: `Invalid quality preset "{value}": use one of ${QUALITY_PRESETS.join(', ')}` })),
  transcribe_or_translate: Type.Optional(OneOf(JOB_MODES, { description: 'transcribe or translate (default: the transcribe_or_translate setting)', error: 'bad_mode', message: `transcribe_or_translate must be ${JOB_MODES.join(' or ')}, got "{value}"` })),
  priority: Type.Optional(Type.Integer({ description: 'Higher is processed first' })),
  is_manual_request: Type.Optional(Type.Boolean({ default: true })),
  audio_language: Type.Optional(Nullable(Type.String({ description: 'Pick the audio track in this language (ISO 639-2)' }))),
});

/** POST /api/jobs/{job_id}/retry: the body is optional; without it the job runs again as it was. */
export const RetryBody = Type.Object({
  quality_preset: Type.Optional(OneOf(QUALITY_PRESETS, {
    description: "fast, balanced or best: the new attempt runs with this preset (kept on the job); default: the job's own",
    error: 'bad_quality_preset',
    message: `Invalid quality preset "{value}": use one of ${QUALITY_PRESETS.join(', ')}`,
  })),
});

export const JobEventSchema = Type.Object({
  id: Type.Integer(),
  at: Type.String({ format: 'date-time' }),
  kind: Type.String({ description: 'created, claimed, stage, retry_scheduled (an attempt failed and another follows), requeued (retried by hand), handed_back, quality_retry (a flagged segment decoded again, before completed), completed, failed, cancelled or review_accepted (a person accepted a subtitle that needed review)' }),
  stage: Nullable(Type.String({ description: 'the stage entered (kind stage), or the stage an attempt had reached when it ended' })),
  worker_id: Nullable(Type.String()),
  node: Nullable(Type.String()),
  error_code: Nullable(Type.String({ description: 'why the attempt failed (failed, retry_scheduled), or why the previous one did (requeued)' })),
  message: Nullable(Type.String({ description: 'what happened, for a person' })),
  data: Nullable(Type.Record(Type.String(), Type.Unknown(), { description: 'details: creator (by, rule_id, rule_name, source), attempt, next_attempt_at, previous_error, output_path, ...' })),
});

export const BulkBody = Type.Object({
  action: OneOf(BULK_ACTIONS, { description: 'retry (failed jobs), cancel (queued or processing jobs) or remove (finished jobs; their subtitle files stay)', error: 'bad_bulk_action' }),
  ids: Type.Array(Type.String(), { minItems: 1, maxItems: MAX_BULK_IDS, description: `the job ids, at most ${MAX_BULK_IDS}` }),
});

export const BulkResultSchema = Type.Object({
  action: Type.String(),
  done: Type.Integer(),
  refused: Type.Integer(),
  message: Type.String(),
  results: Type.Array(Type.Object({
    id: Type.String(),
    outcome: OneOf(['done', 'refused'] as const),
    status: Nullable(Type.String({ description: "the job's status after the action; null once removed" })),
    reason: Nullable(Type.String({ description: 'why the action was refused for this job' })),
  })),
});
