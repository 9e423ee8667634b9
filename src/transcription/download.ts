/**
 * Resumable HTTP download into a `.part` file: an existing partial file is
 * continued with a Range request; a server that ignores Range restarts it.
 */
import { createWriteStream, existsSync, statSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { AppError } from '../errors.js';

export interface DownloadProgress {
  received: number;
  total: number | null;
  percent: number | null;
  bytesPerSecond: number;
}

function fetchStream(url: string, headers: Record<string, string>, signal?: AbortSignal, redirects = 5): Promise<IncomingMessage> {
  return new Promise((res, rej) => {
    const get = url.startsWith('https:') ? httpsGet : httpGet;
    const req = get(url, { headers: { 'User-Agent': 'TranscriptorIO', ...headers }, signal }, (r) => {
      const status = r.statusCode ?? 0;
      if (status >= 300 && status < 400 && r.headers.location && redirects > 0) {
        r.resume();
        res(fetchStream(new URL(r.headers.location, url).toString(), headers, signal, redirects - 1));
        return;
      }
      res(r);
    });
    req.on('error', (err) => rej(signal?.aborted ? Object.assign(new Error('download cancelled'), { name: 'AbortError' }) : new AppError(502, 'download_failed', `Cannot download ${url}: ${err.message}`)));
  });
}

export async function downloadFile(url: string, partPath: string, opts: { onProgress?(p: DownloadProgress): void; signal?: AbortSignal } = {}): Promise<void> {
  const have = existsSync(partPath) ? statSync(partPath).size : 0;
  const res = await fetchStream(url, have > 0 ? { Range: `bytes=${have}-` } : {}, opts.signal);
  const status = res.statusCode ?? 0;
  if (status === 416) {
    // Range past the end: the partial file is already complete.
    res.resume();
    return;
  }
  if (status !== 200 && status !== 206) {
    res.resume();
    throw new AppError(502, 'download_failed', `Cannot download ${url}: HTTP ${status}`);
  }
  const resumed = status === 206;
  if (!resumed && have > 0) await rm(partPath, { force: true });
  const start = resumed ? have : 0;
  const len = Number(res.headers['content-length'] ?? NaN);
  const total = Number.isFinite(len) ? start + len : null;
  const out = createWriteStream(partPath, { flags: resumed ? 'a' : 'w' });
  let received = start;
  const t0 = Date.now();
  let lastEmit = 0;
  await new Promise<void>((done, fail) => {
    let settled = false;
    // On an interrupted transfer the bytes already received are flushed to the
    // .part file (not dropped with the stream), so the next run resumes after them.
    const failWith = (err: Error, flush = true) => {
      if (settled) return;
      settled = true;
      res.destroy();
      if (flush) out.end(() => fail(err));
      else {
        out.destroy();
        fail(err);
      }
    };
    res.on('data', (chunk: Buffer) => {
      received += chunk.length;
      const now = Date.now();
      if (opts.onProgress && (now - lastEmit > 200 || received === total)) {
        lastEmit = now;
        const secs = Math.max(0.001, (now - t0) / 1000);
        opts.onProgress({ received, total, percent: total ? (received / total) * 100 : null, bytesPerSecond: (received - start) / secs });
      }
      if (!out.write(chunk)) {
        res.pause();
        out.once('drain', () => res.resume());
      }
    });
    res.on('aborted', () => failWith(new AppError(502, 'download_interrupted', `Download of ${url} was interrupted at ${received} bytes; run it again to resume`)));
    res.on('error', (err) => failWith(opts.signal?.aborted ? Object.assign(new Error('download cancelled'), { name: 'AbortError' }) : new AppError(502, 'download_interrupted', `Download of ${url} was interrupted: ${err.message}; run it again to resume`)));
    res.on('end', () => {
      if (settled) return;
      settled = true;
      out.end(() => {
        if (total !== null && received < total) fail(new AppError(502, 'download_interrupted', `Download of ${url} ended at ${received} of ${total} bytes; run it again to resume`));
        else done();
      });
    });
    out.on('error', (err) => failWith(err, false));
  });
  opts.onProgress?.({ received, total, percent: 100, bytesPerSecond: 0 });
}
