// The subtitle sync calls of the library API (preview, apply, what is known of
// an item, Undo, a check now) and the words the item page uses for a measure.
import { api, unwrap } from '../api/client';
import type { BodyOf, ResponseOf } from '../api/types';
import type { LibraryItemDetail } from './library-bits';

export type ItemSync = ResponseOf<'/api/library/items/{id}/sync', 'get'>;
export type SyncCheck = ItemSync['checks'][number];
export type SyncRecord = ItemSync['syncs'][number];
export type SyncCheckRun = ResponseOf<'/api/library/sync-check', 'post'>;
/** What a subtitle is synced to: the audio (default), another subtitle file, an embedded text track. */
export type SyncReferenceBody = Pick<BodyOf<'/api/library/items/{id}/subtitles/{n}/sync', 'post'>, 'reference_subtitle' | 'reference_embedded'>;

/** The external subtitle formats whose cue times sync can move. */
const TEXT_FORMATS = ['srt', 'vtt', 'ass', 'ssa'];
/** Embedded subtitle codecs with text times (a reference; image tracks have none). */
const TEXT_CODECS = ['subrip', 'srt', 'ass', 'ssa', 'webvtt', 'mov_text', 'text'];

export const isTextSubtitle = (s: { format: string }) => TEXT_FORMATS.includes(s.format.toLowerCase());

/** The subtitles of an item another one can be synced to, with the body that names each. */
export function referenceChoices(item: LibraryItemDetail, n: number): Array<{ key: string; label: string; body: SyncReferenceBody }> {
  return [
    { key: 'audio', label: 'Audio (speech in the film)', body: {} },
    ...item.external_subtitles
      .filter((s) => s.index !== n && isTextSubtitle(s))
      .map((s) => ({ key: `file:${s.index}`, label: `Subtitle file ${s.file_name}`, body: { reference_subtitle: s.index } })),
    ...item.embedded_subtitles
      .filter((s) => TEXT_CODECS.includes((s.codec ?? '').toLowerCase()))
      .map((s) => ({ key: `embedded:${s.index}`, label: `Embedded track #${s.index}${s.language ? ` (${s.language})` : ''}${s.title ? ` “${s.title}”` : ''}`, body: { reference_embedded: s.index } })),
  ];
}

/** POST …/subtitles/{n}/sync: a preview (nothing written), or with `apply` and the preview's sha256 the fix written. */
export const syncSubtitle = (id: number, n: number, body: BodyOf<'/api/library/items/{id}/subtitles/{n}/sync', 'post'>) =>
  unwrap(api.POST('/api/library/items/{id}/subtitles/{n}/sync', { params: { path: { id, n } }, body }));

/** A preview or an apply (openapi-fetch widens the timeline's [start, end] pairs to number[]). */
export type SyncResult = Awaited<ReturnType<typeof syncSubtitle>>;

export const fetchItemSync = (id: number): Promise<ItemSync> => unwrap(api.GET('/api/library/items/{id}/sync', { params: { path: { id } } }));

export const undoSync = (id: number, syncId: number): Promise<SyncRecord> =>
  unwrap(api.POST('/api/library/items/{id}/syncs/{syncId}/undo', { params: { path: { id, syncId } } }));

export const checkItemSync = (id: number): Promise<SyncCheckRun> => unwrap(api.POST('/api/library/sync-check', { body: { item_ids: [id] } }));

/** "1.2 s" with one decimal. */
export const seconds = (s: number) => `${Math.abs(Math.round(s * 10) / 10).toFixed(1)} s`;

/** A measure as the item page says it: "in sync", "out of sync: 3.2 s late", "not sure: …". */
export function checkText(c: SyncCheck | undefined): { text: string; tone: 'success' | 'warning' | 'muted' } {
  if (!c) return { text: 'not checked yet', tone: 'muted' };
  if (c.verdict === 'in_sync') return { text: 'in sync', tone: 'success' };
  if (c.out_of_sync) {
    // A plain shift reads "3.2 s late"; a frame-rate change or a split keeps the server's own line.
    const plain = c.ratio === 1 && /^\S+ s (late|early)\b/.test(c.summary);
    return { text: `out of sync: ${plain ? `${seconds(c.offset_seconds)} ${c.offset_seconds < 0 ? 'late' : 'early'}` : c.summary}`, tone: 'warning' };
  }
  return { text: `not sure, left as it is: ${c.summary}`, tone: 'muted' };
}
