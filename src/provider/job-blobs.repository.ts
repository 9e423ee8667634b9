/**
 * SQL of provider uploads kept in the database (`job_blobs`, migration 008):
 * a job's audio as numbered chunks of at most BLOB_CHUNK_BYTES, so neither
 * the writer nor the reader ever holds more than a few of them. One code path for
 * SQLite (BLOB) and PostgreSQL (bytea): both take and give a Buffer.
 */
import { reclaimFreePages, type Db } from '../db/database.js';
import { LIVE_STATUSES } from '../job-kinds.js';

/**
 * 32 KiB. Small on purpose: PostgreSQL hands bytea to Node as a hex string
 * (two bytes per byte), and values this size stay in V8's young generation,
 * which is collected within milliseconds; 1 MiB chunks became large objects
 * that only a full collection frees, and the worker's RSS grew by ~80 MB on
 * a 2-hour upload (docs/PERFORMANCE.md). PostgreSQL stores bytea in ~2 KB
 * TOAST pieces anyway, so smaller rows cost little there.
 */
export const BLOB_CHUNK_BYTES = 32 * 1024;
/** Chunks read per query: ~1 MiB of audio per round trip. */
const READ_BATCH = 32;

interface WrittenBlob {
  chunks: number;
  bytes: number;
}

/**
 * Writes a stream as the chunks of `jobId`, in order, each insert awaited
 * before more is read (the stream's back-pressure bounds the memory).
 */
export async function writeBlob(db: Db, jobId: string, source: AsyncIterable<Buffer | Uint8Array>, chunkBytes = BLOB_CHUNK_BYTES): Promise<WrittenBlob> {
  // One buffer for every chunk: each insert has completed (the driver copied it) before it is filled again.
  const buf = Buffer.allocUnsafe(chunkBytes);
  let fill = 0;
  let seq = 0;
  let bytes = 0;
  const flush = async () => {
    if (!fill) return;
    const data = fill === buf.length ? buf : buf.subarray(0, fill);
    await db.insertInto('job_blobs').values({ job_id: jobId, seq, data, created_ms: Date.now() }).execute();
    seq++;
    bytes += fill;
    fill = 0;
  };
  for await (const piece of source) {
    let off = 0;
    while (off < piece.length) {
      const n = Math.min(piece.length - off, buf.length - fill);
      buf.set(piece.subarray(off, off + n), fill);
      fill += n;
      off += n;
      if (fill === buf.length) await flush();
    }
  }
  await flush();
  return { chunks: seq, bytes };
}

/** The chunks of `jobId` in order, READ_BATCH per query (about 1 MiB in memory at a time). */
export async function* readBlob(db: Db, jobId: string): AsyncGenerator<Buffer> {
  for (let next = 0; ; ) {
    const rows = await db
      .selectFrom('job_blobs')
      .select(['seq', 'data'])
      .where('job_id', '=', jobId)
      .where('seq', '>=', next)
      .orderBy('seq')
      .limit(READ_BATCH)
      .execute();
    for (const row of rows) {
      // A gap (a chunk removed meanwhile) ends the stream: the caller compares what it got with what was stored.
      if (Number(row.seq) !== next) return;
      next++;
      yield Buffer.isBuffer(row.data) ? row.data : Buffer.from(row.data as Uint8Array);
    }
    if (rows.length < READ_BATCH) return;
  }
}

export async function deleteBlob(db: Db, jobId: string): Promise<number> {
  const r = await db.deleteFrom('job_blobs').where('job_id', '=', jobId).executeTakeFirst();
  return reclaimed(db, Number(r.numDeletedRows));
}

export async function deleteBlobsOf(db: Db, jobIds: readonly string[]): Promise<number> {
  if (!jobIds.length) return 0;
  const r = await db.deleteFrom('job_blobs').where('job_id', 'in', [...jobIds]).executeTakeFirst();
  return reclaimed(db, Number(r.numDeletedRows));
}

/**
 * After chunks were removed, the SQLite file gives their space back (an
 * upload is up to hundreds of MiB that would otherwise stay in the file for
 * good). The chunks are gone either way: a failure here only leaves the free
 * pages for the next delete to give back, so it is not the caller's error.
 */
async function reclaimed(db: Db, chunks: number): Promise<number> {
  if (chunks > 0) await reclaimFreePages(db).catch(() => {});
  return chunks;
}

/** Chunks and bytes stored (for a job, or all): tests, the benchmark. */
export async function blobStats(db: Db, jobId?: string): Promise<{ chunks: number; jobs: number }> {
  const row = await db
    .selectFrom('job_blobs')
    .select((eb) => [eb.fn.countAll<number>().as('chunks'), eb.fn.count<number>('job_id').distinct().as('jobs')])
    .$if(!!jobId, (q) => q.where('job_id', '=', jobId!))
    .executeTakeFirst();
  return { chunks: Number(row?.chunks ?? 0), jobs: Number(row?.jobs ?? 0) };
}

/**
 * Chunks no job needs any more: their job ended (completed, cancelled), or
 * there is no such job and they are older than `orphanBeforeMs` (a request
 * that failed or a server that died while it was queuing the job). A failed
 * job keeps its audio until the result TTL removes the job, so it can be
 * retried. Returns the number of chunks removed.
 */
export async function deleteStrayBlobs(db: Db, orphanBeforeMs: number): Promise<number> {
  const keep = [...LIVE_STATUSES, 'failed'] as const;
  const r = await db
    .deleteFrom('job_blobs')
    .where((eb) =>
      eb.or([
        eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.id', '=', 'job_blobs.job_id').where('jobs.status', 'not in', keep)),
        eb.and([
          eb('job_blobs.created_ms', '<', orphanBeforeMs),
          eb.not(eb.exists(eb.selectFrom('jobs').select('jobs.id').whereRef('jobs.id', '=', 'job_blobs.job_id'))),
        ]),
      ]),
    )
    .executeTakeFirst();
  return reclaimed(db, Number(r.numDeletedRows));
}
