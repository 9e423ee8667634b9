/**
 * Periodic cleanup of the provider: finished provider jobs older than the
 * result TTL are deleted with their kept result and their audio in the
 * database; audio chunks no job needs any more are removed (a completed or
 * cancelled job's, a request that failed before its job existed, a server
 * killed mid-request), and so are temporary upload files left on this
 * server's disk.
 */
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackgroundComponent } from '../core/background.js';
import type { CoreContext } from '../core/context.js';
import { deleteOldProviderJobs, liveProviderJobOptions } from './provider.repository.js';
import { deleteBlobsOf, deleteStrayBlobs } from './job-blobs.repository.js';
import { removeUpload, uploadDir } from './provider.upload.js';

/** An upload younger than this may belong to a request that is still creating its job. */
const UPLOAD_GRACE_MS = 10 * 60_000;

function uploadOf(options: string | null): string | null {
  if (!options) return null;
  try {
    const o = JSON.parse(options) as { upload?: unknown };
    return typeof o.upload === 'string' ? o.upload : null;
  } catch {
    return null;
  }
}

interface CleanupResult {
  jobs: number;
  /** upload files removed from this server's disk */
  uploads: number;
  /** audio chunks removed from the database */
  blobChunks: number;
}

export async function cleanupProvider(ctx: Pick<CoreContext, 'settings' | 'database' | 'config'>, now = Date.now()): Promise<CleanupResult> {
  const ttlMs = Math.max(0, ctx.settings.getNumber('provider_result_ttl_minutes')) * 60_000;
  const db = ctx.database.db;
  let jobs = 0;
  let uploads = 0;
  let blobChunks = 0;
  for (;;) {
    const deleted = await deleteOldProviderJobs(db, new Date(now - ttlMs).toISOString());
    jobs += deleted.length;
    blobChunks += await deleteBlobsOf(db, deleted.map((j) => j.id));
    for (const j of deleted) await removeUpload(uploadOf(j.options));
    if (deleted.length < 1000) break;
  }
  blobChunks += await deleteStrayBlobs(db, now - UPLOAD_GRACE_MS);
  // Temporary files of requests being received, and files of jobs queued before uploads went into the database.
  const keep = new Set((await liveProviderJobOptions(db)).map(uploadOf).filter(Boolean));
  const dir = uploadDir(ctx.config.dataDir);
  for (const name of await readdir(dir).catch(() => [] as string[])) {
    const path = join(dir, name);
    if (keep.has(path)) continue;
    const st = await stat(path).catch(() => null);
    if (!st || now - st.mtimeMs < UPLOAD_GRACE_MS) continue;
    await removeUpload(path);
    uploads++;
  }
  return { jobs, uploads, blobChunks };
}

interface ProviderCleanupComponent extends BackgroundComponent {
  /**
   * Resolves with the result of the next run that finishes (null for a run
   * that failed, or when the component stops first): how a caller sees that
   * the clean-up ran, without guessing from the clock.
   */
  nextRun(): Promise<CleanupResult | null>;
  /** Milliseconds until the next run is due; null while none is scheduled (running, stopped, not started). */
  nextRunDelayMs(): number | null;
}

/**
 * The cleanup as a background component: a first run at start, then every
 * provider_cleanup_interval_minutes after the end of the last run. A change
 * of the interval takes effect at once (the next run is rescheduled from the
 * last one, and runs now when that time has passed), not after the timer of
 * the old interval. `minuteMs`: the length of a minute (tests shorten it).
 */
export function providerCleanupComponent(ctx: Pick<CoreContext, 'settings' | 'database' | 'config' | 'log'>, opts: { minuteMs?: number } = {}): ProviderCleanupComponent {
  const minuteMs = opts.minuteMs ?? 60_000;
  let timer: NodeJS.Timeout | null = null;
  let dueAt: number | null = null;
  let lastRunEnd = 0;
  let running = false;
  let started = false;
  let stopped = false;
  let waiters: Array<(r: CleanupResult | null) => void> = [];
  const settle = (r: CleanupResult | null) => {
    const w = waiters;
    waiters = [];
    for (const fn of w) fn(r);
  };
  const intervalMs = () => Math.max(1, ctx.settings.getNumber('provider_cleanup_interval_minutes')) * minuteMs;
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    dueAt = null;
    if (stopped || running) return;
    const delay = Math.max(0, lastRunEnd + intervalMs() - Date.now());
    dueAt = Date.now() + delay;
    timer = setTimeout(() => void run(), delay);
    // The clean-up alone never keeps the process alive; someone awaiting nextRun() does.
    if (!waiters.length) timer.unref();
  };
  const run = async () => {
    if (running || stopped) return;
    running = true;
    timer = null;
    dueAt = null;
    let result: CleanupResult | null = null;
    try {
      result = await cleanupProvider(ctx);
      if (result.jobs || result.uploads || result.blobChunks) ctx.log.info(result, 'provider cleanup: old provider jobs and uploads removed');
    } catch (e) {
      ctx.log.warn({ err: e }, 'provider cleanup failed');
    }
    running = false;
    lastRunEnd = Date.now();
    settle(result);
    schedule();
  };
  // A run in progress schedules the next one with the new value when it ends.
  const onChange = (key: string) => {
    if (key === 'provider_cleanup_interval_minutes' && started) schedule();
  };
  return {
    name: 'provider-cleanup',
    async start() {
      if (started || stopped) return;
      started = true;
      ctx.settings.on('change', onChange);
      void run();
    },
    async stop() {
      stopped = true;
      ctx.settings.off('change', onChange);
      if (timer) clearTimeout(timer);
      timer = null;
      dueAt = null;
      settle(null);
    },
    nextRun() {
      if (stopped) return Promise.resolve(null);
      timer?.ref();
      return new Promise((resolve) => waiters.push(resolve));
    },
    nextRunDelayMs() {
      return dueAt === null ? null : Math.max(0, dueAt - Date.now());
    },
  };
}
