/**
 * A provider upload between the server and the worker that runs its job:
 * the server streams the received file into the database (job_blobs), PCM
 * of FLAC_MIN_BYTES or more compressed losslessly to FLAC by ffmpeg on the
 * way (a short request goes in as it came); the worker, on any
 * node, streams it back into a temporary file for the engine. Neither side
 * holds more than a chunk in memory.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Db } from '../db/database.js';
import { appError } from '../errors.js';
import { ffmpegPaths, type MediaTools } from '../transcription/index.js';
import { deleteBlob, readBlob, writeBlob } from './job-blobs.repository.js';
import type { StoredUpload } from './provider.upload.js';

/** What a provider job's options say about its audio in the database. */
export interface BlobInfo {
  /** flac: PCM compressed by the server; original: the client's bytes (a raw PCM upload with a WAV header) */
  format: 'flac' | 'original';
  /** the file name extension the worker gives the temporary file */
  ext: string;
  /** bytes stored (what the worker must read back) */
  stored_bytes: number;
  chunks: number;
}

/** True for a WAV file of integer PCM up to 24 bits, which FLAC keeps bit for bit. */
async function isIntegerPcmWav(path: string): Promise<boolean> {
  const fh = await open(path, 'r').catch(() => null);
  if (!fh) return false;
  try {
    const head = Buffer.alloc(64);
    const { bytesRead } = await fh.read(head, 0, 64, 0);
    if (bytesRead < 36 || head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') return false;
    if (head.toString('ascii', 12, 16) !== 'fmt ') return false;
    const formatTag = head.readUInt16LE(20);
    const bits = head.readUInt16LE(34);
    return formatTag === 1 && bits >= 8 && bits <= 24;
  } finally {
    await fh.close();
  }
}

/** ffmpeg's FLAC of the file on stdout, written as the job's chunks; null when ffmpeg failed (nothing is left stored). */
async function storeFlac(db: Db, jobId: string, path: string, tools?: Partial<MediaTools>): Promise<BlobInfo | null> {
  let ffmpeg: string;
  try {
    ffmpeg = ffmpegPaths(tools).ffmpeg;
  } catch {
    return null;
  }
  const child = spawn(ffmpeg, ['-nostdin', '-loglevel', 'error', '-i', path, '-map', '0:a:0', '-c:a', 'flac', '-compression_level', '2', '-f', 'flac', 'pipe:1'], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stderr.resume();
  const exited = new Promise<number>((resolve) => {
    child.once('error', () => resolve(-1));
    child.once('close', (code) => resolve(code ?? -1));
  });
  let written;
  try {
    written = await writeBlob(db, jobId, child.stdout);
  } catch (e) {
    // The database refused a chunk: the caller reports it.
    child.kill('SIGKILL');
    await exited;
    await discardChunks(db, jobId);
    throw e;
  }
  if ((await exited) !== 0 || written.bytes === 0) {
    // The encoder failed: the original bytes are stored instead.
    await deleteBlob(db, jobId);
    return null;
  }
  return { format: 'flac', ext: 'flac', stored_bytes: written.bytes, chunks: written.chunks };
}

/**
 * PCM below this size is stored as it came, compression on or not: starting
 * ffmpeg and encoding takes about 0.1 s, most of what a short request waits
 * beyond its transcription, while storing the bytes FLAC would save (about
 * half) takes a few milliseconds per MiB. 16 MiB is 8.7 minutes of 16 kHz
 * mono PCM: a Bazarr request for a whole episode is still compressed.
 */
export const FLAC_MIN_BYTES = 16 << 20;

/**
 * Stores the received file as the audio of job `jobId`. `compress`: PCM
 * (a raw upload, an integer PCM WAV) of `flacMinBytes` (FLAC_MIN_BYTES) or
 * more goes in as FLAC, about half the bytes; anything else, or when ffmpeg
 * cannot encode it, as the client sent it. `opts.tools`: Config.tools (the
 * ffmpeg that compresses raw PCM).
 */
export async function storeUpload(
  db: Db,
  jobId: string,
  upload: StoredUpload,
  opts: { compress: boolean; tools?: Partial<MediaTools>; flacMinBytes?: number },
): Promise<BlobInfo> {
  const worthIt = upload.bytes >= (opts.flacMinBytes ?? FLAC_MIN_BYTES);
  if (opts.compress && worthIt && (upload.raw || (await isIntegerPcmWav(upload.path)))) {
    const flac = await storeFlac(db, jobId, upload.path, opts.tools);
    if (flac) return flac;
  }
  try {
    const written = await writeBlob(db, jobId, createReadStream(upload.path, { highWaterMark: 256 << 10 }));
    return { format: 'original', ext: upload.raw ? 'wav' : 'upload', stored_bytes: written.bytes, chunks: written.chunks };
  } catch (e) {
    await discardChunks(db, jobId);
    throw e;
  }
}

/** When the database refuses even the delete (a full disk), it is tried again after these waits: the chunks go soon after space is freed. */
const DISCARD_RETRY_MS = [1000, 2000, 5000, 10_000, 30_000, 60_000, 120_000, 300_000];

/**
 * Removes the chunks a failed store left behind (each chunk is its own
 * insert, so those written before the failure stay). A full database may
 * refuse the delete as well: then it is retried in the background, so the
 * chunks go as soon as there is room again rather than at the next
 * clean-up (provider.cleanup.ts removes what even that misses). Resolves
 * after the first try.
 */
async function discardChunks(db: Db, jobId: string, retries: readonly number[] = DISCARD_RETRY_MS): Promise<void> {
  const attempt = async (left: readonly number[]): Promise<void> => {
    try {
      await deleteBlob(db, jobId);
    } catch {
      if (!left.length) return;
      setTimeout(() => void attempt(left.slice(1)), left[0]).unref();
    }
  };
  await attempt(retries);
}

/**
 * The worker's side: the job's audio written back to a temporary file in
 * `dir` (the caller removes it). A database that cannot be read (a lost
 * connection, a schema without job_blobs) is `upload_unreadable`, retried on
 * this or another node; chunks that are not all there are `upload_missing`.
 */
export async function restoreUpload(db: Db, jobId: string, blob: BlobInfo, dir: string): Promise<string> {
  const path = join(dir, `tio-provider-${jobId}-${randomBytes(4).toString('hex')}.${blob.ext.replace(/[^a-z0-9]/gi, '') || 'upload'}`);
  let bytes = 0;
  let chunks = 0;
  let dbError: unknown = null;
  const source = Readable.from(
    (async function* () {
      try {
        for await (const chunk of readBlob(db, jobId)) {
          chunks++;
          yield chunk;
        }
      } catch (e) {
        dbError = e;
        throw e;
      }
    })(),
  );
  const count = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      cb(null, chunk);
    },
  });
  try {
    await pipeline(source, count, createWriteStream(path, { flags: 'wx' }));
  } catch (e) {
    await rm(path, { force: true });
    if (dbError) throw appError('upload_unreadable', `The audio of job ${jobId} could not be read from the database on this node (${(dbError as Error).message}); the job is tried again, by this or another worker`);
    throw e;
  }
  if (bytes !== blob.stored_bytes || chunks !== blob.chunks) {
    await rm(path, { force: true });
    throw appError('upload_missing', `The audio of job ${jobId} is not complete in the database (${chunks} of ${blob.chunks} chunks, ${bytes} of ${blob.stored_bytes} bytes): it was removed or never fully stored; send the request again`);
  }
  return path;
}
