/**
 * Opens the database named by the config: SQLite (better-sqlite3, WAL) by
 * default, PostgreSQL for `postgres://` URLs. Both go through Kysely so every
 * repository has one code path.
 *
 * SQLite files use `auto_vacuum = INCREMENTAL`, so the space of deleted rows
 * (provider uploads in job_blobs are hundreds of MiB) can be given back to
 * the file system with `reclaimFreePages`; a file made before that is
 * converted once, at open. A file that cannot be opened (not a database,
 * damaged, no permission, read-only) is an AppError naming the file and the
 * fix (open-errors.ts), never a bare "file is not a database".
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import SQLite from 'better-sqlite3';
import pg from 'pg';
import { Kysely, PostgresDialect, SqliteAdapter, SqliteDialect, sql } from 'kysely';
import type { Database } from './schema.js';
import { databaseKindOf, sqlitePathOf } from '../config.js';
import { folderError, isDamaged, sqliteOpenError } from './open-errors.js';

export type Db = Kysely<Database>;
export type DbKind = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Db;
  kind: DbKind;
  /** the SQLite file (absolute, or `:memory:`); null for PostgreSQL */
  file: string | null;
  close(): Promise<void>;
}

// int8 (COUNT, epoch ms) arrives from pg as a string; our values fit a double.
pg.types.setTypeParser(20, (v) => Number(v));

interface OpenOptions {
  /** PostgreSQL pool size */
  poolSize?: number;
}

export function openDatabase(url: string, opts: OpenOptions = {}): DatabaseHandle {
  const kind = databaseKindOf(url);
  if (kind === 'postgres') {
    const pool = new pg.Pool({ connectionString: url, max: opts.poolSize ?? 10 });
    // An idle client that loses its connection must not crash the process.
    pool.on('error', () => {});
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind, file: null, close: () => db.destroy() };
  }
  const file = sqlitePathOf(url);
  const sqlite = openSqlite(file);
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  return { db, kind, file, close: () => db.destroy() };
}

function openSqlite(file: string): SQLite.Database {
  if (file !== ':memory:') {
    try {
      mkdirSync(dirname(file), { recursive: true });
    } catch (e) {
      throw folderError(file, e as NodeJS.ErrnoException);
    }
  }
  let sqlite: SQLite.Database | null = null;
  try {
    sqlite = new SQLite(file);
    sqlite.pragma('busy_timeout = 10000');
    // Before journal_mode: a new file takes the mode only while it has no pages yet.
    useIncrementalVacuum(sqlite);
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    // A checkpoint cuts the WAL back to this size, so one large upload does not leave a large -wal file behind.
    sqlite.pragma(`journal_size_limit = ${WAL_SIZE_LIMIT}`);
    // Reads the schema: a damaged file is named here, not by the first query of a migration.
    sqlite.prepare('select count(*) from sqlite_master').get();
    return sqlite;
  } catch (e) {
    try {
      sqlite?.close();
    } catch {
      // closing what failed to open changes nothing
    }
    throw sqliteOpenError(file, e as NodeJS.ErrnoException);
  }
}

const WAL_SIZE_LIMIT = 8 * 1024 * 1024;

/**
 * auto_vacuum = INCREMENTAL: a new file takes it at once; one made before
 * (mode NONE) only through a VACUUM, which rewrites the file once and needs
 * no transaction open (none is, right after open). When another process
 * holds the file (SQLITE_BUSY) or the disk lacks room for the copy, the
 * file stays as it was and works as before; the next start, or
 * `transcriptorio db vacuum`, converts it.
 */
function useIncrementalVacuum(sqlite: SQLite.Database): void {
  if (sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return;
  sqlite.pragma('auto_vacuum = INCREMENTAL');
  if (sqlite.pragma('auto_vacuum', { simple: true }) === INCREMENTAL) return;
  try {
    sqlite.exec('VACUUM');
  } catch (e) {
    if (isDamaged(e as NodeJS.ErrnoException)) throw e;
  }
}

const INCREMENTAL = 2;

/** True when `db` is a SQLite database (reclaiming pages and VACUUM differ by dialect). */
function isSqlite(db: Db): boolean {
  return db.getExecutor().adapter instanceof SqliteAdapter;
}

/**
 * Gives the free pages of a SQLite file back to the file system
 * (`PRAGMA incremental_vacuum`), after large deletes such as a provider
 * upload's chunks. PostgreSQL
 * reuses deleted space itself (autovacuum): nothing to do there.
 */
export async function reclaimFreePages(db: Db): Promise<void> {
  if (!isSqlite(db)) return;
  await sql`pragma incremental_vacuum`.execute(db);
  // The file is cut when the WAL is copied back: now, rather than at the next automatic checkpoint
  // (PASSIVE never waits for readers; with one reading, the next checkpoint does it).
  await sql`pragma wal_checkpoint(PASSIVE)`.execute(db);
}

/**
 * Kysely prepares every statement on every call; on a busy API that was about
 * a tenth of the server's time. Statements are reused by their SQL text (the
 * queries are parameterised, so the set of texts is small and bounded).
 */
function withStatementCache(sqlite: SQLite.Database, max = 500) {
  const cache = new Map<string, SQLite.Statement>();
  return {
    close: () => sqlite.close(),
    prepare(text: string): SQLite.Statement {
      if (INCREMENTAL_VACUUM.test(text)) return wholeStatement(sqlite, text);
      let stmt = cache.get(text);
      if (!stmt) {
        stmt = sqlite.prepare(text);
        if (cache.size >= max) cache.delete(cache.keys().next().value!);
        cache.set(text, stmt);
      }
      return stmt;
    },
  };
}

const INCREMENTAL_VACUUM = /^\s*pragma\s+incremental_vacuum\b/i;

/**
 * better-sqlite3's run() steps a statement once, and incremental_vacuum frees
 * one page per step: run through exec(), which steps it to the end.
 */
function wholeStatement(sqlite: SQLite.Database, text: string): SQLite.Statement {
  return { reader: false, run: () => (sqlite.exec(text), { changes: 0, lastInsertRowid: 0 }) } as unknown as SQLite.Statement;
}

/** True when a trivial query succeeds (health checks). */
export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await sql`select 1`.execute(db);
    return true;
  } catch {
    return false;
  }
}
