/**
 * Which job failures are worth another attempt, and the code a failed job
 * stores. The decision is the registry's (src/error-codes.ts): each code says
 * whether it is retryable.
 *
 * Not retryable (the job fails at once): anything another attempt would meet
 * again — the job's input (missing, unreadable, corrupt or truncated file, no
 * audio track, unknown language), its output (a user's subtitle in the way, a
 * read-only folder, a full disk) and configuration (unknown or missing model,
 * translation not configured).
 *
 * Retryable (back to the queue with back-off, failed after max_retries with
 * the last error): crashes and resources — the engine died or could not
 * start, a GPU that could not allocate, ffmpeg missing on this node, a
 * translation provider that did not answer — and any error without a code of
 * ours (a lost database connection, a bug). A worker process that dies
 * mid-job is retried by lease expiry, the same way (`worker_lost`).
 */
import { errorCodeInfo, type ErrorCode } from '../error-codes.js';

function statusAndCode(err: unknown): { status: number | null; code: unknown } {
  const e = err as { status?: unknown; code?: unknown } | null | undefined;
  return { status: typeof e?.status === 'number' ? e.status : null, code: e?.code };
}

export function isRetryable(err: unknown): boolean {
  const { status, code } = statusAndCode(err);
  const info = errorCodeInfo(code);
  if (info) return info.retryable;
  // A 4xx without a registry entry is still a statement about the request: permanent.
  if (status !== null && status >= 400 && status < 500) return false;
  return true;
}

/** Errors after which this worker cannot go on (a GPU worker without a usable GPU). */
export function isWorkerFatal(err: unknown): boolean {
  return errorCodeInfo(statusAndCode(err).code)?.stopsWorker === true;
}

/**
 * The code a failed or retried job stores: the error's own registry code;
 * else `bad_job` for a 4xx (failed at once, as isRetryable decides) and
 * `internal` for anything unexpected.
 */
export function jobErrorCode(err: unknown): ErrorCode {
  const { status, code } = statusAndCode(err);
  if (errorCodeInfo(code)) return code as ErrorCode;
  return status !== null && status >= 400 && status < 500 ? 'bad_job' : 'internal';
}

export function errorMessage(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.length > 2000 ? `${msg.slice(0, 2000)}…` : msg;
}
