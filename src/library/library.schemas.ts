/**
 * TypeBox schemas of the library API (validation, reply shape and OpenAPI in
 * one). The kinds (filters, actions, sorts) are defined once here and taken
 * by the service and the web UI.
 */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable, OneOf } from '../http/schemas.js';
import { QUALITY_PRESETS } from '../quality-presets.js';
import { JobSchema } from '../jobs/jobs.schemas.js';

export { LIBRARY_FILTERS, LIBRARY_SORTS, LIBRARY_ACTIONS, ITEM_KINDS, type LibraryFilter, type LibrarySort, type LibraryAction, type ItemKind } from './library-kinds.js';
import { LIBRARY_FILTERS, LIBRARY_SORTS, LIBRARY_ACTIONS, ITEM_KINDS } from './library-kinds.js';

const LibraryAudioSchema = Type.Object({
  index: Type.Integer({ description: 'Position among the audio streams (ffmpeg -map 0:a:N)' }),
  language: Nullable(Type.String({ description: 'ISO 639-2 code; null when the track is untagged' })),
  codec: Nullable(Type.String()),
  channels: Nullable(Type.Integer()),
  default: Type.Boolean(),
  title: Nullable(Type.String()),
});

const LibraryEmbeddedSubtitleSchema = Type.Object({
  index: Type.Integer({ description: 'Position among the subtitle streams (ffmpeg -map 0:s:N)' }),
  language: Nullable(Type.String()),
  codec: Nullable(Type.String()),
  forced: Type.Boolean(),
  hearing_impaired: Type.Boolean(),
  default: Type.Boolean(),
  title: Nullable(Type.String()),
});

const LibraryExternalSubtitleSchema = Type.Object({
  index: Type.Integer({ description: 'Position in this list: the {n} of GET /api/library/items/{id}/subtitles/{n}' }),
  path: Type.String(),
  file_name: Type.String(),
  language: Nullable(Type.String()),
  format: Type.String({ description: 'srt, ass, ssa, vtt, vobsub, sub, sup, ...' }),
  forced: Type.Boolean(),
  sdh: Type.Boolean(),
  generated: Type.Boolean({ description: 'Written by TranscriptorIO (its sidecar record, marker or subtitle_tag)' }),
});

const WantedSchema = Type.Object({
  language: Type.String({ description: 'Target language a rule wants (ISO 639-2)' }),
  rule_id: Type.Integer(),
  rule_name: Type.String(),
  reason: Type.String({ description: "The scanner's reason, e.g. 'rule \"Japanese to Spanish\" matches (audio jpn → spa subtitles)'" }),
  quality_preset: Type.String({ description: "The rule's preset: what Transcribe uses when none is given" }),
  action_type: Type.String({ description: 'transcribe or translate' }),
  audio_language: Nullable(Type.String({ description: 'Language of the audio track the rule picked' })),
  audio_track_index: Type.Integer({ description: 'The audio track the rule picked (ffmpeg -map 0:a:N)' }),
});

const LatestJobSchema = Type.Object({
  target_lang: Type.String(),
  id: Type.String(),
  status: Type.String({ description: 'queued, processing, completed, failed or cancelled' }),
  error: Nullable(Type.String()),
  error_code: Nullable(Type.String()),
  progress: Type.Number(),
  updated_at: Type.String(),
  needs_review: Type.Boolean({ description: 'The subtitle scored under quality_review_threshold and nobody accepted it yet' }),
  quality_score: Nullable(Type.Number({ description: "The quality report's score, 0-100; null before a report exists (a job that has not finished, or one from before reports)" })),
});

const ItemProps = {
  id: Type.Integer(),
  path: Type.String(),
  file_name: Type.String(),
  folder: Type.String({ description: 'The folder holding the file' }),
  root: Nullable(Type.String({ description: 'The library folder (library_paths) the file was found under' })),
  kind: OneOf(ITEM_KINDS, 'episode (a season and episode number were found), movie (other videos) or other (audio-only files)'),
  title: Type.String({ description: 'Display title: the episode title or file name for episodes, the movie title otherwise' }),
  show: Nullable(Type.String({ description: 'Show name (episodes): from the Show/Season NN/ folders, else from the file name' })),
  season: Nullable(Type.Integer()),
  episode: Nullable(Type.Integer()),
  episode_end: Nullable(Type.Integer({ description: 'Last episode of a multi-episode file (S01E01E02)' })),
  year: Nullable(Type.Integer()),
  size: Type.Number({ description: 'Bytes' }),
  modified_at: Type.String({ description: "The file's modification time (ISO 8601)" }),
  duration_seconds: Nullable(Type.Number()),
  is_video: Type.Boolean(),
  audio_tracks: Type.Array(LibraryAudioSchema),
  embedded_subtitles: Type.Array(LibraryEmbeddedSubtitleSchema),
  external_subtitles: Type.Array(LibraryExternalSubtitleSchema),
  wanted: Type.Array(WantedSchema, { description: 'Target languages the enabled rules want that the file does not have yet, by rule priority' }),
  decision: Nullable(Type.String({ description: "When nothing is wanted: the scanner's reason (a skip setting, no rule matches, subtitle already there)" })),
  jobs: Type.Array(LatestJobSchema, { description: 'The latest job per target language' }),
  needs_review: Type.Boolean({ description: 'The latest job of a language wrote a subtitle that needs review (its quality score is under quality_review_threshold) and it is still beside the file: look at it and accept it or redo it' }),
  ignored: Type.Boolean({ description: 'Left out of scans by the ignore marker (scanner_ignore_marker, default .notranscribe)' }),
  ignored_by: Nullable(OneOf(['file', 'folder'] as const, 'file: a marker beside the file (Movie.mkv.notranscribe, what the Ignore action writes); folder: a folder above holds the marker')),
  missing: Type.Boolean({ description: 'The file was gone at the last scan of its folder (or the watcher saw it removed)' }),
  probe_error: Nullable(Type.String({ description: 'Why ffprobe could not read the file; null when it could' })),
  indexed_at: Type.String({ description: 'When the file entered the index' }),
  updated_at: Type.String({ description: 'Last change of this entry' }),
};

export const LibraryItemSchema = Type.Object(ItemProps);

const SubtitleQualitySchema = Type.Object({
  job_id: Type.String({ description: 'The completed job that wrote this file' }),
  score: Nullable(Type.Number({ description: 'Quality score 0-100; null when the job kept no report' })),
  needs_review: Type.Boolean(),
  flagged: Nullable(Type.Integer({ description: 'Cues the report flagged; null when the stored report cannot be read' })),
}, { description: 'What the job that wrote this subtitle found of its quality; null for a subtitle no completed job of this file wrote (the user\'s, or one from before quality reports)' });

const ItemQualitySchema = Type.Object({
  target_lang: Type.String(),
  job_id: Type.String(),
  score: Nullable(Type.Number({ description: 'Quality score 0-100' })),
  needs_review: Type.Boolean(),
  review_accepted_at: Nullable(Type.String({ description: 'When a person accepted the subtitle (ISO 8601); null while not accepted' })),
  report: Nullable(Type.Object({}, {
    additionalProperties: true,
    description: 'The quality report as stored with the job (as GET /api/jobs/{id}/quality serves it); null when the stored report cannot be read',
  })),
});

export const LibraryItemDetailSchema = Type.Object({
  ...ItemProps,
  external_subtitles: Type.Array(Type.Object({ ...LibraryExternalSubtitleSchema.properties, quality: Nullable(SubtitleQualitySchema) })),
  quality: Type.Array(ItemQualitySchema, { description: 'Per target language, the quality report of its latest completed job, when that job has one' }),
  job_history: Type.Array(JobSchema, { description: 'Jobs for this file, newest first (at most 50)' }),
});

// The selection's fields, as GET /items and an action's filter take them (the message names the query parameter in both).
const FilterField = (description: string) =>
  OneOf(LIBRARY_FILTERS, { description, error: 'bad_filter', message: `filter must be one of ${LIBRARY_FILTERS.join(', ')}, got "{value}"` });
const KindField = (description?: string) =>
  OneOf(ITEM_KINDS, { description, error: 'bad_filter', message: `kind must be one of ${ITEM_KINDS.join(', ')}, got "{value}"`, allowEmpty: true });

export const ItemsQuery = Type.Object({
  page: Type.Optional(Type.Integer({ minimum: 1, maximum: 2147483647, default: 1, description: 'Page number (1-based)' })),
  page_size: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50, description: 'Items per page (1-200)' })),
  q: Type.Optional(Type.String({ maxLength: 200, description: 'Words that must all appear in the title, show or path (case-insensitive)' })),
  filter: Type.Optional(FilterField(`${LIBRARY_FILTERS.join(' | ')} (default all). wanted: a rule wants a language; generated: a subtitle made by TranscriptorIO; failed: the latest job of a language failed; missing: gone from disk; ignored: left out of scans; needs_review: the latest job of a language wrote a subtitle whose quality score is under quality_review_threshold and nobody accepted it; out_of_sync: the sync check measured one of its subtitles out of sync with the audio`)),
  language: Type.Optional(Type.String({ description: 'ISO 639 code. With filter=wanted/generated/failed: that language is wanted/generated/failed; otherwise the file has audio or a subtitle (embedded or external) in it' })),
  folder: Type.Optional(Type.String({ description: 'Only files in this folder or below (absolute, inside the library folders)' })),
  show: Type.Optional(Type.String({ description: 'Only episodes of this show (the show names of GET /tree)' })),
  season: Type.Optional(Type.Integer({ minimum: 0, description: 'With show: only this season' })),
  kind: Type.Optional(KindField(`${ITEM_KINDS.join(' | ')}`)),
  sort: Type.Optional(OneOf(LIBRARY_SORTS, { description: `${LIBRARY_SORTS.join(' | ')} (default title: show, season, episode, title; - for descending; added: when indexed)`, error: 'bad_sort', allowEmpty: true })),
});

export const ItemsPageSchema = Type.Object({
  items: Type.Array(LibraryItemSchema),
  total: Type.Integer({ description: 'Items matching the query' }),
  page: Type.Integer(),
  page_size: Type.Integer(),
  wanted_pending: Type.Boolean({ description: 'Rules or skip settings changed and wanted is still being recomputed for the whole library: the items shown are up to date, the wanted counts and filter may lag for a few seconds' }),
});

const Counts = {
  files: Type.Integer({ description: 'Files present (not missing)' }),
  wanted: Type.Integer({ description: 'Files with at least one wanted language' }),
  generated: Type.Integer({ description: 'Files with a subtitle made by TranscriptorIO' }),
  failed: Type.Integer({ description: 'Files whose latest job of a language failed' }),
  missing: Type.Integer({ description: 'Files gone from disk' }),
  needs_review: Type.Integer({ description: 'Files with a subtitle that needs review (filter needs_review)' }),
};
const TreeCountsSchema = Type.Object(Counts);

export const TreeSchema = Type.Object({
  totals: TreeCountsSchema,
  roots: Type.Array(Type.Object({ path: Type.String({ description: 'A library folder' }), ...Counts })),
  shows: Type.Array(Type.Object({
    show: Type.String({ description: 'Use as ?show= of GET /items' }),
    ...Counts,
    seasons: Type.Array(Type.Object({ season: Nullable(Type.Integer()), ...Counts })),
  }), { description: 'Shows by name, with their seasons' }),
  movies: TreeCountsSchema,
  other: TreeCountsSchema,
  folders: Type.Array(Type.Object({ path: Type.String(), ...Counts }), { description: 'Direct subfolders of ?folder= (without it: of each library folder), by name, with counts over everything below them; at most 200 per folder' }),
  folders_truncated: Type.Boolean({ description: 'A folder has more subfolders than listed (a movie library with a folder per movie): ask for it with ?folder=, or browse by show or search' }),
  wanted_pending: Type.Boolean(),
});

export const TreeQuery = Type.Object({
  folder: Type.Optional(Type.String({ description: 'The tree of this folder (absolute, inside the library folders): every count covers only what lies in it, shows and roots are those in it, folders are its subfolders' })),
});

export const ItemParams = Type.Object({ id: Type.Integer({ minimum: 1, description: 'Library item id' }) });
export const SubtitleParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'Library item id' }),
  n: Type.Integer({ minimum: 0, description: 'Index in the item\'s external_subtitles' }),
});

export const SelectionFilterSchema = Type.Object({
  filter: Type.Optional(FilterField('As ?filter= of GET /items')),
  q: Type.Optional(Type.String({ maxLength: 200 })),
  language: Type.Optional(Type.String()),
  folder: Type.Optional(Type.String()),
  show: Type.Optional(Type.String()),
  season: Type.Optional(Type.Integer({ minimum: 0 })),
  kind: Type.Optional(KindField()),
}, { additionalProperties: false, description: 'Every item GET /items would list with these parameters' });

export const ActionBody = Type.Object({
  action: OneOf(LIBRARY_ACTIONS, 'transcribe: queue a job (target_lang, else the first wanted language). redo: queue again a language whose subtitle TranscriptorIO made (the job replaces only that file). delete_generated: delete subtitles whose sidecar record (its hash) proves TranscriptorIO made them and that were not edited since (target_lang: only that language). ignore / unignore: leave the file out of scans, or take it back'),
  item_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 5000, description: 'The items to act on' })),
  filter: Type.Optional(SelectionFilterSchema),
  target_lang: Type.Optional(Type.String({ description: 'ISO 639 code (transcribe, redo, delete_generated)' })),
  quality_preset: Type.Optional(OneOf(QUALITY_PRESETS, {
    description: "fast, balanced or best (transcribe, redo); default: the wanting rule's preset, else transcription_preset",
    error: 'bad_quality_preset',
    message: `Invalid quality preset "{value}": use one of ${QUALITY_PRESETS.join(', ')}`,
  })),
  model: Type.Optional(Type.String({
    minLength: 1,
    maxLength: 500,
    description: "A model for these jobs only (transcribe, redo): an installed model's name (GET /api/models) or the path of a ggml file; default: the preset's model",
  })),
}, { additionalProperties: false });

export const ActionResultSchema = Type.Object({
  action: OneOf(LIBRARY_ACTIONS),
  matched: Type.Integer({ description: 'Items selected' }),
  done: Type.Array(Type.Object({
    item_id: Type.Integer(),
    path: Type.String(),
    target_lang: Nullable(Type.String()),
    job_id: Nullable(Type.String({ description: 'The job queued (transcribe, redo)' })),
    deleted: Type.Array(Type.String(), { description: 'Files removed (delete_generated)' }),
    message: Type.String(),
  })),
  refused: Type.Array(Type.Object({
    item_id: Type.Integer(),
    path: Nullable(Type.String()),
    target_lang: Nullable(Type.String()),
    code: Type.String({ description: 'Stable reason code: not_found, missing, ignored, nothing_wanted, duplicate_job, not_generated, edited, no_generated, marker, already, outside_library, ...' }),
    reason: Type.String({ description: 'What stands in the way, for a person' }),
  })),
});

export const SubtitlePreviewSchema = Type.Object({
  item_id: Type.Integer(),
  index: Type.Integer(),
  path: Type.String(),
  language: Nullable(Type.String()),
  format: Type.String(),
  generated: Type.Boolean(),
  cues: Type.Array(Type.Object({ start: Type.String(), end: Type.String(), text: Type.String() }), { description: 'The first cues (at most 30)' }),
  truncated: Type.Boolean({ description: 'The file has more than the cues shown' }),
});
