/** TypeBox schemas of subtitle sync (/api/library/items/{id}/subtitles/{n}/sync and friends). */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable, OneOf } from '../http/schemas.js';
import { SYNC_REFUSAL_CODES } from './types.js';

export const SyncParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'Library item id' }),
  n: Type.Integer({ minimum: 0, description: "Index in the item's external_subtitles" }),
});
export const UndoParams = Type.Object({
  id: Type.Integer({ minimum: 1, description: 'Library item id' }),
  syncId: Type.Integer({ minimum: 1, description: 'A sync of this item (GET /api/library/items/{id}/sync)' }),
});

export const SyncBody = Type.Object({
  apply: Type.Optional(Type.Boolean({ default: false, description: 'false (default): preview only, nothing is written. true: write the fix when the quality gate passes (the original is kept for Undo)' })),
  sha256: Type.Optional(Type.String({ pattern: '^[0-9a-f]{64}$', description: "The preview's sha256: apply refuses (409) when the subtitle changed since" })),
  reference_subtitle: Type.Optional(Type.Integer({ minimum: 0, description: 'Sync to another of the item\'s external subtitles (its index) instead of the audio' })),
  reference_embedded: Type.Optional(Type.Integer({ minimum: 0, description: 'Sync to an embedded text subtitle track (position among the subtitle streams, ffmpeg 0:s:N) instead of the audio' })),
  audio_language: Type.Optional(Type.String({ description: 'The audio track to listen to (ISO 639 code); default: the default track' })),
}, { additionalProperties: false });

const Span = Type.Tuple([Type.Number(), Type.Number()], { description: '[start, end] in seconds' });

export const SyncResultSchema = Type.Object({
  item_id: Type.Integer(),
  index: Type.Integer(),
  path: Type.String(),
  verdict: Type.Union([Type.Literal('in_sync'), Type.Literal('fix'), Type.Literal('refused')], { description: 'in_sync: nothing to do (the file is not touched); fix: the plan passes the quality gate; refused: a plan was found but is not trusted (refusal says why)' }),
  refusal: Nullable(Type.Object({ code: OneOf(SYNC_REFUSAL_CODES, 'small_gain, offset_at_bound, nonstandard_ratio, thin_block, no_cues or no_reference'), message: Type.String() })),
  summary: Type.String({ description: 'One line for a person: "3.2 s late: shift by -3.2 s", "in sync", a refusal' }),
  offset_seconds: Type.Number({ description: 'Shift of the part holding most cues (corrected = original x ratio + offset)' }),
  ratio: Type.Number({ description: '1, or the frame-rate ratio applied (25/23.976, ...)' }),
  blocks: Type.Array(Type.Object({ first_cue: Type.Integer(), last_cue: Type.Integer(), offset_seconds: Type.Number() }), { description: 'Parts moved by their own offset (several after a split such as an ad break); cue indexes in time order' }),
  score_before: Type.Number({ description: 'Share of cue time over speech (or the reference\'s cues) as the file is, 0-1' }),
  score_after: Type.Number({ description: 'The same after the plan' }),
  cues: Type.Integer(),
  reference: Type.Union([Type.Literal('audio'), Type.Literal('file'), Type.Literal('embedded')]),
  sha256: Type.String({ description: 'Of the subtitle as it was read (send it back with apply)' }),
  applied: Type.Boolean({ description: 'The fix was written' }),
  sync_id: Nullable(Type.Integer({ description: 'The sync written (Undo: POST /api/library/items/{id}/syncs/{sync_id}/undo)' })),
  backup: Nullable(Type.String({ description: "Where the user's original was copied" })),
  timeline: Type.Object({
    duration: Nullable(Type.Number()),
    reference: Type.Array(Span, { description: 'Speech (or the reference subtitle\'s cues)' }),
    before: Type.Array(Span),
    after: Type.Array(Span),
  }, { description: 'What a preview draws (at most 6,000 spans each)' }),
});

const SyncCheckSchema = Type.Object({
  subtitle: Type.String({ description: 'The subtitle file, or "<media>#s:N" for an embedded track' }),
  external_index: Nullable(Type.Integer({ description: "Its index in external_subtitles, when it is an external file" })),
  embedded_index: Nullable(Type.Integer({ description: 'Its position among the subtitle streams, when it is embedded' })),
  verdict: Type.String({ description: 'in_sync, fix (out of sync, and a fix passes the gate) or refused (not sure: nothing is claimed)' }),
  out_of_sync: Type.Boolean(),
  offset_seconds: Type.Number(),
  ratio: Type.Number(),
  score_before: Type.Number(),
  score_after: Type.Number(),
  summary: Type.String(),
  checked_at: Type.String(),
});

const SyncRecordSchema = Type.Object({
  id: Type.Integer(),
  subtitle: Type.String(),
  summary: Type.String(),
  backup: Type.String(),
  created_at: Type.String(),
  undone_at: Nullable(Type.String()),
});

export const ItemSyncSchema = Type.Object({
  item_id: Type.Integer(),
  speech_known: Type.Boolean({ description: 'The speech of this version of the file is known (a check costs no listening)' }),
  checks: Type.Array(SyncCheckSchema),
  syncs: Type.Array(SyncRecordSchema, { description: 'Fixes written, newest first, each with Undo while undone_at is null' }),
});

export const UndoResultSchema = SyncRecordSchema;

export const SyncCheckRunBody = Type.Object({
  item_ids: Type.Optional(Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500, description: 'Check these items now (default: one background round)' })),
  listen: Type.Optional(Type.Boolean({ description: 'Listen to files whose speech is not known yet (default true for item_ids, the setting for a round)' })),
}, { additionalProperties: false });

export const SyncCheckRunSchema = Type.Object({
  items: Type.Integer({ description: 'Media files looked at' }),
  checked: Type.Integer({ description: 'Subtitles measured' }),
  out_of_sync: Type.Integer({ description: 'Of those, out of sync' }),
  skipped: Type.Integer({ description: 'Subtitles not measured: speech not known and no listening left in this round, image subtitles, unreadable' }),
});

export const SyncByPathBody = Type.Object({
  media: Type.String({ minLength: 1, description: 'The video, as Bazarr or the *arr app knows it ({{episode}} in Bazarr\'s post-processing); path mappings apply; it must lie in the library' }),
  subtitle: Type.String({ minLength: 1, description: 'The subtitle to sync ({{subtitles}}): beside the video, an SRT, WebVTT or ASS file' }),
  apply: Type.Optional(Type.Boolean({ default: false, description: 'false (default): preview; true: write when the quality gate passes' })),
  reference: Type.Optional(Type.String({ description: 'Sync to this subtitle (beside the video) instead of the audio' })),
}, { additionalProperties: false });

export const SyncByPathSchema = Type.Omit(SyncResultSchema, ['item_id', 'index', 'timeline']);
