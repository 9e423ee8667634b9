/**
 * The folder browser behind the setup wizard and the settings page. It lists
 * names and metadata only (readdir + stat + access; never a file's contents)
 * and stays inside its roots (the `browse_roots` setting plus the library
 * folders): a path is made absolute, normalized and its symlinks resolved
 * before the roots check, so neither `..` nor a link leads out of them. The
 * kernel's trees (PSEUDO_FILESYSTEMS: /proc, /sys, /dev) are never listed nor
 * entered, even under a root "/": they hold other processes' environments
 * and devices.
 */
import { constants, type Dirent } from 'node:fs';
import { access, readdir, realpath, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { AppError, badRequest } from '../errors.js';
import { expandHome, isPseudoFilesystem, isWithin, PSEUDO_FILESYSTEMS } from '../security/media-roots.js';
import { parseList } from '../settings/settings.values.js';
import { definitionByKey } from '../settings/definitions/index.js';

/** The shipped browse_roots, for an empty setting (read from the definition so the two cannot drift). */
const DEFAULT_BROWSE_ROOTS: readonly string[] = parseList(definitionByKey.get('browse_roots')?.default ?? '');

export interface FsItem {
  name: string;
  path: string;
  is_directory: boolean;
  is_readable: boolean;
  is_hidden: boolean;
  is_symlink: boolean;
  /** bytes, files only */
  size: number | null;
}

export interface BrowseResult {
  current_path: string;
  parent_path: string | null;
  items: FsItem[];
}

export interface CommonPath {
  name: string;
  path: string;
  is_directory: boolean;
  is_readable: boolean;
}

const forbidden = (msg: string) => new AppError(403, 'permission_denied', msg);

function fsError(e: unknown, path: string): AppError {
  const code = (e as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return new AppError(404, 'path_not_found', `Path does not exist: ${path}`);
  if (code === 'ENOTDIR') return badRequest(`Path is not a directory: ${path}`, 'not_a_directory');
  if (code === 'EACCES' || code === 'EPERM') return forbidden(`Permission denied: ${path}`);
  if (code === 'ELOOP') return badRequest(`Too many symbolic links in path: ${path}`, 'symlink_loop');
  return new AppError(400, 'filesystem_error', `Cannot read ${path}: ${(e as Error).message}`);
}

async function canRead(path: string, isDirectory: boolean): Promise<boolean> {
  try {
    // A folder is only browsable when it can be listed and entered.
    await access(path, isDirectory ? constants.R_OK | constants.X_OK : constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

/** Case-insensitive by name, directories first. */
function compareItems(a: FsItem, b: FsItem): number {
  if (a.is_directory !== b.is_directory) return a.is_directory ? -1 : 1;
  const x = a.name.toLowerCase();
  const y = b.name.toLowerCase();
  return x < y ? -1 : x > y ? 1 : a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

const outsideRoots = (path: string) =>
  forbidden(`Permission denied: ${path} is outside the browsable folders: add it (or a folder above it) to browse_roots or library_paths in the settings`);
const systemFolder = (path: string) => forbidden(`Permission denied: ${path} is a system folder (${PSEUDO_FILESYSTEMS.join(', ')}), never browsable`);

export class FilesystemService {
  /**
   * `roots` returns the configured browse roots, `libraryPaths` the library
   * folders, which are browsable too (both read per call, so a settings
   * change applies at once).
   */
  constructor(
    private readonly roots: () => string[],
    private readonly libraryPaths: () => string[] = () => [],
  ) {}

  /**
   * The roots that exist, as real paths, without duplicates. An empty
   * browse_roots means its default; `~` is the home folder; relative entries
   * are ignored (they name no fixed place), and so is a root inside a
   * system folder.
   */
  async realRoots(): Promise<string[]> {
    const configured = this.roots();
    const list = [...(configured.length ? configured : DEFAULT_BROWSE_ROOTS), ...this.libraryPaths()].map(expandHome).filter((r) => isAbsolute(r));
    const out: string[] = [];
    for (const r of list) {
      try {
        const real = await realpath(resolve(r));
        if (!isPseudoFilesystem(real) && !out.includes(real)) out.push(real);
      } catch {
        /* a root that does not exist (an unmounted disk) allows nothing */
      }
    }
    return out;
  }

  private async insideRoots(real: string): Promise<boolean> {
    return (await this.realRoots()).some((r) => isWithin(real, r));
  }

  /** Resolves a requested path to a real absolute path inside the roots, or throws 400/403/404. */
  async resolveAllowed(requested: string): Promise<string> {
    const raw = requested.trim();
    if (!raw) throw badRequest('path must not be empty', 'bad_path');
    if (raw.includes('\0')) throw badRequest('path contains a NUL character', 'bad_path');
    if (!isAbsolute(raw)) throw badRequest(`path must be absolute, got "${raw}"`, 'relative_path');
    const normalized = resolve(raw);
    // Check the lexical path first so an outside path is a 403 whether or not it exists.
    if (isPseudoFilesystem(normalized)) throw systemFolder(normalized);
    const roots = await this.realRoots();
    let real: string;
    try {
      real = await realpath(normalized);
    } catch (e) {
      if (!roots.some((r) => isWithin(normalized, r))) throw outsideRoots(normalized);
      throw fsError(e, normalized);
    }
    if (isPseudoFilesystem(real)) throw systemFolder(normalized);
    if (!roots.some((r) => isWithin(real, r))) throw outsideRoots(normalized);
    return real;
  }

  /**
   * Lists a folder. "/" when "/" itself is not browsable answers the roots
   * as its entries, so the folder picker (which opens at "/") starts there
   * instead of failing.
   */
  async browse(requested = '/', opts: { showHidden?: boolean } = {}): Promise<BrowseResult> {
    const raw = requested.trim();
    if (isAbsolute(raw) && resolve(raw) === sep) {
      const roots = await this.realRoots();
      if (!roots.includes(sep)) return { current_path: sep, parent_path: null, items: await this.rootItems(roots) };
    }
    const current = await this.resolveAllowed(requested);
    let st;
    try {
      st = await stat(current);
    } catch (e) {
      throw fsError(e, current);
    }
    if (!st.isDirectory()) throw badRequest(`Path is not a directory: ${current}`, 'not_a_directory');
    let entries: Dirent[];
    try {
      entries = await readdir(current, { withFileTypes: true });
    } catch (e) {
      throw fsError(e, current);
    }
    const items = await Promise.all(
      entries
        .filter((d) => (opts.showHidden || !d.name.startsWith('.')) && !isPseudoFilesystem(join(current, d.name)))
        .map((d) => this.item(current, d)),
    );
    items.sort(compareItems);
    const parent = dirname(current);
    const parentPath = parent !== current && (await this.insideRoots(parent)) ? parent : null;
    return { current_path: current, parent_path: parentPath, items };
  }

  /** The roots as folder entries named by their full path (the virtual "/" listing). */
  private async rootItems(roots: string[]): Promise<FsItem[]> {
    const items: FsItem[] = [];
    for (const path of roots) {
      try {
        if (!(await stat(path)).isDirectory()) continue;
      } catch {
        continue;
      }
      items.push({ name: path, path, is_directory: true, is_readable: await canRead(path, true), is_hidden: false, is_symlink: false, size: null });
    }
    return items.sort(compareItems);
  }

  private async item(dir: string, d: Dirent): Promise<FsItem> {
    const path = join(dir, d.name);
    let isDirectory = d.isDirectory();
    let size: number | null = null;
    if (d.isSymbolicLink() || d.isFile()) {
      try {
        // stat follows a link so a link to a folder is shown as a folder; a broken link stays a plain entry.
        const st = await stat(path);
        isDirectory = st.isDirectory();
        if (st.isFile()) size = st.size;
      } catch {
        /* broken link */
      }
    }
    return {
      name: d.name,
      path,
      is_directory: isDirectory,
      is_readable: await canRead(path, isDirectory),
      is_hidden: d.name.startsWith('.'),
      is_symlink: d.isSymbolicLink(),
      size,
    };
  }

  /** "/", the usual media mount points, the home folder, the roots and the library folders that exist, can be read and lie inside the roots. */
  async commonPaths(): Promise<CommonPath[]> {
    const roots = await this.realRoots();
    const candidates = [sep, '/media', '/mnt', '/data', '/srv', '/home', homedir(), ...roots, ...this.libraryPaths().map(expandHome)];
    const seen = new Set<string>();
    const out: CommonPath[] = [];
    for (const c of candidates) {
      if (!c || !isAbsolute(c)) continue;
      let real: string;
      try {
        real = await realpath(resolve(c));
        if (!(await stat(real)).isDirectory()) continue;
      } catch {
        continue;
      }
      if (seen.has(real) || isPseudoFilesystem(real) || !roots.some((r) => isWithin(real, r)) || !(await canRead(real, true))) continue;
      seen.add(real);
      out.push({ name: real === sep ? sep : real, path: real, is_directory: true, is_readable: true });
    }
    return out;
  }
}
