/**
 * The SQL of subtitle sync (migration 016): a media file's speech spans, each
 * subtitle's measure against them, the fixes written with their backups, and
 * the library index's out-of-sync flag.
 */
import { sql } from 'kysely';
import type { Db } from '../db/database.js';
import type { SubtitleSyncCheckRow, SubtitleSyncRow } from '../db/schema.js';
import type { TimeSpan } from './types.js';

export interface StoredSpeech {
  spans: TimeSpan[];
  duration: number;
  streamIndex: number | null;
  language: string | null;
}

/** A subtitle measured against the speech (numbers read as numbers on PostgreSQL too). */
export type SyncCheckRow = SubtitleSyncCheckRow;
/** A fix written to a subtitle, with the copy of the original. */
export type SyncRecordRow = SubtitleSyncRow;

/** Spans stored for this version of the file (same size and mtime), or null. */
export async function findSpeech(db: Db, path: string, size: number, mtimeMs: number): Promise<StoredSpeech | null> {
  const row = await db.selectFrom('media_speech').selectAll().where('path', '=', path).executeTakeFirst();
  if (!row || Number(row.size) !== size || Number(row.mtime_ms) !== Math.trunc(mtimeMs)) return null;
  const spans = parseSpans(row.spans);
  if (!spans) return null; // a broken stored value is computed again, never trusted
  return { spans, duration: Number(row.duration), streamIndex: row.stream_index, language: row.language };
}

export async function saveSpeech(db: Db, path: string, size: number, mtimeMs: number, s: StoredSpeech, now = Date.now()): Promise<void> {
  const values = {
    path, size, mtime_ms: Math.trunc(mtimeMs), stream_index: s.streamIndex, language: s.language, duration: s.duration,
    spans: JSON.stringify(s.spans.map((x) => [round2(x.start), round2(x.end)])), computed_ms: now,
  };
  await db.insertInto('media_speech').values(values).onConflict((oc) => oc.column('path').doUpdateSet(values)).execute();
}

/** Paths among `paths` whose speech is stored (for any version; the caller checks it). */
export async function pathsWithSpeech(db: Db, paths: string[]): Promise<Set<string>> {
  if (!paths.length) return new Set();
  const rows = await db.selectFrom('media_speech').select('path').where('path', 'in', paths).execute();
  return new Set(rows.map((r) => r.path));
}

export async function findChecks(db: Db, mediaPath: string): Promise<SyncCheckRow[]> {
  return (await db.selectFrom('subtitle_sync_checks').selectAll().where('media_path', '=', mediaPath).execute()).map(numeric);
}

export async function saveCheck(db: Db, row: SyncCheckRow): Promise<void> {
  await db.insertInto('subtitle_sync_checks').values(row).onConflict((oc) => oc.column('subtitle').doUpdateSet(row)).execute();
}

export async function deleteCheck(db: Db, subtitle: string): Promise<void> {
  await db.deleteFrom('subtitle_sync_checks').where('subtitle', '=', subtitle).execute();
}

/** Sets the item's out-of-sync flag; a change stamps the row so list answers are rebuilt. */
export async function setOutOfSync(db: Db, mediaPath: string, outOfSync: boolean, now = Date.now()): Promise<void> {
  const v = outOfSync ? 1 : 0;
  await db
    .updateTable('library_items')
    .set({ out_of_sync: v, updated_ms: now, updated_at: new Date(now).toISOString() })
    .where('path', '=', mediaPath)
    .where(sql<boolean>`out_of_sync <> ${v}`)
    .execute();
}

export async function insertSync(db: Db, r: Omit<SyncRecordRow, 'id' | 'undone_ms'>): Promise<number> {
  const row = await db.insertInto('subtitle_syncs').values({ ...r, undone_ms: null }).returning('id').executeTakeFirstOrThrow();
  return Number(row.id);
}

export async function listSyncs(db: Db, mediaPath: string): Promise<SyncRecordRow[]> {
  return (await db.selectFrom('subtitle_syncs').selectAll().where('media_path', '=', mediaPath).orderBy('id', 'desc').limit(50).execute()).map((r) => ({
    ...r, id: Number(r.id), created_ms: Number(r.created_ms), undone_ms: r.undone_ms === null ? null : Number(r.undone_ms),
  }));
}

export async function findSync(db: Db, id: number): Promise<SyncRecordRow | undefined> {
  const r = await db.selectFrom('subtitle_syncs').selectAll().where('id', '=', id).executeTakeFirst();
  return r && { ...r, id: Number(r.id), created_ms: Number(r.created_ms), undone_ms: r.undone_ms === null ? null : Number(r.undone_ms) };
}

/** Marks a sync undone; false when it already was (two Undo clicks restore once). */
export async function markUndone(db: Db, id: number, now = Date.now()): Promise<boolean> {
  const res = await db.updateTable('subtitle_syncs').set({ undone_ms: now }).where('id', '=', id).where('undone_ms', 'is', null).executeTakeFirst();
  return Number(res.numUpdatedRows) === 1;
}

function parseSpans(text: string): TimeSpan[] | null {
  try {
    const v: unknown = JSON.parse(text);
    if (!Array.isArray(v)) return null;
    const out: TimeSpan[] = [];
    for (const p of v) {
      if (!Array.isArray(p) || typeof p[0] !== 'number' || typeof p[1] !== 'number' || !(p[1] >= p[0])) return null;
      out.push({ start: p[0], end: p[1] });
    }
    return out;
  } catch {
    return null;
  }
}

const round2 = (x: number) => Math.round(x * 100) / 100;
const numeric = (r: SyncCheckRow): SyncCheckRow => ({
  ...r, size: Number(r.size), mtime_ms: Number(r.mtime_ms), offset_seconds: Number(r.offset_seconds), ratio: Number(r.ratio),
  score_before: Number(r.score_before), score_after: Number(r.score_after), checked_ms: Number(r.checked_ms),
});

/** Ids of present library items after `afterId`, in id order (the background check's cursor walk). */
export async function itemIdsAfter(db: Db, afterId: number, limit: number): Promise<number[]> {
  const rows = await db.selectFrom('library_items').select('id').where('missing', '=', 0).where('id', '>', afterId).orderBy('id').limit(limit).execute();
  return rows.map((r) => Number(r.id));
}

/** Whether a sync of this subtitle was ever undone: the user chose the original, and no rule syncs it again. */
export async function wasUndone(db: Db, subtitle: string): Promise<boolean> {
  const row = await db.selectFrom('subtitle_syncs').select('id').where('subtitle', '=', subtitle).where('undone_ms', 'is not', null).limit(1).executeTakeFirst();
  return row !== undefined;
}
