/**
 * Row types of every table, as Kysely sees them. Booleans are stored as 0/1
 * integers and times as ISO 8601 UTC text (epoch milliseconds where the queue
 * compares them), so one code path serves SQLite and PostgreSQL.
 */
import type { Generated, Insertable, Selectable, Updateable } from 'kysely';
import type { ErrorCode } from '../error-codes.js';
import type { JobMode, JobStatus } from '../job-kinds.js';
import type { QualityPreset } from '../quality-presets.js';

interface JobsTable {
  id: string;
  seq: number;
  file_path: string;
  file_name: string;
  /** JOB_TYPES, or a type of a test-only handler (TRANSCRIPTORIO_EXTRA_HANDLERS): text, not the union */
  job_type: string;
  status: JobStatus;
  priority: number;
  source_lang: string | null;
  target_lang: string;
  quality_preset: QualityPreset;
  transcribe_or_translate: JobMode;
  progress: number;
  current_stage: string | null;
  eta_seconds: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  output_path: string | null;
  segments_count: number | null;
  error: string | null;
  /** the registry code of `error` (src/error-codes.ts, migration 006); null while there is none */
  error_code: ErrorCode | null;
  retry_count: number;
  max_retries: number;
  worker_id: string | null;
  vram_used_mb: number | null;
  processing_time_seconds: number | null;
  model_used: string | null;
  device_used: string | null;
  is_manual_request: number;
  /** epoch ms; a processing job whose lease ran out goes back to the queue */
  lease_expires_at: number | null;
  /** epoch ms; a retried job waits until then (back-off) */
  not_before: number | null;
  cancel_requested: number;
  /** JSON: extra job parameters (audio language, rule, provider request) */
  options: string | null;
  /** JSON: what a finished job produced beyond the columns (provider results) */
  result: string | null;
  updated_at: string;
  /** epoch ms of the last change, for the live event stream */
  updated_ms: number;
  /** node that must run this job (its input is on that node's disk); null: any node */
  node_affinity: string | null;
  /** 0-100, the quality report's score (migration 015); null before a report exists */
  quality_score: Generated<number | null>;
  /** 1 while the score is under quality_review_threshold and nobody accepted the subtitle (default 0) */
  needs_review: Generated<number>;
  /** JSON: the QualityReport (src/transcription/quality/types.ts) */
  quality: Generated<string | null>;
  /** when a person accepted the subtitle (Accept); the flag stays cleared */
  review_accepted_at: Generated<string | null>;
  /** node of the worker that claimed the job last (migration 008); null until one did */
  node: string | null;
}

/** A provider upload in the database (migration 008): chunk `seq` of job `job_id`'s audio. */
interface JobBlobsTable {
  job_id: string;
  seq: number;
  data: Buffer;
  /** epoch ms the chunk was written (the clean-up's grace period for a job still being created) */
  created_ms: number;
}

interface JobStatusCountsTable {
  status: string;
  count: number;
  /** counter shard (migration 002): PostgreSQL spreads concurrent updates over 16 rows per status */
  shard: Generated<number>;
}

export interface ScanRulesTable {
  id: Generated<number>;
  name: string;
  enabled: number;
  priority: number;
  audio_language_is: string | null;
  audio_language_not: string | null;
  audio_track_count_min: number | null;
  has_embedded_subtitle_lang: string | null;
  missing_embedded_subtitle_lang: string | null;
  missing_external_subtitle_lang: string | null;
  file_extension: string | null;
  /** 1: the audio track must be in the media's original language (Sonarr/Radarr originalLanguage, migration 010); null: not checked */
  audio_is_original_language: number | null;
  action_type: JobMode;
  target_language: string;
  quality_preset: QualityPreset;
  job_priority: number;
  /** 1: sync external subtitles of target_language automatically when the gate passes (migration 016) */
  sync_external_subtitles: Generated<number>;
  created_at: string;
  updated_at: string | null;
}

interface SystemSettingsTable {
  id: Generated<number>;
  key: string;
  value: string;
  description: string | null;
  category: string;
  value_type: string;
  created_at: string;
  updated_at: string | null;
}

interface WorkersTable {
  worker_id: string;
  worker_type: string;
  device_id: number | null;
  node: string;
  pid: number | null;
  status: string;
  /** what the supervisor or API wants: running | stopping */
  desired_state: string;
  current_job_id: string | null;
  current_job_progress: number | null;
  current_job_eta: number | null;
  jobs_completed: number;
  jobs_failed: number;
  started_at: string;
  last_heartbeat_ms: number;
  error: string | null;
  model_loaded: string | null;
  /** epoch ms by which a worker asked to stop must have finished or handed back its job (migration 002) */
  stop_deadline_ms: number | null;
}

interface ProbeCacheTable {
  path: string;
  size: number;
  mtime_ms: number;
  probed_at: string;
  result: string;
}

/** A subtitle Bazarr's Wanted list asked for and the job that makes it (migration 010). */
export interface BazarrSyncItemsTable {
  id: Generated<number>;
  /** 'episode' (bazarr_id: sonarrEpisodeId, series_id: sonarrSeriesId) or 'movie' (bazarr_id: radarrId) */
  media_kind: string;
  bazarr_id: number;
  series_id: number | null;
  /** Bazarr's language code (ISO 639-1, as its API takes it) */
  language: string;
  forced: number;
  hi: number;
  file_path: string;
  job_id: string | null;
  /** queued (job live), uploaded, upload_failed, job_failed */
  status: string;
  error: string | null;
  created_ms: number;
  updated_ms: number;
}

interface AppStateTable {
  key: string;
  value: string;
}

/** One thing that happened to a job (migration 013; written by src/jobs/job-events.repository.ts). */
interface JobEventsTable {
  id: Generated<number>;
  job_id: string;
  /** epoch ms */
  at_ms: number;
  /** JOB_EVENT_KINDS (src/jobs/job-events.repository.ts) */
  kind: string;
  stage: string | null;
  worker_id: string | null;
  node: string | null;
  error_code: string | null;
  message: string | null;
  /** JSON: details of the event (creator, attempt, output) */
  data: string | null;
}

/**
 * The library index (migration 009): one row per media file the scanner has
 * analysed. Language lists are `,jpn,eng,` text; `analysis`, `wanted` and
 * `jobs` are JSON (see src/library/library.repository.ts).
 */
export interface LibraryItemsTable {
  id: Generated<number>;
  path: string;
  folder: string;
  root: string | null;
  file_name: string;
  kind: string;
  title: string;
  show: string | null;
  season: number | null;
  episode: number | null;
  episode_end: number | null;
  year: number | null;
  sort_key: string;
  search_text: string;
  size: number;
  mtime_ms: number;
  duration_seconds: number | null;
  is_video: number;
  analysis: string;
  probe_error: string | null;
  /** audio and subtitle languages together (the list's language filter) */
  langs: string;
  audio_langs: string;
  subtitle_langs: string;
  generated_langs: string;
  has_generated: number;
  /** 1 when the latest job of one of its languages needs review (migration 015) */
  needs_review: number;
  wanted: string;
  wanted_langs: string;
  wanted_count: number;
  decision: string | null;
  jobs: string;
  failed_langs: string;
  failed: number;
  /** 1 when one of its subtitles was measured out of sync (migration 016) */
  out_of_sync: Generated<number>;
  /** 'file' (a marker beside the file) or 'folder' (a marker in a folder above); null: not ignored */
  ignored_by: string | null;
  missing: number;
  indexed_at: string;
  updated_at: string;
  updated_ms: number;
}

/** Silero speech spans of a media file (migration 016; src/sync/sync.repository.ts). */
interface MediaSpeechTable {
  path: string;
  size: number;
  mtime_ms: number;
  stream_index: number | null;
  language: string | null;
  duration: number;
  /** JSON [[start, end], ...] seconds */
  spans: string;
  computed_ms: number;
}

/** A subtitle measured against the speech (migration 016). */
interface SubtitleSyncChecksTable {
  /** the subtitle file, or `<media path>#s:<stream index>` for an embedded track */
  subtitle: string;
  media_path: string;
  size: number;
  mtime_ms: number;
  /** in_sync, fix (out of sync, a fix passes the gate), refused */
  verdict: string;
  offset_seconds: number;
  ratio: number;
  score_before: number;
  score_after: number;
  summary: string;
  checked_ms: number;
}

/** A sync written to a subtitle, with the user's original kept (migration 016). */
interface SubtitleSyncsTable {
  id: Generated<number>;
  media_path: string;
  subtitle: string;
  backup: string;
  written_sha256: string;
  /** JSON SyncPlan */
  plan: string;
  summary: string;
  created_ms: number;
  undone_ms: number | null;
}

export interface Database {
  jobs: JobsTable;
  job_events: JobEventsTable;
  job_blobs: JobBlobsTable;
  job_status_counts: JobStatusCountsTable;
  scan_rules: ScanRulesTable;
  system_settings: SystemSettingsTable;
  workers: WorkersTable;
  probe_cache: ProbeCacheTable;
  app_state: AppStateTable;
  bazarr_sync_items: BazarrSyncItemsTable;
  library_items: LibraryItemsTable;
  media_speech: MediaSpeechTable;
  subtitle_sync_checks: SubtitleSyncChecksTable;
  subtitle_syncs: SubtitleSyncsTable;
}

export type JobRow = Selectable<JobsTable>;
export type NewJobRow = Insertable<JobsTable>;
export type JobUpdate = Updateable<JobsTable>;
export type ScanRuleRow = Selectable<ScanRulesTable>;
export type SettingRow = Selectable<SystemSettingsTable>;
export type WorkerRow = Selectable<WorkersTable>;
export type JobEventRow = Selectable<JobEventsTable>;
export type SubtitleSyncCheckRow = Selectable<SubtitleSyncChecksTable>;
export type SubtitleSyncRow = Selectable<SubtitleSyncsTable>;
