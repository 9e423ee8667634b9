/**
 * A provider request whose `video_file` is a library file (video-file.ts)
 * shares the library's work for that file and language: a finished library
 * job answers from the subtitle it wrote, a running one is waited for, so the
 * same episode is never transcribed twice. The subtitle is read, never
 * written; one that is gone or unreadable means no sharing (the request is
 * transcribed as usual).
 */
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import { normalizeLanguage } from '../languages.js';
import type { Segment } from '../transcription/index.js';
import { libraryJobsOf } from './library-share.repository.js';

/**
 * The library job that can answer a request for `target` (ISO 639-2) on this
 * file: a completed one with its subtitle first, else a running one. `paths`:
 * the file's resolved path and the path as the client named it (after the
 * mappings), since a scan keys a job by the path it walked, symlinks and all.
 */
export async function libraryJobFor(db: Db, paths: string[], target: string): Promise<JobRow | undefined> {
  if (!target || target === 'und') return undefined;
  const jobs = (await libraryJobsOf(db, [...new Set(paths)])).filter((j) => normalizeLanguage(j.target_lang) === target);
  for (const j of jobs) if (j.status === 'completed' && j.output_path && (await readSubtitleSegments(j.output_path))) return j;
  return jobs.find((j) => j.status === 'processing');
}

const CUE_TIME = /^\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[,.]\d{1,3})/;

function seconds(clock: string): number {
  const parts = clock.replace(',', '.').split(':').map(Number);
  return parts.reduce((acc, p) => acc * 60 + p, 0);
}

/** The cues of an SRT or WebVTT text (times, text lines; tags and cue settings dropped). */
export function parseCues(text: string): Segment[] {
  const out: Segment[] = [];
  const blocks = text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split(/\n{2,}/);
  for (const block of blocks) {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => CUE_TIME.test(l));
    if (at < 0) continue;
    const m = CUE_TIME.exec(lines[at])!;
    const body = lines.slice(at + 1).join('\n').replace(/<[^>]+>/g, '').trim();
    if (!body) continue;
    out.push({ start: seconds(m[1]), end: seconds(m[2]), text: body });
  }
  return out;
}

/** A library subtitle's segments: SRT, WebVTT or the product's JSON; null when the file is gone or not one of these. */
export async function readSubtitleSegments(path: string): Promise<Segment[] | null> {
  const text = await readFile(path, 'utf8').catch(() => null);
  if (text === null) return null;
  const ext = extname(path).toLowerCase();
  if (ext === '.srt' || ext === '.vtt') {
    const cues = parseCues(text);
    return cues.length ? cues : null;
  }
  if (ext === '.json') {
    try {
      const j = JSON.parse(text) as { segments?: Array<{ start?: unknown; end?: unknown; text?: unknown }> };
      const segs = (j.segments ?? []).filter((s) => typeof s.start === 'number' && typeof s.end === 'number' && typeof s.text === 'string');
      return segs.length ? segs.map((s) => ({ start: s.start as number, end: s.end as number, text: s.text as string })) : null;
    } catch {
      return null;
    }
  }
  return null;
}
