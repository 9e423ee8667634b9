/**
 * Watches the library folders (chokidar) for new, changed and moved-in media
 * files and hands each over once it is completely written: its size and
 * mtime have not changed for `watcher_stable_seconds`. Hidden files and
 * folders, temporary download files, subtitles (our own outputs included)
 * and folders holding the ignore marker are left alone. Symlinks are not
 * followed (a link to `/` would otherwise watch the whole machine), and a
 * file whose real path lies outside the watched folders is ignored.
 */
import { realpath, stat } from 'node:fs/promises';
import { basename, extname, resolve } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { Logger } from 'pino';
import { isPseudoFilesystem, isWithin, realPathOf } from '../security/media-roots.js';
import { isSubtitleName } from './external-subtitles.js';
import { isExcludedPath, isMediaName, isTemporaryName } from './library-walker.js';
import { isMediaContent } from './media-sniff.js';

interface WatcherHooks {
  /** analyse and decide on files that finished arriving */
  process(paths: string[]): Promise<void>;
  stableSeconds(): number;
  mediaExtensions(): ReadonlySet<string>;
  marker(): string;
  log: Logger;
}

interface WatchOptions {
  recursive: boolean;
  polling: boolean;
}

interface Pending {
  size: number;
  mtimeMs: number;
  timer: NodeJS.Timeout;
}

export class LibraryWatcher {
  private watcher: FSWatcher | null = null;
  private roots: string[] = [];
  /** real paths of the roots: what a file's real path must lie in */
  private realRoots: string[] = [];
  private pending = new Map<string, Pending>();
  private chain: Promise<void> = Promise.resolve();
  private removedListeners: Array<(path: string) => void> = [];

  constructor(private readonly hooks: WatcherHooks) {}

  /** Called with the path of every media file the watcher sees removed (the library index marks it missing). */
  onRemoved(listener: (path: string) => void): void {
    this.removedListeners.push(listener);
  }

  isRunning(): boolean {
    return this.watcher !== null;
  }

  watchedPaths(): string[] {
    return [...this.roots];
  }

  async start(paths: string[], opts: WatchOptions): Promise<void> {
    await this.stop();
    const wanted = paths.map((p) => resolve(p));
    const real = await Promise.all(wanted.map((p) => realPathOf(p)));
    // /proc, /sys and /dev are never watched, even when listed as a library folder.
    for (const [i, r] of real.entries()) if (isPseudoFilesystem(r)) this.hooks.log.warn({ path: wanted[i], real: r }, 'not watching a system folder: remove it from library_paths');
    this.roots = wanted.filter((_, i) => !isPseudoFilesystem(real[i]));
    this.realRoots = real.filter((r) => !isPseudoFilesystem(r));
    if (!this.roots.length) return;
    const roots = new Set(this.roots);
    const watcher = watch(this.roots, {
      ignoreInitial: true,
      persistent: true,
      followSymlinks: false,
      depth: opts.recursive ? undefined : 0,
      usePolling: opts.polling,
      interval: 1000,
      binaryInterval: 2000,
      ignored: (path: string) => {
        if (roots.has(path)) return false;
        const name = basename(path);
        return isTemporaryName(name) || isSubtitleName(name);
      },
    });
    this.watcher = watcher;
    watcher.on('add', (p) => this.touch(p));
    watcher.on('change', (p) => this.touch(p));
    watcher.on('unlink', (p) => {
      this.forget(p);
      if (isMediaName(basename(p), this.hooks.mediaExtensions())) for (const l of this.removedListeners) l(p);
    });
    watcher.on('error', (e) => this.hooks.log.warn({ err: e }, 'file watcher error'));
    // Events only flow once the initial walk is done; wait for it, but not forever on a huge NAS.
    await new Promise<void>((done) => {
      const t = setTimeout(done, 15_000);
      t.unref();
      watcher.once('ready', () => {
        clearTimeout(t);
        done();
      });
    });
  }

  private rootOf(path: string): string | null {
    return this.roots.find((r) => isWithin(path, r)) ?? null;
  }

  /** Whether a file may be handed over: inside the watched folders once links are resolved, and media by content. */
  private async admissible(path: string): Promise<boolean> {
    const real = await realpath(path).catch(() => null);
    if (!real) return false;
    if (isPseudoFilesystem(real) || !this.realRoots.some((r) => isWithin(real, r))) {
      this.hooks.log.debug({ path, real }, 'watcher: file leads outside the watched folders; ignored');
      return false;
    }
    if (!(await isMediaContent(path))) {
      this.hooks.log.debug({ path }, 'watcher: not a media file (not an MPEG transport stream); ignored');
      return false;
    }
    return true;
  }

  private touch(path: string): void {
    if (!this.watcher) return;
    if (!isMediaName(basename(path), this.hooks.mediaExtensions()) || !extname(path)) return;
    void this.arm(path);
  }

  private async arm(path: string): Promise<void> {
    const prev = this.pending.get(path);
    if (prev) clearTimeout(prev.timer);
    let st;
    try {
      st = await stat(path);
    } catch {
      this.forget(path);
      return;
    }
    const waitMs = Math.max(0, this.hooks.stableSeconds()) * 1000;
    const timer = setTimeout(() => void this.check(path), Math.max(waitMs, 100));
    timer.unref();
    this.pending.set(path, { size: st.size, mtimeMs: st.mtimeMs, timer });
  }

  /** Fires when no event came for the stable time; a size or mtime change since then means the copy goes on. */
  private async check(path: string): Promise<void> {
    const p = this.pending.get(path);
    if (!p || !this.watcher) return;
    let st;
    try {
      st = await stat(path);
    } catch {
      this.forget(path);
      return;
    }
    if (st.size !== p.size || st.mtimeMs !== p.mtimeMs) return void this.arm(path);
    this.pending.delete(path);
    const root = this.rootOf(path);
    if (root && isExcludedPath(path, root, this.hooks.marker())) return;
    if (!(await this.admissible(path)) || !this.watcher) return;
    this.chain = this.chain.then(() =>
      this.hooks.process([path]).catch((e) => this.hooks.log.warn({ err: e, path }, 'watcher could not handle a new file')),
    );
  }

  private forget(path: string): void {
    const p = this.pending.get(path);
    if (p) clearTimeout(p.timer);
    this.pending.delete(path);
  }

  /** Resolves once files already handed over are handled (tests, shutdown). */
  async idle(): Promise<void> {
    await this.chain;
  }

  pendingCount(): number {
    return this.pending.size;
  }

  async stop(): Promise<void> {
    for (const p of this.pending.values()) clearTimeout(p.timer);
    this.pending.clear();
    const w = this.watcher;
    this.watcher = null;
    this.roots = [];
    this.realRoots = [];
    if (w) await w.close();
    await this.chain;
  }
}
