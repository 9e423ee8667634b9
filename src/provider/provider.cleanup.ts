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
import type { BackgroundComponent } from '../server/background.js';
import type { CoreContext } from '../server/core.js';
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

export interface CleanupResult {
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

/** The cleanup as a background component: a first run at start, then every provider_cleanup_interval_minutes. */
export function providerCleanupComponent(ctx: CoreContext): BackgroundComponent {
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  const run = async () => {
    try {
      const r = await cleanupProvider(ctx);
      if (r.jobs || r.uploads || r.blobChunks) ctx.log.info(r, 'provider cleanup: old provider jobs and uploads removed');
    } catch (e) {
      ctx.log.warn({ err: e }, 'provider cleanup failed');
    }
    if (!stopped) timer = setTimeout(() => void run(), Math.max(1, ctx.settings.getNumber('provider_cleanup_interval_minutes')) * 60_000).unref();
  };
  return {
    name: 'provider-cleanup',
    async start() {
      void run();
    },
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
    },
  };
}
