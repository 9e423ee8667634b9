/**
 * Provider uploads: the multipart audio is streamed to a temporary file under
 * DATA_DIR/provider-uploads (never held whole in memory) and hashed on the
 * way, so identical requests can share one job; the service then moves it
 * into the database for whichever node runs the job (upload-store.ts) and
 * removes the file. Raw PCM (`encode=false`) is written as a WAV file: a
 * placeholder header first, patched with the data length once the stream
 * ends. An upload over provider_max_upload_mb is refused with 413: by its
 * Content-Length before anything is read, else as soon as the bytes counted
 * pass the limit. A disk that fills up while the file is written is a 507
 * naming the folder (system/disk-full.ts), and the partial file is removed
 * at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, open, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../errors.js';
import { wavHeader } from '../transcription/index.js';
import { diskFullError } from '../system/disk-full.js';
import { formatBytes } from '../format.js';

export interface StoredUpload {
  path: string;
  /** bytes of audio received (without the WAV header we add to raw PCM) */
  bytes: number;
  sha256: string;
  /** the client's file name (Bazarr sends the field name) */
  filename: string;
  /** raw s16le PCM (encode=false), stored with a WAV header */
  raw: boolean;
}

interface MultipartUpload {
  upload: StoredUpload;
  fields: Record<string, string | string[]>;
}

export function uploadDir(dataDir: string): string {
  return join(dataDir, 'provider-uploads');
}

export async function removeUpload(path: string | null | undefined): Promise<void> {
  if (path) await rm(path, { force: true }).catch(() => undefined);
}

/**
 * Reads a multipart request: the first file part in one of `fileFields` is
 * stored, other fields are collected (an OpenAI client may send them before
 * or after the file). 400 when there is no such file or it is empty.
 */
export async function receiveMultipart(req: FastifyRequest, dataDir: string, opts: { fileFields: string[]; raw: boolean; maxBytes?: number }): Promise<MultipartUpload> {
  const maxBytes = opts.maxBytes ?? Infinity;
  checkContentLength(req.headers['content-length'], maxBytes);
  if (!req.isMultipart()) {
    throw badRequest(`The request must be multipart/form-data with the audio in the ${opts.fileFields[0]} field`, 'not_multipart');
  }
  const fields: Record<string, string | string[]> = {};
  let upload: StoredUpload | null = null;
  try {
    for await (const part of req.parts()) {
      if (part.type === 'field') {
        const v = String(part.value ?? '');
        const prev = fields[part.fieldname];
        fields[part.fieldname] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
        continue;
      }
      if (upload || !opts.fileFields.includes(part.fieldname)) {
        part.file.resume(); // drain parts we do not use
        continue;
      }
      upload = await storeStream(part.file, dataDir, part.filename || part.fieldname, opts.raw, maxBytes);
      if ((part.file as { truncated?: boolean }).truncated) {
        await removeUpload(upload.path);
        throw new AppError(413, 'upload_too_large', 'The uploaded file is larger than the server accepts');
      }
    }
  } catch (e) {
    await removeUpload(upload?.path);
    // The parser stopped reading mid-body: discard the rest as it arrives, so the connection can carry the answer and the next request.
    if (!req.raw.readableEnded) {
      req.raw.unpipe();
      req.raw.resume();
    }
    if (e instanceof AppError) throw e;
    // No room for the temporary file: the server's disk, not a malformed body (507 naming the folder).
    const full = diskFullError(e, { dataDir, folder: uploadDir(dataDir) });
    if (full) throw full;
    const fe = e as { statusCode?: number; message?: string; code?: string };
    if (fe.statusCode && fe.statusCode < 500) throw new AppError(fe.statusCode, 'bad_multipart', fe.message ?? 'Malformed multipart body');
    throw badRequest(`Malformed multipart body: ${fe.message ?? String(e)}`, 'bad_multipart');
  }
  if (!upload) throw badRequest(`No file in the ${opts.fileFields.join(' or ')} field of the multipart body`, 'missing_file');
  if (upload.bytes === 0 || (opts.raw && upload.bytes < 2)) {
    await removeUpload(upload.path);
    throw badRequest(`The file in ${opts.fileFields[0]} is empty`, 'empty_file');
  }
  return { upload, fields };
}

/** Room for the multipart boundaries, headers and small fields around the file. */
const MULTIPART_SLACK_BYTES = 64 * 1024;

function tooLarge(maxBytes: number, sent?: number): AppError {
  return new AppError(
    413,
    'upload_too_large',
    `The upload${sent ? ` (${formatBytes(sent)})` : ''} is larger than the ${formatBytes(maxBytes)} this server accepts (setting provider_max_upload_mb): send shorter audio, or raise provider_max_upload_mb in the settings`,
  );
}

/** 413 before a byte of the body is read when the declared length is over the limit. */
export function checkContentLength(header: string | string[] | undefined, maxBytes: number): void {
  const declared = Number(Array.isArray(header) ? header[0] : header);
  if (Number.isFinite(declared) && declared > maxBytes + MULTIPART_SLACK_BYTES) throw tooLarge(maxBytes, declared);
}

async function storeStream(stream: NodeJS.ReadableStream, dataDir: string, filename: string, raw: boolean, maxBytes: number): Promise<StoredUpload> {
  const dir = uploadDir(dataDir);
  await mkdir(dir, { recursive: true });
  const path = join(dir, `${Date.now()}-${randomBytes(6).toString('hex')}${raw ? '.wav' : '.upload'}`);
  const hash = createHash('sha256');
  let bytes = 0;
  const tap = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      bytes += chunk.length;
      // Counted as it arrives: a body without (or with a false) Content-Length stops at the limit.
      if (bytes > maxBytes) return cb(tooLarge(maxBytes));
      hash.update(chunk);
      cb(null, chunk);
    },
  });
  const out = createWriteStream(path);
  try {
    if (raw) out.write(wavHeader(0));
    await pipeline(stream, tap, out);
    if (raw) {
      // s16 samples: an odd trailing byte is not part of the audio.
      const fh = await open(path, 'r+');
      try {
        await fh.write(wavHeader(bytes - (bytes % 2)), 0, 44, 0);
      } finally {
        await fh.close();
      }
    }
  } catch (e) {
    await removeUpload(path);
    throw e;
  }
  return { path, bytes, sha256: hash.digest('hex'), filename, raw };
}
