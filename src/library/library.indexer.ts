/**
 * Keeps the library index current, incrementally:
 *
 * - every file a scan or the watcher analysed is upserted (ScanObserver), from
 *   the probe cache's result: nothing is probed for the index;
 * - a finished walk marks the files of its folders it no longer found as
 *   missing (or, when a folder marker now hides them, as ignored);
 * - the watcher's removals mark files missing at once;
 * - job changes (any node's workers write them to the database) are polled
 *   once a second: the latest job per language is kept on the item, and a
 *   finished job re-reads the item's subtitles (a folder listing, the probe
 *   cache still valid), so the generated subtitle shows up;
 * - wanted is stored per item under a generation (the fingerprint of the
 *   enabled rules and skip settings). When a rule or skip setting changes,
 *   every item is recomputed from its stored analysis in batches of 500, and
 *   only rows whose wanted changed are written. Until that ends, pages compute
 *   wanted on read for the items they show (see LibraryService).
 *
 * Every change publishes `library.item` (the item as GET /items shows it) for
 * a few items, or `library.changed` ({reason, count}) for bulk updates.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { EventHub } from '../events/event-hub.js';
import { noSpeechJobs } from '../jobs/jobs.repository.js';
import type { ScanRule, ScanRulesService } from '../rules/rules.service.js';
import { isExcludedPath } from '../scanner/library-walker.js';
import type { AnalysisOutcome } from '../scanner/media-analyzer.js';
import type { ScanObserver, ScannerService } from '../scanner/scanner.service.js';
import { getState, setState } from '../scanner/scanner.repository.js';
import type { SettingsService } from '../settings/settings.service.js';
import { buildRow, changeMs, jobColumns, latestJobs, libraryRoots, storedExternal, toItem, wantedColumns, wantedForRow, type IndexInputs, type LatestJob } from './item-row.js';
import * as repo from './library.repository.js';
import { fingerprint } from './wanted.js';

interface IndexerDeps {
  db: Db;
  settings: SettingsService;
  rules: ScanRulesService;
  events: EventHub;
  log: Logger;
  scanner: ScannerService;
}

const GEN_KEY = 'library.wanted_generation';
const RECOMPUTE_BATCH = 500;
/** More changed items than this in one go are announced as one library.changed event. */
const ITEM_EVENTS_MAX = 50;

export interface CurrentInputs extends IndexInputs {
  fp: string;
}

export class LibraryIndexer implements ScanObserver {
  /** bumped on every write of this process (with the rows' updated_ms, the version cached pages are keyed by) */
  version = 0;
  private wantedGen: string | null = null;
  private genLoaded = false;
  private recomputing: Promise<void> | null = null;
  private jobMark = 0;
  private seenAtMark = new Set<string>();
  private syncing = false;

  constructor(private readonly deps: IndexerDeps) {}

  private get db() {
    return this.deps.db;
  }

  /** The rules, skip settings and roots the index is computed under, with their fingerprint. */
  async currentInputs(): Promise<CurrentInputs> {
    return this.inputsOf(await this.deps.rules.list(true));
  }

  /**
   * The same, for a read of pages: the enabled rules are listed again only
   * when `stamp` (their count, highest id and last edit, repo.versionProbe)
   * or this process's rules revision moved, else the last list is used.
   */
  async inputsAt(stamp: string): Promise<CurrentInputs> {
    const key = `${this.deps.rules.revision}:${stamp}`;
    if (this.listed?.key !== key) this.listed = { key, rules: await this.deps.rules.list(true) };
    return this.inputsOf(this.listed.rules);
  }

  private listed: { key: string; rules: ScanRule[] } | null = null;

  private inputsOf(rules: ScanRule[]): CurrentInputs {
    const skip = this.deps.scanner.skipSettings();
    return {
      rules,
      skip,
      roots: libraryRoots(this.deps.settings.getList('library_paths')),
      marker: this.deps.settings.getString('scanner_ignore_marker'),
      fp: fingerprint({ rules, skip }),
    };
  }

  // ---- from scans and the watcher ----

  async analysed(outcomes: AnalysisOutcome[]): Promise<void> {
    if (!outcomes.length) return;
    const inputs = await this.currentInputs();
    await this.loadGeneration(inputs.fp);
    const paths = outcomes.map((o) => o.candidate.path);
    const [jobs, silent] = await Promise.all([this.jobsByPath(paths), noSpeechJobs(this.db, paths)]);
    const existing = new Map((await repo.findItemsByPath(this.db, paths)).map((r) => [r.path, r]));
    const rows = outcomes
      .map((o) => {
        const quiet = silent.get(o.candidate.path);
        const noSpeech = quiet && quiet.completedMs >= o.candidate.mtime_ms ? quiet.id : null;
        return buildRow(o, inputs, jobs.get(o.candidate.path) ?? [], noSpeech);
      })
      // A rescan of an unchanged library writes nothing (and keeps cached pages valid).
      .filter((r) => !sameContent(existing.get(r.path), r));
    if (!rows.length) return;
    await repo.upsertItems(this.db, rows);
    this.version++;
    await this.announce(rows.map((r) => r.path), 'scan');
  }

  async walked(w: { roots: string[]; recursive: boolean; found: string[]; complete: boolean }): Promise<void> {
    if (!w.complete) return;
    const found = new Set(w.found);
    const marker = this.deps.settings.getString('scanner_ignore_marker');
    const patches: Array<{ id: number; patch: repo.ItemPatch }> = [];
    const changed: string[] = [];
    for (const root of w.roots) {
      for (const item of await repo.presentPathsUnder(this.db, root)) {
        if (found.has(item.path)) continue;
        if (!w.recursive && item.folder !== root) continue;
        const gone = await stat(item.path).then((s) => !s.isFile(), () => true);
        const now = changeMs();
        const at = new Date(now).toISOString();
        if (gone) {
          patches.push({ id: item.id, patch: { missing: 1, needs_review: 0, ...wantedColumns({ wanted: [], decision: 'the file is gone from disk (missing since the last scan of its folder)' }), updated_ms: now, updated_at: at } });
          changed.push(item.path);
        } else if (marker && isExcludedPath(item.path, root, marker) && item.ignored_by !== 'folder') {
          patches.push({ id: item.id, patch: { ignored_by: 'folder', ...wantedColumns({ wanted: [], decision: `a folder above it holds the ${marker} marker: the scanner leaves it out` }), updated_ms: now, updated_at: at } });
          changed.push(item.path);
        }
      }
    }
    if (!patches.length) return;
    await repo.patchItems(this.db, patches);
    this.version++;
    await this.announce(changed, 'missing');
  }

  /** The watcher saw these files removed: each one that is really gone is marked missing. */
  async removed(paths: string[]): Promise<void> {
    const items = await repo.findItemsByPath(this.db, paths);
    const patches: Array<{ id: number; patch: repo.ItemPatch }> = [];
    for (const item of items) {
      if (item.missing) continue;
      if (await stat(item.path).then(() => true, () => false)) continue;
      const now = changeMs();
      patches.push({ id: Number(item.id), patch: { missing: 1, needs_review: 0, ...wantedColumns({ wanted: [], decision: 'the file is gone from disk (the watcher saw it removed)' }), updated_ms: now, updated_at: new Date(now).toISOString() } });
    }
    if (!patches.length) return;
    await repo.patchItems(this.db, patches);
    this.version++;
    await this.announce(items.map((i) => i.path), 'missing');
  }

  /**
   * Reads indexed files again: their folder listing (subtitles written or
   * removed) with the probe cache, which stays valid while the media file is
   * unchanged. A file that is gone is marked missing.
   */
  async refresh(paths: string[]): Promise<void> {
    const analyzer = this.deps.scanner.analyzer;
    const candidates = [];
    const gone: string[] = [];
    for (const p of paths) {
      try {
        candidates.push(await analyzer.candidateFor(p));
      } catch {
        gone.push(p);
      }
    }
    if (gone.length) await this.removed(gone);
    if (candidates.length) await this.analysed(await analyzer.analyzeBatch(candidates));
  }

  // ---- jobs ----

  private async jobsByPath(paths: string[]): Promise<Map<string, repo.JobBrief[]>> {
    const all = await repo.jobsOfFiles(this.db, paths);
    const by = new Map<string, typeof all>();
    for (const j of all) {
      const list = by.get(j.file_path);
      if (list) list.push(j);
      else by.set(j.file_path, [j]);
    }
    return new Map([...by].map(([p, js]) => [p, latestJobs(js)]));
  }

  /**
   * One round of job polling: the items whose jobs changed since the last
   * round get their latest jobs; those with a job that finished are read
   * again (refresh). Public so tests and actions can drive it.
   */
  async syncJobs(): Promise<void> {
    if (this.syncing) return;
    this.syncing = true;
    try {
      if (!this.jobMark) this.jobMark = Date.now() - 60_000;
      const rows = await repo.jobsChangedSince(this.db, this.jobMark - 1);
      const changed = new Map<string, boolean>();
      for (const r of rows) {
        const key = `${r.file_path}:${r.updated_ms}:${r.status}`;
        if (this.seenAtMark.has(key)) continue;
        if (r.updated_ms > this.jobMark) {
          this.jobMark = r.updated_ms;
          this.seenAtMark.clear();
        }
        this.seenAtMark.add(key);
        const finished = r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled';
        changed.set(r.file_path, (changed.get(r.file_path) ?? false) || finished);
      }
      if (changed.size) await this.applyJobChanges(changed);
    } finally {
      this.syncing = false;
    }
  }

  /** Updates the latest jobs of indexed files; `finished[path]` true: re-read the file's subtitles too. */
  async applyJobChanges(finished: Map<string, boolean>): Promise<void> {
    const items = await repo.findItemsByPath(this.db, [...finished.keys()]);
    if (!items.length) return;
    const jobs = await this.jobsByPath(items.map((i) => i.path));
    const patches: Array<{ id: number; patch: repo.ItemPatch }> = [];
    const reread: string[] = [];
    const touched: string[] = [];
    for (const item of items) {
      const latest = jobs.get(item.path) ?? [];
      // A missing file has nothing to review.
      const cols = jobColumns(latest, item.missing ? [] : storedExternal(item.analysis));
      if (finished.get(item.path) && !item.missing) reread.push(item.path);
      // Progress alone is no change of the item (job.updated events carry it).
      if (sameJobs(cols.jobs, item.jobs) && cols.needs_review === Number(item.needs_review)) continue;
      const now = changeMs();
      patches.push({ id: Number(item.id), patch: { ...cols, updated_ms: now, updated_at: new Date(now).toISOString() } });
      touched.push(item.path);
    }
    if (patches.length) {
      await repo.patchItems(this.db, patches);
      this.version++;
    }
    if (reread.length) await this.refresh(reread);
    const rest = touched.filter((p) => !reread.includes(p));
    if (rest.length) await this.announce(rest, 'job');
  }

  // ---- wanted under the current rules ----

  private async loadGeneration(fp: string): Promise<void> {
    if (this.genLoaded) return;
    this.genLoaded = true;
    this.wantedGen = await getState(this.db, GEN_KEY);
    if (this.wantedGen === null) {
      // An empty index is current under any rules.
      const { items } = await repo.itemCounts(this.db);
      if (!items) await this.saveGeneration(fp);
    }
  }

  private async saveGeneration(fp: string): Promise<void> {
    this.wantedGen = fp;
    await setState(this.db, GEN_KEY, fp);
  }

  /** Whether the stored wanted was computed under `fp`; if not, a recompute is started (once). */
  async isCurrent(fp: string): Promise<boolean> {
    await this.loadGeneration(fp);
    if (this.wantedGen === fp) return true;
    void this.recompute().catch((e) => this.deps.log.warn({ err: e }, 'library: wanted not recomputed'));
    return false;
  }

  /** Resolves once wanted is current (or after `ms`): false when it is not yet. */
  async waitCurrent(ms: number): Promise<boolean> {
    const inputs = await this.currentInputs();
    if (await this.isCurrent(inputs.fp)) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), ms)));
    const r = await Promise.race([this.recompute().then(() => 'done' as const), timeout]);
    clearTimeout(timer);
    return r === 'done';
  }

  /** Recomputes wanted of every item under the current rules; one run at a time, again while the rules keep changing. */
  recompute(): Promise<void> {
    this.recomputing ??= (async () => {
      try {
        for (let round = 0; round < 5; round++) {
          const inputs = await this.currentInputs();
          await this.loadGeneration(inputs.fp);
          if (this.wantedGen === inputs.fp) return;
          const changed = await this.recomputeAll(inputs);
          const after = await this.currentInputs();
          if (after.fp === inputs.fp) {
            await this.saveGeneration(inputs.fp);
            if (changed) this.deps.events.publish('library.changed', { reason: 'rules', count: changed });
            return;
          }
        }
      } finally {
        this.recomputing = null;
      }
    })();
    return this.recomputing;
  }

  /** Returns how many items' wanted changed. */
  private async recomputeAll(inputs: CurrentInputs): Promise<number> {
    let after = 0;
    let changed = 0;
    for (;;) {
      const rows = await repo.itemsForRecompute(this.db, after, RECOMPUTE_BATCH);
      if (!rows.length) break;
      after = rows[rows.length - 1].id;
      const silent = await noSpeechJobs(this.db, rows.filter((r) => !r.missing).map((r) => r.path));
      const patches: repo.WantedPatch[] = [];
      for (const r of rows) {
        const quiet = silent.get(r.path);
        const w = wantedColumns(wantedForRow(r, inputs, quiet && quiet.completedMs >= r.mtime_ms ? quiet.id : null));
        if (w.wanted === r.wanted && w.decision === r.decision) continue;
        patches.push({ id: r.id, ifUpdatedMs: r.updated_ms, ...w });
      }
      if (patches.length) {
        const ms = changeMs();
        await repo.patchWanted(this.db, patches, { ms, iso: new Date(ms).toISOString() });
        this.version++;
        changed += patches.length;
      }
      // Let requests in between batches.
      await new Promise((r) => setImmediate(r));
    }
    return changed;
  }

  // ---- events ----

  private async announce(paths: string[], reason: string): Promise<void> {
    if (!paths.length || this.deps.events.subscriberCount() === 0) return;
    if (paths.length > ITEM_EVENTS_MAX) {
      this.deps.events.publish('library.changed', { reason, count: paths.length });
      return;
    }
    for (const row of await repo.findItemsByPath(this.db, paths)) this.deps.events.publish('library.item', toItem(row));
  }
}

const BOOKKEEPING = new Set(['indexed_at', 'updated_at', 'updated_ms']);

/** Whether a stored row already holds what `row` would write. */
function sameContent(stored: repo.ItemRow | undefined, row: repo.NewItemRow): boolean {
  if (!stored) return false;
  for (const [k, v] of Object.entries(row)) {
    if (BOOKKEEPING.has(k)) continue;
    const old = (stored as unknown as Record<string, unknown>)[k];
    if ((old ?? null) === (v ?? null)) continue;
    if (old === null || old === undefined || v === null || v === undefined || String(old) !== String(v)) return false;
  }
  return true;
}

/** Two stored job lists are the same but for progress. */
function sameJobs(a: string, b: string): boolean {
  if (a === b) return true;
  try {
    const strip = (s: string) => (JSON.parse(s) as LatestJob[]).map(({ progress: _p, updated_at: _u, ...rest }) => rest);
    return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
  } catch {
    return false;
  }
}
