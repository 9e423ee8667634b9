/**
 * Every error code of the project, defined once. A code knows whether another
 * attempt could succeed (`retryable`: the job runner reads it) and which HTTP
 * status it gives at the edge (`status`: a request answered with it, or a
 * provider request whose job failed with it). Jobs store the code beside the
 * message (`jobs.error_code`), so nothing downstream parses messages.
 *
 *   throw appError('disk_full', `The disk holding ${dir} is full: ...`);
 *   ERROR_CODES.disk_full.retryable; // false
 *
 * A new code goes here first; `AppError` takes only codes of this registry.
 */

interface ErrorCodeInfo {
  /** the HTTP status at the edge */
  readonly status: number;
  /** true: a later attempt may succeed (a crash, a resource); false: it would meet the same problem */
  readonly retryable: boolean;
  /** the worker that met it cannot go on (no usable GPU, no engine build): it stops instead of failing job after job */
  readonly stopsWorker?: boolean;
}

export const ERROR_CODES = {
  // ---- job failures: the input. Another attempt would read the same file. ----
  file_not_found: { status: 422, retryable: false },
  media_not_found: { status: 422, retryable: false },
  /** the file or a folder above it is not readable by the service user */
  media_unreadable: { status: 422, retryable: false },
  corrupt_media: { status: 422, retryable: false },
  /** the decoded audio is far shorter than the container says: truncated, or still being copied; a rescan re-queues it */
  incomplete_media: { status: 422, retryable: false },
  no_audio_track: { status: 422, retryable: false },
  bad_audio: { status: 422, retryable: false },
  bad_language: { status: 400, retryable: false },
  bad_job: { status: 400, retryable: false },
  no_handler: { status: 400, retryable: false },
  // The server lost what the request sent: ours (5xx), and still no use retrying.
  upload_missing: { status: 500, retryable: false },
  /** this worker could not read a provider upload from the database (connection, older schema): another attempt, maybe on another node */
  upload_unreadable: { status: 503, retryable: true },
  bad_provider_job: { status: 500, retryable: false },

  // ---- job failures: the output ----
  subtitle_exists: { status: 409, retryable: false },
  /** the library folder is read-only or not writable by the service user */
  output_not_writable: { status: 500, retryable: false },
  disk_full: { status: 507, retryable: false },

  // ---- job failures: configuration. Nothing changes until someone changes a setting. ----
  translation_not_configured: { status: 422, retryable: false },
  vad_unavailable: { status: 422, retryable: false },
  // A job meets these through the settings, so at the edge the server cannot serve (503);
  // a request that names a model itself is answered 400 where it is validated.
  unknown_model: { status: 503, retryable: false },
  model_missing: { status: 503, retryable: false },
  model_corrupt: { status: 503, retryable: false },
  remote_engine_unconfigured: { status: 503, retryable: false },
  remote_engine_rejected: { status: 424, retryable: false },

  // ---- job failures: crashes and resources. Worth another attempt, with back-off. ----
  engine_failed: { status: 500, retryable: true },
  engine_crashed: { status: 500, retryable: true },
  engine_start_failed: { status: 500, retryable: true },
  engine_not_built: { status: 503, retryable: true, stopsWorker: true },
  gpu_unavailable: { status: 503, retryable: true, stopsWorker: true },
  vad_failed: { status: 500, retryable: true },
  ffmpeg_missing: { status: 503, retryable: true },
  remote_engine_failed: { status: 502, retryable: true },
  remote_engine_bad_answer: { status: 502, retryable: true },
  translation_failed: { status: 502, retryable: true },
  translation_timeout: { status: 504, retryable: true },
  /** the worker holding the job stopped responding (its lease expired) */
  worker_lost: { status: 500, retryable: true },
  /** an error without a code of ours: unexpected, so retried like a crash */
  internal: { status: 500, retryable: true },

  // ---- models ----
  download_failed: { status: 502, retryable: true },
  download_interrupted: { status: 502, retryable: true },
  download_running: { status: 409, retryable: false },
  checksum_mismatch: { status: 502, retryable: true },
  /** a model shipped with the product (the Silero VAD) cannot be deleted */
  bundled_model: { status: 400, retryable: false },
  /** a file picked as a Whisper model is not a ggml model */
  not_a_model: { status: 400, retryable: false },

  // ---- provider requests ----
  client_closed: { status: 499, retryable: false },
  provider_busy: { status: 503, retryable: true },
  provider_timeout: { status: 504, retryable: true },
  no_workers: { status: 503, retryable: true },
  job_cancelled: { status: 503, retryable: false },
  job_removed: { status: 503, retryable: false },
  engine_unavailable: { status: 503, retryable: false },
  transcription_failed: { status: 500, retryable: true },
  result_missing: { status: 500, retryable: false },
  model_not_found: { status: 400, retryable: false },
  /** /v1: the uploaded file is not audio (OpenAI answers 400 where /asr answers 422) */
  invalid_file_format: { status: 400, retryable: false },
  bad_multipart: { status: 400, retryable: false },
  not_multipart: { status: 400, retryable: false },
  missing_file: { status: 400, retryable: false },
  empty_file: { status: 400, retryable: false },
  upload_too_large: { status: 413, retryable: false },
  bad_task: { status: 400, retryable: false },
  bad_output: { status: 400, retryable: false },
  bad_parameter: { status: 400, retryable: false },
  bad_granularity: { status: 400, retryable: false },
  bad_response_format: { status: 400, retryable: false },
  bad_temperature: { status: 400, retryable: false },

  // ---- requests: generic ----
  bad_request: { status: 400, retryable: false },
  not_found: { status: 404, retryable: false },
  conflict: { status: 409, retryable: false },
  unauthorized: { status: 401, retryable: false },
  cross_site_refused: { status: 403, retryable: false },
  outside_library: { status: 403, retryable: false },
  permission_denied: { status: 403, retryable: false },
  migration_failed: { status: 500, retryable: false },
  /** the SQLite file cannot be opened (not a database, damaged, no permission, read-only): the message names the file and the fix */
  database_unusable: { status: 503, retryable: false },

  // ---- requests: jobs, queue, workers ----
  duplicate_job: { status: 409, retryable: false },
  job_terminal: { status: 400, retryable: false },
  not_retryable: { status: 400, retryable: false },
  bad_status: { status: 400, retryable: false },
  bad_page: { status: 400, retryable: false },
  bad_page_size: { status: 400, retryable: false },
  bad_bulk_action: { status: 400, retryable: false },
  /** a job without a subtitle to preview or download (the message says why) */
  no_subtitle: { status: 404, retryable: false },
  bad_mode: { status: 400, retryable: false },
  bad_quality_preset: { status: 400, retryable: false },
  unknown_language: { status: 400, retryable: false },
  bad_worker_type: { status: 400, retryable: false },
  bad_worker_count: { status: 400, retryable: false },
  bad_device_id: { status: 400, retryable: false },
  missing_device_id: { status: 400, retryable: false },
  unknown_device: { status: 400, retryable: false },
  no_gpu: { status: 400, retryable: false },
  gpu_not_found: { status: 404, retryable: false },
  bad_timeout: { status: 400, retryable: false },
  /** a job without a quality report (not a transcription, or completed before reports existed) */
  quality_not_available: { status: 404, retryable: false },
  /** Accept asked of a job that is not completed or has no quality report */
  not_reviewable: { status: 409, retryable: false },
  /** a clip's start and end are not numbers, not in order, or span more than the longest clip */
  bad_clip_range: { status: 400, retryable: false },

  // ---- requests: paths, scans, rules ----
  bad_path: { status: 400, retryable: false },
  relative_path: { status: 400, retryable: false },
  path_not_found: { status: 404, retryable: false },
  not_a_directory: { status: 400, retryable: false },
  not_a_file: { status: 400, retryable: false },
  symlink_loop: { status: 400, retryable: false },
  filesystem_error: { status: 400, retryable: false },
  unreadable_path: { status: 400, retryable: false },
  unreadable_media: { status: 400, retryable: false },
  no_library_paths: { status: 400, retryable: false },
  scan_running: { status: 409, retryable: true },
  bad_cron: { status: 400, retryable: false },
  bad_rule: { status: 400, retryable: false },
  bad_action: { status: 400, retryable: false },
  bad_condition: { status: 400, retryable: false },
  duplicate_rule: { status: 409, retryable: false },

  // ---- requests: library ----
  bad_filter: { status: 400, retryable: false },
  bad_sort: { status: 400, retryable: false },
  /** an action names neither item_ids nor filter, or both */
  bad_selection: { status: 400, retryable: false },
  selection_too_large: { status: 400, retryable: false },
  /** an image subtitle (VobSub, PGS) has no text to preview */
  not_text_subtitle: { status: 415, retryable: false },

  // ---- requests: subtitle sync ----
  /** a UTF-16 subtitle: its timestamps cannot be rewritten byte for byte */
  unsupported_encoding: { status: 415, retryable: false },
  /** the subtitle has no cue with a readable time */
  no_cues: { status: 422, retryable: false },
  /** the audio has no speech to sync against (or the reference subtitle no cues) */
  no_reference: { status: 422, retryable: false },
  /** both reference_subtitle and reference_embedded, or a subtitle as its own reference */
  bad_reference: { status: 400, retryable: false },
  /** the subtitle changed since the preview: preview again */
  subtitle_changed: { status: 409, retryable: false },
  /** Undo of a sync whose subtitle was edited since, or already undone */
  sync_not_undoable: { status: 409, retryable: false },

  // ---- requests: setup wizard ----
  bad_public_url: { status: 400, retryable: false },
  bad_translation: { status: 400, retryable: false },

  // ---- requests: settings ----
  bad_key: { status: 400, retryable: false },
  bad_category: { status: 400, retryable: false },
  bad_value_type: { status: 400, retryable: false },
  builtin_setting: { status: 400, retryable: false },
  empty_update: { status: 400, retryable: false },
  invalid_setting: { status: 400, retryable: false },
  invalid_settings: { status: 400, retryable: false },

  // ---- requests: subtitles, webhooks, media servers ----
  bad_format: { status: 400, retryable: false },
  bad_webhook: { status: 400, retryable: false },
  webhooks_disabled: { status: 503, retryable: false },
  item_without_file: { status: 422, retryable: false },
  media_server_unconfigured: { status: 422, retryable: false },
  media_server_unreachable: { status: 502, retryable: true },
  // Bazarr Wanted sync
  bazarr_unconfigured: { status: 400, retryable: false },
  bazarr_unreachable: { status: 502, retryable: true },
  bazarr_sync_running: { status: 409, retryable: false },
  /** Bazarr's settings API refused a value (its validators answered 406) */
  bazarr_settings_refused: { status: 502, retryable: false },
} as const satisfies Record<string, ErrorCodeInfo>;

export type ErrorCode = keyof typeof ERROR_CODES;

export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** The registry entry of a code, or undefined for anything else (a Node errno code, a stored code that was removed). */
export function errorCodeInfo(code: unknown): ErrorCodeInfo | undefined {
  return isErrorCode(code) ? ERROR_CODES[code] : undefined;
}
