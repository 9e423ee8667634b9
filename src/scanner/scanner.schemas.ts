/** TypeBox schemas of the scanner API (validation, reply shape and OpenAPI in one). */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable, OneOf } from '../http/schemas.js';
import { SCAN_RUN_STATUSES } from './scan-runs.js';

const AudioTrackSchema = Type.Object({
  index: Type.Integer({ description: 'Position among the audio streams (ffmpeg -map 0:a:N)' }),
  stream_index: Type.Integer({ description: 'Position among all streams' }),
  codec: Nullable(Type.String()),
  language: Nullable(Type.String({ description: 'ISO 639-2/T, null when untagged' })),
  channels: Nullable(Type.Integer()),
  default: Type.Boolean(),
  title: Nullable(Type.String()),
});

const EmbeddedSubtitleSchema = Type.Object({
  index: Type.Integer({ description: 'Position among the subtitle streams (ffmpeg -map 0:s:N)' }),
  stream_index: Type.Integer(),
  language: Nullable(Type.String()),
  codec: Nullable(Type.String()),
  forced: Type.Boolean(),
  default: Type.Boolean(),
  hearing_impaired: Type.Boolean(),
  title: Nullable(Type.String()),
});

const ExternalSubtitleSchema = Type.Object({
  path: Type.String(),
  language: Nullable(Type.String()),
  format: Type.String({ description: 'srt, ass, ssa, vtt, vobsub, sub, sup, ...' }),
  forced: Type.Boolean(),
  sdh: Type.Boolean(),
  generated: Type.Boolean({ description: 'Written by TranscriptorIO' }),
});

export const AnalysisSchema = Type.Object({
  file_path: Type.String(),
  audio_tracks: Type.Array(AudioTrackSchema),
  embedded_subtitles: Type.Array(EmbeddedSubtitleSchema),
  external_subtitles: Type.Array(ExternalSubtitleSchema),
  duration_seconds: Nullable(Type.Number()),
  is_video: Type.Boolean({ description: 'false for audio-only files (cover art does not count)' }),
  format_name: Nullable(Type.String()),
});

export const DecisionSchema = Type.Object({
  file_path: Type.String(),
  action: Type.Union([Type.Literal('job'), Type.Literal('skip')]),
  reason: Type.String(),
  rule_id: Type.Optional(Type.Integer()),
  rule_name: Type.Optional(Type.String()),
  target_language: Type.Optional(Type.String()),
  job_id: Type.Optional(Type.String({ description: 'The job this scan created for the file (real scans)' })),
});

const FileError = Type.Object({ path: Type.String(), error: Type.String() });

export const ScanResultSchema = Type.Object({
  scanned_files: Type.Integer({ description: 'Media files found (including unreadable ones)' }),
  matched_files: Type.Integer({ description: 'Files a rule matched that need a subtitle' }),
  jobs_created: Type.Integer(),
  skipped_files: Type.Integer(),
  paths_scanned: Type.Array(Type.String()),
  errors: Type.Integer({ description: 'Unreadable, corrupt or vanished files and folders' }),
  error_files: Type.Array(FileError),
  ignored_files: Type.Integer({ description: 'Files that are not media (other extensions, temporary files)' }),
  probed_files: Type.Integer({ description: 'Files ffprobe read; the others came from the probe cache' }),
  duration_seconds: Type.Number(),
  dry_run: Type.Boolean(),
  started_at: Type.String(),
  finished_at: Type.String(),
  cancelled: Type.Optional(Type.Boolean({ description: 'The scan was cancelled: the counts cover the files handled until then' })),
  decisions: Type.Optional(Type.Array(DecisionSchema, { description: 'Per-file decisions with their reasons: every file of a dry run; up to 20,000 files of a real scan, with the ids of the jobs it created' })),
});

export const ScanBody = Type.Object({
  paths: Type.Optional(Type.Array(Type.String(), { description: 'Absolute folders (or files); default: the library_paths setting' })),
  recursive: Type.Optional(Type.Boolean({ description: 'Include subfolders (default: the scanner_recursive setting)' })),
  dry_run: Type.Optional(Type.Boolean({ description: 'Decide without creating jobs; the reply lists every decision' })),
});

export const SchedulerBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  cron_expression: Type.Optional(Nullable(Type.String({ description: 'Cron expression (5 or 6 fields); empty: use scanner_schedule_interval_minutes' }))),
  paths: Type.Optional(Type.Array(Type.String())),
  recursive: Type.Optional(Type.Boolean()),
});

export const WatcherBody = Type.Object({
  enabled: Type.Optional(Type.Boolean()),
  paths: Type.Optional(Type.Array(Type.String())),
  recursive: Type.Optional(Type.Boolean()),
});

const progressFields = {
  scanned_files: Type.Integer(), total_files: Type.Integer(), current_path: Nullable(Type.String()), jobs_created: Type.Integer(), skipped_files: Type.Integer(),
};
const Progress = Type.Object(progressFields);
const ScanId = Type.String({ description: 'Id of a scan run of this server process' });
const CurrentScan = Type.Object({ scan_id: ScanId, ...progressFields });

export const ScanQuery = Type.Object({
  wait: Type.Optional(Type.Boolean({ default: true, description: 'false: answer 202 with the scan_id at once and let the scan run; follow it at GET /api/scanner/scans/{scan_id}' })),
});

export const ScanStartedSchema = Type.Object({
  scan_id: ScanId,
  status: Type.Literal('running'),
  message: Type.String(),
});

export const ScanIdParams = Type.Object({ scan_id: ScanId });

export const ScanRunSchema = Type.Object({
  scan_id: ScanId,
  status: OneOf(SCAN_RUN_STATUSES),
  trigger: Type.String({ description: 'manual, scheduled or cli' }),
  dry_run: Type.Boolean(),
  paths: Type.Array(Type.String()),
  progress: Progress,
  started_at: Type.String(),
  finished_at: Nullable(Type.String()),
  result: Nullable(ScanResultSchema),
  error: Nullable(Type.String({ description: 'Why a failed scan stopped' })),
});

export const StatusSchema = Type.Object({
  scheduler_enabled: Type.Boolean(),
  scheduler_running: Type.Boolean(),
  next_scan_time: Nullable(Type.String()),
  watcher_enabled: Type.Boolean(),
  watcher_running: Type.Boolean(),
  watched_paths: Type.Array(Type.String()),
  last_scan_time: Nullable(Type.String()),
  total_scans: Type.Integer(),
  schedule: Nullable(Type.String({ description: 'e.g. "every 360 minutes" or "cron: 0 2 * * *"' })),
  scan_running: Type.Boolean(),
  current_scan: Nullable(CurrentScan),
  last_scan: Nullable(Type.Omit(ScanResultSchema, ['decisions'])),
});
