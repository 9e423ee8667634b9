/**
 * Waiting and trying again, once for the whole service: `sleep` is
 * abortable (a cancel ends it at once with the AbortError the pipeline
 * knows), and `withRetries` runs an attempt again after a doubling back-off
 * while its error is worth retrying (the remote engine, translation).
 */
import { setTimeout as wait } from 'node:timers/promises';

/** The error a cancelled wait or attempt ends with. */
export const abortError = (message = 'cancelled') => Object.assign(new Error(message), { name: 'AbortError' });

/** Waits `ms`; a signal that aborts (or had) ends it with an AbortError. */
export async function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  if (signal?.aborted) throw abortError();
  try {
    await wait(ms, undefined, { signal });
  } catch (e) {
    if (signal?.aborted) throw abortError();
    throw e;
  }
}

export interface RetryOptions {
  /** tries after the first (0: one attempt only) */
  retries: number;
  /** the wait before the first retry; each later one doubles it */
  backoffMs: number;
  /** the longest wait between two attempts */
  maxBackoffMs?: number;
  signal?: AbortSignal;
  /** whether an attempt's error is worth another try (default: yes, except an abort) */
  retryable?(err: unknown): boolean;
}

/**
 * Runs `attempt(n)` (n from 0) until it succeeds, its error is not
 * retryable, or `retries` are used up; then the last error is thrown. A
 * cancel stops it between attempts and during a back-off.
 */
export async function withRetries<T>(attempt: (n: number) => Promise<T>, o: RetryOptions): Promise<T> {
  const retryable = o.retryable ?? (() => true);
  for (let n = 0; ; n++) {
    if (o.signal?.aborted) throw abortError();
    try {
      return await attempt(n);
    } catch (err) {
      if ((err as Error)?.name === 'AbortError' || n >= o.retries || !retryable(err)) throw err;
    }
    await sleep(Math.min(o.maxBackoffMs ?? Infinity, o.backoffMs * 2 ** n), o.signal);
  }
}
