/**
 * All SQL of the scanner: the probe cache (one row per media file, valid while
 * size and mtime match) and the scanner's persisted state in app_state.
 */
import type { Db } from '../db/database.js';

export interface ProbeCacheRow {
  path: string;
  size: number;
  mtime_ms: number;
  probed_at: string;
  result: string;
}

const CHUNK = 500;

/** Cached probes of the given paths, in one query per 500 paths. */
export async function loadProbeCache(db: Db, paths: string[]): Promise<Map<string, ProbeCacheRow>> {
  const out = new Map<string, ProbeCacheRow>();
  for (let i = 0; i < paths.length; i += CHUNK) {
    const rows = await db.selectFrom('probe_cache').selectAll().where('path', 'in', paths.slice(i, i + CHUNK)).execute();
    for (const r of rows) out.set(r.path, { ...r, size: Number(r.size), mtime_ms: Number(r.mtime_ms) });
  }
  return out;
}

/** Cache rows in path order, `limit` at a time after `afterPath` (a keyset page; null: from the start). */
export async function probeCachePage(db: Db, afterPath: string | null, limit: number): Promise<ProbeCacheRow[]> {
  let q = db.selectFrom('probe_cache').selectAll().orderBy('path').limit(limit);
  if (afterPath !== null) q = q.where('path', '>', afterPath);
  return (await q.execute()).map((r) => ({ ...r, size: Number(r.size), mtime_ms: Number(r.mtime_ms) }));
}

/** Inserts or replaces cache rows, many per statement, in one transaction. */
export async function saveProbeCache(db: Db, rows: ProbeCacheRow[]): Promise<void> {
  if (!rows.length) return;
  // Five values a row: 100 rows stay far below SQLite's and PostgreSQL's parameter limits.
  await db.transaction().execute(async (trx) => {
    for (let i = 0; i < rows.length; i += 100) {
      await trx
        .insertInto('probe_cache')
        .values(rows.slice(i, i + 100))
        .onConflict((oc) =>
          oc.column('path').doUpdateSet((eb) => ({
            size: eb.ref('excluded.size'),
            mtime_ms: eb.ref('excluded.mtime_ms'),
            probed_at: eb.ref('excluded.probed_at'),
            result: eb.ref('excluded.result'),
          })),
        )
        .execute();
    }
  });
}

export async function getState(db: Db, key: string): Promise<string | null> {
  const row = await db.selectFrom('app_state').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value ?? null;
}

export async function getStates(db: Db, keys: string[]): Promise<Map<string, string>> {
  const rows = await db.selectFrom('app_state').selectAll().where('key', 'in', keys).execute();
  return new Map(rows.map((r) => [r.key, r.value]));
}

export async function setState(db: Db, key: string, value: string | null): Promise<void> {
  if (value === null) {
    await db.deleteFrom('app_state').where('key', '=', key).execute();
    return;
  }
  await db
    .insertInto('app_state')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Inserts a key only when it is absent; true when this call inserted it. */
export async function insertStateIfAbsent(db: Db, key: string, value: string): Promise<boolean> {
  const res = await db.insertInto('app_state').values({ key, value }).onConflict((oc) => oc.column('key').doNothing()).executeTakeFirst();
  return Number(res.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** Compare-and-swap: replaces `key` only while it still holds `expected`. */
export async function replaceState(db: Db, key: string, expected: string, value: string): Promise<boolean> {
  const res = await db.updateTable('app_state').set({ value }).where('key', '=', key).where('value', '=', expected).executeTakeFirst();
  return Number(res.numUpdatedRows) > 0;
}

export async function deleteStateIf(db: Db, key: string, expected: string): Promise<void> {
  await db.deleteFrom('app_state').where('key', '=', key).where('value', '=', expected).execute();
}
