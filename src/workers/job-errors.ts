/**
 * Which job failures are worth another attempt.
 *
 * Not retryable (the job is failed at once with the message): anything about
 * the job's own input, which another attempt would meet again — a missing or
 * unreadable file, a corrupt container, no audio track, an unknown language
 * or model, a subtitle the user already has, translation not configured, a
 * job type nobody handles. These are AppErrors with a 4xx status.
 *
 * Retryable (back to the queue with back-off, failed after max_retries with
 * the last error): crashes and resources — the engine process died or could
 * not start, a GPU that could not allocate, ffmpeg missing on this node, a
 * lost database connection, a translation provider that did not answer;
 * AppErrors with a 5xx status and any unexpected error. A worker process that
 * dies mid-job is retried by lease expiry, the same way.
 */

const NEVER_RETRY = new Set([
  'media_not_found', 'file_not_found', 'corrupt_media', 'no_audio_track', 'subtitle_exists', 'translation_not_configured',
  'bad_language', 'unknown_model', 'model_missing', 'model_corrupt', 'no_handler', 'bad_job',
]);

/** Errors after which this worker cannot go on (a GPU worker without a usable GPU). */
const WORKER_FATAL = new Set(['gpu_unavailable', 'engine_not_built']);

function codeOf(err: unknown): { status: number | null; code: string | null } {
  const e = err as { status?: unknown; code?: unknown };
  return { status: typeof e?.status === 'number' ? e.status : null, code: typeof e?.code === 'string' ? e.code : null };
}

export function isRetryable(err: unknown): boolean {
  const { status, code } = codeOf(err);
  if (code && NEVER_RETRY.has(code)) return false;
  if (status !== null && status >= 400 && status < 500) return false;
  return true;
}

export function isWorkerFatal(err: unknown): boolean {
  const { code } = codeOf(err);
  return !!code && WORKER_FATAL.has(code);
}

export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 2000 ? `${msg.slice(0, 2000)}…` : msg;
}
