/**
 * `transcriptorio db vacuum`: rewrites the database so the space of deleted
 * rows goes back to the file system. SQLite: VACUUM (which also turns on
 * auto_vacuum = INCREMENTAL for a file made before it) and a WAL checkpoint
 * that truncates the -wal file; PostgreSQL: VACUUM (ANALYZE), or VACUUM FULL
 * on request (that one locks every table while it runs).
 */
import { statSync } from 'node:fs';
import { sql } from 'kysely';
import type { DatabaseHandle } from './database.js';
import { AppError } from '../errors.js';
import { formatBytes } from '../format.js';

interface VacuumResult {
  before: number;
  after: number;
  ms: number;
}

/** Bytes the database takes: the SQLite file with its -wal file, or PostgreSQL's database size. */
async function databaseSize(handle: DatabaseHandle): Promise<number> {
  if (handle.kind === 'postgres') {
    const { rows } = await sql<{ size: number }>`select pg_database_size(current_database()) as size`.execute(handle.db);
    return Number(rows[0]?.size ?? 0);
  }
  return handle.file ? sqliteFileSize(handle.file) : 0;
}

/** The SQLite file and its -wal file, in bytes (0 for none or `:memory:`). */
export function sqliteFileSize(file: string): number {
  if (file === ':memory:') return 0;
  const size = (p: string) => statSync(p, { throwIfNoEntry: false })?.size ?? 0;
  return size(file) + size(`${file}-wal`);
}

/**
 * `before`: the size measured before the file was opened (opening converts a
 * file made before auto_vacuum, which may already shrink it).
 */
export async function vacuumDatabase(handle: DatabaseHandle, opts: { full?: boolean; before?: number; progress?: (line: string) => void } = {}): Promise<VacuumResult> {
  const say = opts.progress ?? (() => {});
  const started = Date.now();
  const before = opts.before ?? (await databaseSize(handle));
  say(`Size before: ${formatBytes(before)}`);
  try {
    if (handle.kind === 'sqlite') {
      say('Rewriting the database file (VACUUM); it needs free disk space as large as the file...');
      await sql`vacuum`.execute(handle.db);
      say('Truncating the write-ahead log (wal_checkpoint)...');
      await sql`pragma wal_checkpoint(TRUNCATE)`.execute(handle.db);
    } else if (opts.full) {
      say('VACUUM FULL: rewriting every table; they are locked until it ends...');
      await sql`vacuum full analyze`.execute(handle.db);
    } else {
      say('VACUUM ANALYZE: marking the space of deleted rows for reuse and updating statistics...');
      await sql`vacuum analyze`.execute(handle.db);
    }
  } catch (e) {
    const code = String((e as NodeJS.ErrnoException).code ?? '');
    if (/^SQLITE_(BUSY|LOCKED)/.test(code) || code === '55P03') {
      throw new AppError(503, 'database_unusable', 'The database is busy (another process is writing to it): stop the server and its workers, then run `transcriptorio db vacuum` again.');
    }
    if (/^SQLITE_FULL/.test(code) || code === '53100') {
      throw new AppError(503, 'database_unusable', 'There is not enough free disk space to rewrite the database: VACUUM needs about as much free space as the database takes. Free some space and run it again.');
    }
    throw e;
  }
  return { before, after: await databaseSize(handle), ms: Date.now() - started };
}
