/**
 * The rules of a job's quality report: who has one, what Accept may change,
 * and which audio a clip may be cut from (a job's own media file, inside the
 * library folders, for at most MAX_CLIP_SECONDS).
 */
import { parseStoredReport } from '../transcription/quality/stored.js';
import { stat } from 'node:fs/promises';
import type { DatabaseHandle } from '../db/database.js';
import { AppError, notFound } from '../errors.js';
import { checkMediaPath, type RootSettings } from '../security/media-roots.js';
import { probeMedia, selectAudioStream, type MediaTools } from '../transcription/audio.js';
import type { QualityReport } from '../transcription/quality/types.js';
import { findJob } from './jobs.repository.js';
import { acceptReview, findJobQuality, type JobQualityRow } from './job-quality.repository.js';
import { cutAudioClip } from '../transcription/audio-clip.js';
import { MAX_CLIP_SECONDS } from './job-quality.schemas.js';

export interface JobQuality {
  job_id: string;
  quality_score: number | null;
  needs_review: boolean;
  review_accepted_at: string | null;
  report: QualityReport;
}

/** What a clip needs beyond the database: the media roots, the audio languages to prefer, the ffmpeg to run, the client's presence. */
export interface ClipContext {
  settings: RootSettings & { get(key: string): unknown };
  tools?: Partial<MediaTools>;
  signal?: AbortSignal;
}

export class JobQualityService {
  constructor(private readonly handle: DatabaseHandle) {}

  private get db() {
    return this.handle.db;
  }

  private async row(id: string): Promise<JobQualityRow> {
    const row = await findJobQuality(this.db, id);
    if (!row) throw notFound(`Job ${id}`);
    return row;
  }

  /** The stored report, its needs_review the job's flag now (an accepted subtitle no longer needs review). */
  async report(id: string): Promise<JobQuality> {
    const row = await this.row(id);
    const report = parseStoredReport(row.quality);
    if (!report) {
      throw new AppError(404, 'quality_not_available', `Job ${id} has no quality report: only transcription jobs completed by this version are scored. Redo it to get one.`);
    }
    const needsReview = !!row.needs_review;
    return {
      job_id: row.id,
      quality_score: row.quality_score === null ? null : Number(row.quality_score),
      needs_review: needsReview,
      review_accepted_at: row.review_accepted_at,
      report: { ...report, needs_review: needsReview },
    };
  }

  /**
   * A person accepted the subtitle: it no longer needs review. Only a
   * completed job with a report can be accepted (409 not_reviewable names
   * why not); accepting again is no error and changes nothing.
   */
  async accept(id: string, by = 'a user'): Promise<void> {
    const row = await this.row(id);
    if (row.status !== 'completed') {
      throw new AppError(409, 'not_reviewable', `Job ${id} cannot be accepted: it is ${row.status}, and only a completed job's subtitle can be reviewed`);
    }
    if (!row.quality) {
      throw new AppError(409, 'not_reviewable', `Job ${id} cannot be accepted: it has no quality report (only transcription jobs completed by this version are scored), so there is nothing to review`);
    }
    if (row.review_accepted_at) return;
    await acceptReview(this.db, id, by);
  }

  /**
   * The audio of start..end (seconds of the media) of the job's media file,
   * as a WAV: for a person to hear a flagged cue. The file must still be
   * inside the library folders once resolved (403 outside_library), and
   * there (404 file_not_found).
   */
  async clip(id: string, range: { start: number; end: number }, c: ClipContext): Promise<Buffer> {
    const { start, end } = checkClipRange(range);
    const job = await findJob(this.db, id);
    if (!job) throw notFound(`Job ${id}`);
    if (job.job_type.startsWith('provider_')) {
      throw new AppError(404, 'file_not_found', `Job ${id} is a provider request: its audio was uploaded by the client, not read from a library file, and is not kept for playback`);
    }
    const where = await checkMediaPath(c.settings, job.file_path);
    if (!where.ok) {
      const shown = where.path && where.path !== job.file_path ? `${job.file_path} (resolves to ${where.path})` : job.file_path;
      throw new AppError(
        403,
        'outside_library',
        `${shown} is ${where.reason}: only files inside the library folders can be played. Add its folder to library_paths or allowed_media_roots (Settings → Library and scanning) if it belongs to your library.`,
      );
    }
    const file = where.path;
    if (!(await stat(file).then((s) => s.isFile(), () => false))) {
      throw new AppError(404, 'file_not_found', `The media file of job ${id} is not there any more: ${file} (moved, renamed or deleted since the job ran)`);
    }
    const info = await probeMedia(file, c.signal, c.tools);
    if (info.duration !== null && start >= info.duration) {
      throw new AppError(400, 'bad_clip_range', `start ${start} s is past the end of the media (${info.duration.toFixed(1)} s): pick a span inside it`);
    }
    // The track the job transcribed: the one its options asked for, else the job's language, else the preferred ones.
    const stream = selectAudioStream(info, [...audioLanguagesOf(job.options), job.source_lang, ...preferredLanguages(c.settings.get('preferred_audio_languages'))]);
    return cutAudioClip({ file, stream, start, end, signal: c.signal, tools: c.tools });
  }
}

/** The schema checked each bound alone (a number, at least 0); the span is checked here. */
export function checkClipRange(r: { start: number; end: number }): { start: number; end: number } {
  const { start, end } = r;
  const bad = (why: string) => new AppError(400, 'bad_clip_range', `${why}: start and end are seconds of the media, 0 ≤ start < end, at most ${MAX_CLIP_SECONDS} s apart (e.g. ?start=12&end=15.5)`);
  if (!Number.isFinite(start) || !Number.isFinite(end)) throw bad(`start and end must be finite numbers, got start=${start}, end=${end}`);
  if (start < 0) throw bad(`start must not be negative, got ${start}`);
  if (end <= start) throw bad(`end (${end}) must be after start (${start})`);
  if (end - start > MAX_CLIP_SECONDS) throw bad(`the clip would be ${+(end - start).toFixed(3)} s long, more than ${MAX_CLIP_SECONDS} s`);
  return { start, end };
}


function audioLanguagesOf(options: string | null): string[] {
  if (!options) return [];
  try {
    const a = (JSON.parse(options) as { audio_language?: unknown }).audio_language;
    return Array.isArray(a) ? a.filter((x): x is string => typeof x === 'string') : typeof a === 'string' && a.trim() ? [a.trim()] : [];
  } catch {
    return [];
  }
}

const preferredLanguages = (v: unknown) => String(v ?? '').split(/[|,]/).map((s) => s.trim()).filter(Boolean);
