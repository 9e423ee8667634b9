/**
 * Why a SQLite file could not be opened, said with the file and the one fix:
 * "file is not a database" alone leaves the user guessing which file and
 * what to do. The errors are AppErrors (`database_unusable`), which the CLI
 * prints as one line and exits non-zero with, without a stack trace.
 */
import { accessSync, constants, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { dirname } from 'node:path';
import { AppError } from '../errors.js';

const MOVE_ASIDE = 'Restore it from a backup, or move it aside to start with a new, empty one.';

/** The user the process runs as ("abc (uid 1000)"), for permission messages. */
function who(): string {
  const uid = typeof process.getuid === 'function' ? process.getuid() : null;
  let name: string | null = null;
  try {
    name = userInfo().username;
  } catch {
    // a uid without a passwd entry (containers started with --user 1234)
  }
  return name ? `${name}${uid === null ? '' : ` (uid ${uid})`}` : `uid ${uid ?? '?'}`;
}

const unusable = (message: string) => new AppError(503, 'database_unusable', message);

/** SQLITE_NOTADB / SQLITE_CORRUPT (and their extended codes). */
export function isDamaged(e: { code?: string } | null | undefined): boolean {
  return /^SQLITE_(NOTADB|CORRUPT)/.test(String(e?.code ?? ''));
}

function kindOf(path: string): 'missing' | 'folder' | 'file' | 'other' {
  try {
    const st = statSync(path);
    return st.isDirectory() ? 'folder' : st.isFile() ? 'file' : 'other';
  } catch {
    return 'missing';
  }
}

/** Why `path` cannot be written (EROFS: a read-only file system, EACCES: permissions), or null when it can. */
function cannotWrite(path: string): string | null {
  try {
    accessSync(path, constants.W_OK);
    return null;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code ?? 'EACCES';
  }
}

const readOnlyFs = (file: string, dir: string) =>
  unusable(`The database file ${file} cannot be written: its folder ${dir} is on a read-only file system. Mount it read-write (in Docker, a volume without :ro), or set DATA_DIR (or DATABASE_URL) to a writable folder.`);

/** The SQLite file's folder could not be made (mkdir failed). */
export function folderError(file: string, e: NodeJS.ErrnoException): AppError {
  const dir = dirname(file);
  if (e.code === 'EACCES' || e.code === 'EPERM') {
    return unusable(`The folder ${dir} for the database file ${file} cannot be created by the user ${who()}. Create it and give that user write access to it, or set DATA_DIR (or DATABASE_URL) to a folder that user may write.`);
  }
  if (e.code === 'EROFS') return readOnlyFs(file, dir);
  if (e.code === 'ENOTDIR' || e.code === 'EEXIST') {
    return unusable(`The folder ${dir} for the database file ${file} cannot be created: part of that path is a file, not a folder. Set DATA_DIR (or DATABASE_URL) to a folder.`);
  }
  return unusable(`The folder ${dir} for the database file ${file} cannot be created (${e.code ?? e.message}). Set DATA_DIR (or DATABASE_URL) to a folder the user ${who()} may write.`);
}

/** An error of opening (or first reading) the SQLite file, as a message with the file and the fix. */
export function sqliteOpenError(file: string, e: NodeJS.ErrnoException): AppError {
  if (e instanceof AppError) return e;
  const code = String(e.code ?? '');
  const dir = dirname(file);
  if (isDamaged(e)) {
    return unusable(`The database file ${file} is not a SQLite database or is damaged (${code}: ${e.message}). ${MOVE_ASIDE}`);
  }
  const readOnly = code.startsWith('SQLITE_READONLY') || e.code === 'EROFS';
  const cantOpen = code.startsWith('SQLITE_CANTOPEN') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH') || e.code === 'EACCES' || e.code === 'EPERM';
  if (readOnly || cantOpen) {
    const kind = kindOf(file);
    if (kind === 'folder') return unusable(`The database file ${file} is a folder, not a file. Set DATABASE_URL to a file inside it, e.g. sqlite:${file}/transcriptorio.db.`);
    if (kindOf(dir) === 'missing') return unusable(`The database file ${file} cannot be opened: the folder ${dir} does not exist. Create it, or set DATA_DIR (or DATABASE_URL) to a folder that exists.`);
    if (cannotWrite(dir) === 'EROFS') return readOnlyFs(file, dir);
    if (kind === 'file') {
      return unusable(
        `The database file ${file} is read-only or cannot be opened for the user ${who()}: that user must be able to read and write the file and its folder ${dir} (which holds the -wal and -shm files). Give that user write access to both (e.g. chown), or run the server as the file's owner.`,
      );
    }
    return unusable(`The database file ${file} cannot be created: the folder ${dir} cannot be written by the user ${who()}. Give that user write access to it (e.g. chown), or set DATA_DIR (or DATABASE_URL) to a folder that user may write.`);
  }
  if (code.startsWith('SQLITE_FULL')) return unusable(`The database file ${file} cannot be written: the disk is full. Free some space on the disk of ${dir}.`);
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return unusable(`The database file ${file} is locked by another program (${code}). Stop the program that holds it (another transcriptorio server or a database browser) and start again.`);
  }
  return unusable(`The database file ${file} could not be opened (${code || 'error'}: ${e.message}). Check that the disk of ${dir} works and has room; if the file is damaged, restore it from a backup.`);
}
