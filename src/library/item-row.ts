/**
 * Turns the scanner's view of a file (an analysis outcome: probe result from
 * the cache plus the folder listing) into an index row, and an index row
 * into the API's item. Pure functions over what they are given.
 */
import { basename, dirname, resolve } from 'node:path';
import { isWithin } from '../security/media-roots.js';
import type { AnalysisOutcome, MediaAnalysis } from '../scanner/media-analyzer.js';
import type { JobBrief, LatestJob, NewItemRow, PageRow } from './library.repository.js';
import type { ItemKind } from './library.schemas.js';
import { parseMediaPath, searchTextOf, sortKeyOf } from './title-parse.js';
import { computeWanted, type Wanted, type WantedContext, type WantedResult } from './wanted.js';

/** The analysis kept per item: what wanted is recomputed from and what a page shows. */
type StoredAnalysis = Omit<MediaAnalysis, 'file_path'>;

export type { LatestJob } from './library.repository.js';

export interface IndexInputs extends WantedContext {
  /** library folders (resolved), longest first */
  roots: string[];
  /** the scanner_ignore_marker setting */
  marker: string;
}

/** `Movie.mkv.notranscribe` for `Movie.mkv` and the `.notranscribe` marker: the file marker the scanner honours. */
export function fileMarkerName(fileName: string, marker: string): string {
  return `${fileName}${marker.startsWith('.') ? '' : '.'}${marker}`;
}

const langList = (langs: Array<string | null | undefined>): string => {
  const set = [...new Set(langs.filter((l): l is string => !!l))].sort();
  return set.length ? `,${set.join(',')},` : '';
};

export function rootOf(path: string, roots: string[]): string | null {
  return roots.find((r) => isWithin(path, r)) ?? null;
}

/** The latest job per target language (highest seq), by language. */
export function latestJobs(jobs: JobBrief[]): JobBrief[] {
  const by = new Map<string, JobBrief>();
  for (const j of jobs) {
    const cur = by.get(j.target_lang);
    if (!cur || j.seq > cur.seq) by.set(j.target_lang, j);
  }
  return [...by.values()].sort((a, b) => a.target_lang.localeCompare(b.target_lang));
}

const brief = (j: JobBrief): LatestJob => ({
  target_lang: j.target_lang, id: j.id, status: j.status, error: j.error, error_code: j.error_code, progress: j.progress, updated_at: j.updated_at,
  needs_review: j.needs_review, quality_score: j.quality_score,
});

/**
 * Whether the item waits for a person: the latest job of a language completed
 * with needs_review and its subtitle is still listed beside the file as ours.
 * A subtitle deleted or taken over by the user leaves nothing to review; an
 * accepted job has needs_review 0, so a rescan (which reads the job's flag,
 * never the report) keeps it cleared.
 */
export function needsReview(latest: JobBrief[], external: Array<{ path: string; generated?: boolean }>): number {
  const ours = new Set(external.filter((s) => s.generated).map((s) => s.path));
  return latest.some((j) => j.status === 'completed' && j.needs_review && j.output_path !== null && ours.has(j.output_path)) ? 1 : 0;
}

/** The job-derived columns of an item: its latest jobs (`latest`, one per language) and the subtitles listed beside it. */
export function jobColumns(latest: JobBrief[], external: Array<{ path: string; generated?: boolean }>): { jobs: string; failed_langs: string; failed: number; needs_review: number } {
  const failed = latest.filter((j) => j.status === 'failed').map((j) => j.target_lang);
  return { jobs: JSON.stringify(latest.map(brief)), failed_langs: langList(failed), failed: failed.length ? 1 : 0, needs_review: needsReview(latest, external) };
}

/** The external subtitles of a stored analysis (for jobColumns on a stored row). */
export function storedExternal(analysis: string): StoredAnalysis['external_subtitles'] {
  return parseAnalysis(analysis).external_subtitles;
}

export function wantedColumns(w: WantedResult): { wanted: string; wanted_langs: string; wanted_count: number; decision: string | null } {
  return { wanted: JSON.stringify(w.wanted), wanted_langs: langList(w.wanted.map((x) => x.language)), wanted_count: w.wanted.length, decision: w.decision };
}

let lastMs = 0;
/** Strictly increasing epoch ms within this process: a cached page is keyed by the last change. */
export function changeMs(): number {
  lastMs = Math.max(Date.now(), lastMs + 1);
  return lastMs;
}

const EMPTY: StoredAnalysis = { audio_tracks: [], embedded_subtitles: [], external_subtitles: [], duration_seconds: null, is_video: true, format_name: null };

/** The index row of an analysed (or unreadable) file. */
export function buildRow(o: AnalysisOutcome, inputs: IndexInputs, jobs: JobBrief[], noSpeechJob: string | null): NewItemRow {
  const c = o.candidate;
  const path = c.path;
  const root = rootOf(path, inputs.roots);
  const stored: StoredAnalysis = 'analysis' in o ? stripPath(o.analysis) : EMPTY;
  const parsed = parseMediaPath(path, root, stored.is_video);
  const marker = inputs.marker ? fileMarkerName(c.name, inputs.marker) : null;
  const ignoredBy = marker && c.folder.names.has(marker) ? marker : null;
  const wanted: WantedResult =
    'analysis' in o ? computeWanted(o.analysis, inputs, { ignoredBy, noSpeechJob }) : { wanted: [], decision: `unreadable: ${o.error}` };
  const now = changeMs();
  const iso = new Date(now).toISOString();
  const ext = stored.external_subtitles;
  return {
    path,
    folder: dirname(path),
    root,
    file_name: c.name,
    kind: parsed.kind,
    title: parsed.title,
    show: parsed.show,
    season: parsed.season,
    episode: parsed.episode,
    episode_end: parsed.episode_end,
    year: parsed.year,
    sort_key: sortKeyOf(parsed, path),
    search_text: searchTextOf(parsed, path),
    size: c.size,
    mtime_ms: c.mtime_ms,
    duration_seconds: stored.duration_seconds,
    is_video: stored.is_video ? 1 : 0,
    analysis: JSON.stringify(stored),
    probe_error: 'error' in o ? o.error : null,
    langs: langList([...stored.audio_tracks.map((t) => t.language), ...stored.embedded_subtitles.map((s) => s.language), ...ext.map((s) => s.language)]),
    audio_langs: langList(stored.audio_tracks.map((t) => t.language)),
    subtitle_langs: langList([...stored.embedded_subtitles.map((s) => s.language), ...ext.map((s) => s.language)]),
    generated_langs: langList(ext.filter((s) => s.generated).map((s) => s.language)),
    has_generated: ext.some((s) => s.generated) ? 1 : 0,
    ...wantedColumns(wanted),
    ...jobColumns(jobs, ext),
    ignored_by: ignoredBy ? 'file' : null,
    missing: 0,
    indexed_at: iso,
    updated_at: iso,
    updated_ms: now,
  };
}

function stripPath(a: MediaAnalysis): StoredAnalysis {
  const { file_path: _ignored, ...rest } = a;
  return rest;
}

function parseAnalysis(json: string): StoredAnalysis {
  try {
    return { ...EMPTY, ...(JSON.parse(json) as Partial<StoredAnalysis>) };
  } catch {
    return EMPTY;
  }
}

function toAnalysis(path: string, stored: StoredAnalysis): MediaAnalysis {
  return { file_path: path, ...stored };
}

/** What wanted is for a stored row under the given rules (a missing or folder-ignored file wants nothing). */
export function wantedForRow(
  row: { path: string; analysis: string; probe_error: string | null; ignored_by: string | null; missing: number },
  inputs: IndexInputs,
  noSpeechJob: string | null,
): WantedResult {
  if (row.missing) return { wanted: [], decision: 'the file is gone from disk (missing since the last scan of its folder)' };
  if (row.probe_error) return { wanted: [], decision: `unreadable: ${row.probe_error}` };
  if (row.ignored_by === 'folder') return { wanted: [], decision: `a folder above it holds the ${inputs.marker || 'ignore'} marker: the scanner leaves it out` };
  const ignoredBy = row.ignored_by === 'file' ? fileMarkerName(basename(row.path), inputs.marker || '.notranscribe') : null;
  return computeWanted(toAnalysis(row.path, parseAnalysis(row.analysis)), inputs, { ignoredBy, noSpeechJob });
}

export interface ItemView {
  id: number;
  path: string;
  file_name: string;
  folder: string;
  root: string | null;
  kind: ItemKind;
  title: string;
  show: string | null;
  season: number | null;
  episode: number | null;
  episode_end: number | null;
  year: number | null;
  size: number;
  modified_at: string;
  duration_seconds: number | null;
  is_video: boolean;
  audio_tracks: Array<{ index: number; language: string | null; codec: string | null; channels: number | null; default: boolean; title: string | null }>;
  embedded_subtitles: Array<{ index: number; language: string | null; codec: string | null; forced: boolean; hearing_impaired: boolean; default: boolean; title: string | null }>;
  external_subtitles: Array<{ index: number; path: string; file_name: string; language: string | null; format: string; forced: boolean; sdh: boolean; generated: boolean }>;
  wanted: Wanted[];
  decision: string | null;
  jobs: LatestJob[];
  needs_review: boolean;
  ignored: boolean;
  ignored_by: 'file' | 'folder' | null;
  missing: boolean;
  probe_error: string | null;
  indexed_at: string;
  updated_at: string;
}

function parseJson<T>(s: string | null, fallback: T): T {
  if (!s) return fallback;
  try {
    return JSON.parse(s) as T;
  } catch {
    return fallback;
  }
}

/**
 * The API's item; `wanted` overrides the stored wanted (computed on read while
 * the stored one is stale). Every key is written out, also those of the stored
 * JSON parts, so the item has exactly the documented keys (and null, never a
 * missing key, where an older stored analysis lacks a field): its JSON is
 * written with JSON.stringify (library.json.ts).
 */
export function toItem(row: PageRow, wanted?: WantedResult): ItemView {
  const a = parseAnalysis(row.analysis);
  const w = wanted ?? { wanted: parseJson<Wanted[]>(row.wanted, []), decision: row.decision };
  return {
    id: Number(row.id),
    path: row.path,
    file_name: row.file_name,
    folder: row.folder,
    root: row.root,
    kind: (['episode', 'movie', 'other'].includes(row.kind) ? row.kind : 'other') as ItemKind,
    title: row.title,
    show: row.show,
    season: row.season,
    episode: row.episode,
    episode_end: row.episode_end,
    year: row.year,
    size: Number(row.size),
    modified_at: new Date(Number(row.mtime_ms)).toISOString(),
    duration_seconds: row.duration_seconds === null ? null : Number(row.duration_seconds),
    is_video: !!row.is_video,
    audio_tracks: a.audio_tracks.map((t) => ({ index: t.index, language: t.language ?? null, codec: t.codec ?? null, channels: t.channels ?? null, default: !!t.default, title: t.title ?? null })),
    embedded_subtitles: a.embedded_subtitles.map((s) => ({
      index: s.index, language: s.language ?? null, codec: s.codec ?? null, forced: !!s.forced, hearing_impaired: !!s.hearing_impaired, default: !!s.default, title: s.title ?? null,
    })),
    external_subtitles: a.external_subtitles.map((s, i) => ({
      index: i, path: s.path, file_name: basename(s.path), language: s.language ?? null, format: s.format, forced: !!s.forced, sdh: !!s.sdh, generated: !!s.generated,
    })),
    wanted: w.wanted.map((x) => ({
      language: x.language, rule_id: x.rule_id, rule_name: x.rule_name, reason: x.reason, quality_preset: x.quality_preset, action_type: x.action_type,
      audio_language: x.audio_language ?? null, audio_track_index: x.audio_track_index,
    })),
    decision: w.decision ?? null,
    jobs: parseJson<LatestJob[]>(row.jobs, []).map((j) => ({
      target_lang: j.target_lang, id: j.id, status: j.status, error: j.error ?? null, error_code: j.error_code ?? null, progress: j.progress, updated_at: j.updated_at,
      needs_review: !!j.needs_review, quality_score: typeof j.quality_score === 'number' ? j.quality_score : null,
    })),
    needs_review: !!row.needs_review,
    ignored: row.ignored_by !== null,
    ignored_by: row.ignored_by === 'file' || row.ignored_by === 'folder' ? row.ignored_by : null,
    missing: !!row.missing,
    probe_error: row.probe_error,
    indexed_at: row.indexed_at,
    updated_at: row.updated_at,
  };
}

/** Library folders from the setting, resolved, longest first (a nested library folder wins). */
export function libraryRoots(paths: string[]): string[] {
  return paths.map((p) => p.trim()).filter(Boolean).map((p) => resolve(p)).sort((a, b) => b.length - a.length);
}
