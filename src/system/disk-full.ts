/**
 * A full disk, wherever it is met: the one place that recognises "no space
 * left" (Node's ENOSPC / EDQUOT, SQLite's SQLITE_FULL, PostgreSQL's 53100
 * disk_full) and turns it into the `disk_full` AppError (507) whose message
 * names the folder and the fix. The error handler, the multipart upload path
 * and the worker ask it; nothing else matches these codes.
 *
 *   const full = diskFullError(err, { dataDir, databaseUrl });
 *   if (full) throw full; // 507 "The disk holding /data is full ...: free space on the disk holding /data, then retry."
 *
 * The record (`DiskFullRecord`) remembers the last one a request met, so
 * /health can say "degraded" where the free space alone does not show it (a
 * quota, a remote PostgreSQL): it is cleared once space was freed there, or
 * after a quiet minute.
 */
import { statfs } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { AppError } from '../errors.js';
import { ERROR_CODES } from '../error-codes.js';
import { databaseKindOf, sqlitePathOf } from '../config.js';

/** Free space below which a disk counts as full: /health is degraded, an error-level health check. */
export const DISK_FULL_BYTES = 16 * 1024 ** 2;

/** Where the "no space" came from: a file write, the SQLite database, the PostgreSQL server. */
type DiskFullSource = 'filesystem' | 'sqlite' | 'postgres';

/**
 * What kind of "no space left" `err` is, following its `cause` chain; null
 * for anything else. Our own `disk_full` AppError (a subtitle on a full
 * library disk, output.ts) is not matched: it is already a decision.
 */
function diskFullSource(err: unknown): DiskFullSource | null {
  let e: unknown = err;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    if (e instanceof AppError) return null;
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (code === 'ENOSPC' || code === 'EDQUOT') return 'filesystem';
    if (code === 'SQLITE_FULL' || (typeof message === 'string' && message === 'database or disk is full')) return 'sqlite';
    if (code === '53100') return 'postgres';
    e = (e as { cause?: unknown }).cause;
  }
  return null;
}

/** A full database (SQLite or PostgreSQL), as opposed to a file write: the worker hands its job back for it. */
export function isDatabaseFull(err: unknown): boolean {
  const s = diskFullSource(err);
  return s === 'sqlite' || s === 'postgres';
}

/** Where the service writes: the data folder, and the database it names. */
interface DiskPlaces {
  dataDir: string;
  databaseUrl?: string;
  /** the folder a file write went to, when the error does not carry its path (a stream's write) */
  folder?: string;
}

/** A `disk_full` AppError that knows the folder it names, what is wrong and the fix apart (the /health record keeps them). */
export class DiskFullError extends AppError {
  constructor(
    public readonly folder: string,
    public readonly problem: string,
    public readonly fix: string,
  ) {
    super(ERROR_CODES.disk_full.status, 'disk_full', `${problem} ${fix}`);
  }
}

/** The fix of a full local disk, in the words every message uses. */
export const freeSpaceFix = (dir: string) => `Free space on the disk holding ${dir}, then retry.`;

function folderOf(err: unknown, source: DiskFullSource, places: DiskPlaces): string {
  if (source === 'sqlite' && places.databaseUrl && databaseKindOf(places.databaseUrl) === 'sqlite') {
    const file = sqlitePathOf(places.databaseUrl);
    if (file !== ':memory:') return dirname(file);
  }
  if (source === 'filesystem') {
    const { path, syscall } = err as { path?: unknown; syscall?: unknown };
    if (typeof path === 'string' && path) return syscall === 'mkdir' ? resolve(path) : dirname(resolve(path));
  }
  return resolve(places.folder ?? places.dataDir);
}

/** host:port/database of a PostgreSQL URL, without the user and password. */
function serverOf(url: string | undefined): string {
  try {
    const u = new URL(url ?? '');
    return `${u.host}${u.pathname}`;
  } catch {
    return 'the database server';
  }
}

/** `err` as a 507 `disk_full` naming the folder and the fix, or null when it is not a full disk. */
export function diskFullError(err: unknown, places: DiskPlaces): DiskFullError | null {
  const source = diskFullSource(err);
  if (!source) return null;
  if (source === 'postgres') {
    const server = serverOf(places.databaseUrl);
    return new DiskFullError(server, `The PostgreSQL server's disk is full (53100 disk_full, database ${server}).`, "Free space on the disk holding that server's data directory, then retry.");
  }
  const dir = folderOf(err, source, places);
  const why = source === 'sqlite'
    ? `the database ${places.databaseUrl ? sqlitePathOf(places.databaseUrl) : 'file'} cannot grow (SQLITE_FULL)`
    : (err as { code?: string }).code === 'EDQUOT'
      ? 'the disk quota of the service user there is used up (EDQUOT)'
      : 'no space left to write there (ENOSPC)';
  return new DiskFullError(dir, `The disk holding ${dir} is full: ${why}.`, freeSpaceFix(dir));
}

/** Bytes free to the service user on the disk holding `path`; null when it cannot be read (missing, remote). */
export async function freeBytes(path: string): Promise<number | null> {
  try {
    const s = await statfs(resolve(path));
    return Number(s.bavail) * Number(s.bsize);
  } catch {
    return null;
  }
}

/** A disk-full a request met: where, what it said, and the free space then. */
export interface DiskFullEvent {
  atMs: number;
  folder: string;
  /** what is wrong, and the one action that fixes it (DiskFullError's parts) */
  problem: string;
  fix: string;
  /** free bytes of `folder` when it happened (null: not a local folder) */
  freeBytes: number | null;
}

/** Without another one for this long, a recorded disk-full is taken as over (a remote disk, a quota: nothing local to measure). */
const RECORD_QUIET_MS = 60_000;
/** Space freed beyond this since the failure ends the record at once. */
const FREED_BYTES = 1024 ** 2;

/**
 * The last disk-full a request met in this server (one per server, built by
 * the composition root). /health reads it: a database write that failed for
 * space is "degraded" even where statfs of the data folder looks fine.
 */
export class DiskFullRecord {
  private last: DiskFullEvent | null = null;

  async note(err: DiskFullError, now = Date.now()): Promise<void> {
    this.last = { atMs: now, folder: err.folder, problem: err.problem, fix: err.fix, freeBytes: await freeBytes(err.folder) };
  }

  /** The recorded disk-full while it still stands: none after a quiet minute, or once space was freed on its disk. */
  async current(now = Date.now()): Promise<DiskFullEvent | null> {
    const last = this.last;
    if (!last) return null;
    if (now - last.atMs > RECORD_QUIET_MS) {
      this.last = null;
      return null;
    }
    if (last.freeBytes !== null) {
      const free = await freeBytes(last.folder);
      if (free !== null && free > last.freeBytes + FREED_BYTES) {
        if (this.last === last) this.last = null;
        return null;
      }
    }
    return last;
  }
}

/**
 * An error as the client sees it: ours as it is, and a full disk met
 * anywhere below a route (a database write, a file write) as the 507
 * `disk_full` that names the folder, recorded for /health. Null for anything
 * else. Both error handlers (server/error-handler.ts and /v1's OpenAI-shaped
 * one) ask it.
 */
export async function knownError(err: unknown, ctx: { config: DiskPlaces; diskFull: DiskFullRecord } | undefined): Promise<AppError | null> {
  const full = err instanceof DiskFullError ? err : ctx ? diskFullError(err, { dataDir: ctx.config.dataDir, databaseUrl: ctx.config.databaseUrl }) : null;
  if (full) {
    await ctx?.diskFull.note(full);
    return full;
  }
  return err instanceof AppError ? err : null;
}
