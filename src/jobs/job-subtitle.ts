/**
 * The subtitle a job produced, for its preview and download: only the file
 * the job itself recorded as its output (jobs.output_path, written by the
 * worker that completed it), never a path from the request; only a regular
 * subtitle file (no link, no other extension). Every "none" names why.
 */
import { lstat, readFile } from 'node:fs/promises';
import { basename, extname } from 'node:path';
import type { JobRow } from '../db/schema.js';
import { appError } from '../errors.js';

/** What the subtitle writers produce, with the type each is served as. */
const SUBTITLE_TYPES: Record<string, string> = {
  '.srt': 'application/x-subrip; charset=utf-8',
  '.vtt': 'text/vtt; charset=utf-8',
  '.ass': 'text/plain; charset=utf-8',
  '.ssa': 'text/plain; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

/** Larger than any subtitle of a real film by far: a file this big is not one we wrote. */
const MAX_BYTES = 20 * 1024 * 1024;

export interface JobSubtitle {
  path: string;
  fileName: string;
  contentType: string;
  content: Buffer;
}

const none = (message: string) => appError('no_subtitle', message);

export async function readJobSubtitle(job: JobRow): Promise<JobSubtitle> {
  const id = job.id;
  if (job.status !== 'completed') {
    const why = job.status === 'failed' ? 'it failed, so nothing was written' : job.status === 'cancelled' ? 'it was cancelled' : `it is ${job.status}; the subtitle comes when it completes`;
    throw none(`Job ${id} has no subtitle: ${why}`);
  }
  if (!job.output_path) {
    if (job.job_type !== 'transcription') throw none(`Job ${id} has no subtitle file: it answered a provider request, and the result went back to the client`);
    if (job.segments_count === 0) throw none(`Job ${id} has no subtitle: no speech was found in the file, so none was written`);
    throw none(`Job ${id} has no subtitle file: it completed without writing one`);
  }
  const path = job.output_path;
  const type = SUBTITLE_TYPES[extname(path).toLowerCase()];
  if (!type) throw none(`Job ${id} recorded ${path} as its output, which is not a subtitle file`);
  const st = await lstat(path).catch(() => null);
  if (!st) throw none(`The subtitle job ${id} wrote is no longer there: ${path} was moved or deleted`);
  if (!st.isFile()) throw none(`${path} is no longer the subtitle job ${id} wrote (it is not a regular file)`);
  if (st.size > MAX_BYTES) throw none(`${path} is ${st.size} bytes, far larger than a subtitle: it is not served`);
  return { path, fileName: basename(path), contentType: type, content: await readFile(path) };
}
