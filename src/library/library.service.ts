/**
 * The library API's rules: query validation, pages and the tree from the
 * index, an item with its job history, subtitle previews confined to the
 * item's own files, and actions.
 *
 * A page is planned here: while the index and the rules stay the same
 * (answer-cache.ts) it is kept as its items' ids and a total, so a page that
 * many browsers poll costs one tiny query. Writing the answer's JSON, and
 * keeping every item's JSON once, is the routes' (library.answers.ts).
 *
 * Wanted: stored per item under the fingerprint of the enabled rules and skip
 * settings (library.indexer.ts). A read first checks that fingerprint; when
 * it moved (a rule edited, disabled, a skip setting changed), the items a
 * page shows get wanted computed on read from their stored analysis, the
 * whole index is recomputed in the background, and the `wanted` filter and
 * the tree wait up to 3 s for that to end (`wanted_pending` says when they
 * could not).
 */
import { resolve } from 'node:path';
import type { Static } from '@fastify/type-provider-typebox';
import type { Logger } from 'pino';
import type { Db, DbKind } from '../db/database.js';
import { AppError, badRequest, notFound } from '../errors.js';
import type { EventHub } from '../events/event-hub.js';
import { noSpeechJobs } from '../jobs/jobs.repository.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { toJob } from '../jobs/jobs.service.js';
import { normalizeLanguage } from '../languages.js';
import type { ScanRulesService } from '../rules/rules.service.js';
import type { ScannerService } from '../scanner/scanner.service.js';
import { confineMediaPath, isWithin } from '../security/media-roots.js';
import type { SettingsService } from '../settings/settings.service.js';
import { LRUCache } from 'lru-cache';
import { VersionedCache } from './answer-cache.js';
import { toItem, wantedForRow, type ItemView } from './item-row.js';
import { itemQuality, type ItemQuality } from './item-quality.js';
import type { PageMeta, Tree } from './library.json.js';
import { LibraryActions, type Done, type Refused } from './library.actions.js';
import { LibraryIndexer, type CurrentInputs } from './library.indexer.js';
import * as repo from './library.repository.js';
import type { ActionBody, ItemsQuery, SelectionFilterSchema } from './library.schemas.js';
import { parseCues, readHead, TEXT_FORMATS, type Cue } from './subtitle-preview.js';
import { searchWords } from './title-parse.js';

type ItemsQueryInput = Static<typeof ItemsQuery>;
type SelectionInput = Static<typeof SelectionFilterSchema>;
export type ActionInput = Static<typeof ActionBody>;

/** A page to answer: its meta, and its items by id (`keys`) or, while wanted is recomputed, as items (`items`). */
export type PagePlan = { meta: PageMeta; keys: repo.PageKey[]; items?: undefined } | { meta: PageMeta; items: ItemView[]; keys?: undefined };

/** A page in the cache: which items in which order, and the total. */
interface CachedPage {
  keys: repo.PageKey[];
  total: number;
}

interface ActionResult {
  action: ActionInput['action'];
  matched: number;
  done: Done[];
  refused: Refused[];
}

export type ItemDetail = Omit<ItemView, 'external_subtitles'> & ItemQuality & { job_history: ReturnType<typeof toJob>[] };

export interface SubtitlePreview {
  item_id: number;
  index: number;
  path: string;
  language: string | null;
  format: string;
  generated: boolean;
  cues: Cue[];
  truncated: boolean;
}

interface LibraryDeps {
  db: Db;
  kind: DbKind;
  settings: SettingsService;
  rules: ScanRulesService;
  jobs: JobsService;
  events: EventHub;
  log: Logger;
  scanner: ScannerService;
}

/** At most this many items per action call. */
const ACTION_MAX_ITEMS = 5000;
/** How long the wanted filter and the tree wait for a recompute after a rule change. */
const WAIT_CURRENT_MS = 3000;
/** Pages are kept as their items' ids (about 1.2 KB each: some 7,000 pages). */
const PAGE_CACHE_BYTES = 8 * 1024 * 1024;
/** A folder found inside the library is not resolved again for this long. */
const FOLDER_CHECK_TTL_MS = 5000;
const PREVIEW_CUES = 30;
/** Subfolders listed per folder in the tree. */
const TREE_FOLDERS_MAX = 200;

type Counts = { files: number; wanted: number; generated: number; failed: number; missing: number; needs_review: number };
const zero = (): Counts => ({ files: 0, wanted: 0, generated: 0, failed: 0, missing: 0, needs_review: 0 });
function add(into: Counts, r: Counts): Counts {
  into.files += r.files;
  into.wanted += r.wanted;
  into.generated += r.generated;
  into.failed += r.failed;
  into.missing += r.missing;
  into.needs_review += r.needs_review;
  return into;
}
const countsOf = (r: Counts): Counts => add(zero(), r);

export class LibraryService {
  readonly indexer: LibraryIndexer;
  private readonly actions: LibraryActions;
  private readonly pages = new VersionedCache<CachedPage>({ maxBytes: PAGE_CACHE_BYTES, sizeOf: (p) => 64 + p.keys.length * 24 });
  private readonly counts = new VersionedCache<number>({ maxBytes: 1024 * 1024, sizeOf: () => 16 });
  /** folders confined lately, by the media roots they were checked against */
  private readonly folderChecks = new LRUCache<string, string>({ max: 5000, ttl: FOLDER_CHECK_TTL_MS });

  constructor(private readonly deps: LibraryDeps) {
    this.indexer = new LibraryIndexer(deps);
    this.actions = new LibraryActions(deps);
  }

  private get db() {
    return this.deps.db;
  }

  // ---- queries ----

  /** The query of GET /items (or of an action's filter), validated; a folder outside the library is a 403. */
  async normalizeQuery(q: SelectionInput): Promise<repo.ItemQuery> {
    // filter, kind and sort are the request schema's (library.schemas.ts): one of their lists.
    const filter = q.filter ?? 'all';
    let language: string | null = null;
    if (q.language) {
      language = normalizeLanguage(q.language);
      if (!language) throw badRequest(`Unknown language "${q.language}" in language: use an ISO 639 code such as eng, spa, jpn`, 'unknown_language');
    }
    const kind = q.kind || null;
    let folder: string | null = null;
    if (q.folder) folder = await this.checkFolder(q.folder, 'folder');
    if (q.season !== undefined && q.show === undefined) throw badRequest('season needs show: name the show whose season to list', 'bad_filter');
    const words = searchWords(q.q ?? '').slice(0, 8);
    return { filter, words, language, folder, show: q.show ?? null, season: q.season ?? null, kind };
  }

  private async checkFolder(folder: string, field: string): Promise<string> {
    if (folder.includes('\0') || !folder.startsWith('/')) throw badRequest(`${field} must be an absolute folder path, got "${folder}"`, 'bad_path');
    // Keyed by the roots too: a library folder taken out of the settings is refused at once.
    const s = this.deps.settings;
    const key = `${s.getList('library_paths').join('\0')}\u0001${s.getList('allowed_media_roots').join('\0')}\u0001${folder}`;
    const known = this.folderChecks.get(key);
    if (known !== undefined) return known;
    await confineMediaPath(s, folder);
    const r = resolve(folder);
    const f = r.length > 1 && r.endsWith('/') ? r.slice(0, -1) : r;
    this.folderChecks.set(key, f);
    return f;
  }

  /**
   * The inputs, whether the stored wanted is current under them, and the
   * version a cached answer must have been computed under (one query while
   * the rules stay the same). `wait`: when not current, wait for the
   * recompute (up to 3 s) and look again.
   */
  private async versioned(wait: boolean): Promise<{ inputs: CurrentInputs; current: boolean; version: string }> {
    for (let round = 0; ; round++) {
      const p = await this.probeShared();
      const inputs = await this.indexer.inputsAt(p.rulesStamp);
      const current = await this.indexer.isCurrent(inputs.fp);
      if (!current && wait && round === 0 && (await this.indexer.waitCurrent(WAIT_CURRENT_MS))) continue;
      return { inputs, current, version: `${this.indexer.version}:${p.lastMs}:${inputs.fp}:${current ? 1 : 0}` };
    }
  }

  /**
   * Requests that arrive while a version probe is running share it (at 50
   * connections that is most of them). A write of this process bumps
   * indexer.version, read after the probe, so a shared probe never hides it.
   */
  private probeShared(): Promise<{ lastMs: number; rulesStamp: string }> {
    return (this.probing ??= repo.versionProbe(this.db).finally(() => (this.probing = null)));
  }

  private probing: Promise<{ lastMs: number; rulesStamp: string }> | null = null;

  /**
   * GET /items planned: the page's meta, and its items as ids with their
   * change stamps (`keys`, the routes write their JSON from the item cache)
   * or, while the rules changed and wanted is recomputed, as items with
   * wanted computed now (`items`, never cached).
   */
  async pagePlan(q: ItemsQueryInput): Promise<PagePlan> {
    const query = await this.normalizeQuery(q);
    const sort = q.sort || 'title';
    const page = q.page ?? 1;
    const size = q.page_size ?? 50;
    const { inputs, current, version } = await this.versioned(query.filter === 'wanted');
    const qkey = JSON.stringify(query);
    const read = async (): Promise<CachedPage> => {
      const count = () => this.counts.get(`count:${qkey}`, version, () => repo.countItems(this.db, this.deps.kind, query));
      if (!repo.planNeedsCounts(query, sort)) {
        const [keys, total] = await Promise.all([repo.pageKeys(this.db, this.deps.kind, query, sort, size, (page - 1) * size), count()]);
        return { keys, total };
      }
      // A filter in another order than title: how it is read depends on how many items it matches.
      const [matches, all] = await Promise.all([count(), this.counts.get('count:everything', version, () => repo.countAll(this.db))]);
      return { keys: await repo.pageKeys(this.db, this.deps.kind, query, sort, size, (page - 1) * size, { matches, all }), total: matches };
    };
    const meta = (total: number): PageMeta => ({ total, page, page_size: size, wanted_pending: !current });
    if (!current) {
      // Rules changed and the index is being recomputed: wanted computed on read, nothing cached.
      const { keys, total } = await read();
      return { meta: meta(total), items: await this.withFreshWanted(await this.rowsInOrder(keys), inputs) };
    }
    const { keys, total } = await this.pages.get(`${qkey}:${sort}:${page}:${size}`, version, read);
    return { meta: meta(total), keys };
  }

  /** These items as the list shows them, by id, with the change stamp their JSON is kept under; an item deleted meanwhile is absent. */
  async itemViews(ids: number[]): Promise<Map<number, { item: ItemView; updatedMs: number }>> {
    const rows = await repo.pageRows(this.db, ids);
    return new Map(rows.map((r) => [Number(r.id), { item: toItem(r), updatedMs: Number(r.updated_ms) }]));
  }

  private async rowsInOrder(keys: repo.PageKey[]): Promise<repo.PageRow[]> {
    const rows = new Map((await repo.pageRows(this.db, keys.map((k) => k.id))).map((r) => [Number(r.id), r]));
    return keys.map((k) => rows.get(k.id)).filter((r): r is repo.PageRow => r !== undefined);
  }

  /** Items with wanted computed now from their stored analysis (while the stored one is stale). */
  private async withFreshWanted(rows: repo.PageRow[], inputs: CurrentInputs): Promise<ItemView[]> {
    const silent = await noSpeechJobs(this.db, rows.map((r) => r.path));
    return rows.map((r) => {
      const quiet = silent.get(r.path);
      return toItem(r, wantedForRow(r, inputs, quiet && quiet.completedMs >= Number(r.mtime_ms) ? quiet.id : null));
    });
  }

  private async itemRow(id: number): Promise<repo.ItemRow> {
    const row = await repo.findItem(this.db, id);
    if (!row) throw notFound(`Library item ${id}`);
    return row;
  }

  async getItem(id: number): Promise<ItemDetail> {
    const row = await this.itemRow(id);
    const inputs = await this.indexer.currentInputs();
    const current = await this.indexer.isCurrent(inputs.fp);
    const [item] = current ? [toItem(row)] : await this.withFreshWanted([row], inputs);
    const [history, quality] = await Promise.all([repo.jobHistory(this.db, row.path, 50), itemQuality(this.db, item)]);
    return { ...item, ...quality, job_history: history.map(toJob) };
  }

  /** One item as the list shows it, its media file confined to the library (sync, previews). */
  async item(id: number): Promise<ItemView> {
    const item = toItem(await this.itemRow(id));
    await confineMediaPath(this.deps.settings, item.path);
    return item;
  }

  /** An item and one of its external subtitles: only the item's own files, inside the library. */
  async externalSubtitle(id: number, n: number): Promise<{ item: ItemView; sub: ItemView['external_subtitles'][number] }> {
    const item = toItem(await this.itemRow(id));
    const sub = item.external_subtitles[n];
    if (!sub) throw notFound(`Subtitle ${n} of library item ${id} (it lists ${item.external_subtitles.length})`);
    if (!isWithin(sub.path, item.folder)) throw new AppError(403, 'outside_library', `${sub.path} is not beside ${item.path}`);
    await confineMediaPath(this.deps.settings, sub.path);
    return { item, sub };
  }

  async subtitlePreview(id: number, n: number): Promise<SubtitlePreview> {
    const { sub } = await this.externalSubtitle(id, n);
    if (!TEXT_FORMATS.has(sub.format)) {
      throw new AppError(415, 'not_text_subtitle', `${sub.file_name} is a ${sub.format} subtitle (images, no text): there is nothing to preview`);
    }
    let text: string;
    try {
      text = await readHead(sub.path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw notFound(`${sub.path} (removed since the last scan)`);
      throw badRequest(`Cannot read ${sub.path}: ${(e as Error).message}`, 'unreadable_path');
    }
    const { cues, truncated } = parseCues(text, sub.format, PREVIEW_CUES);
    return { item_id: id, index: n, path: sub.path, language: sub.language, format: sub.format, generated: sub.generated, cues, truncated };
  }

  /**
   * GET /tree planned: the key and index version its answer is valid for,
   * and how to count it (the routes keep the written JSON per key and version).
   */
  async treePlan(folder?: string): Promise<{ key: string; version: string; build(): Promise<Tree> }> {
    const base = folder ? await this.checkFolder(folder, 'folder') : null;
    const { inputs, current, version } = await this.versioned(true);
    return {
      key: base ?? '',
      version,
      build: async () => {
        const counted = await this.countedTree(inputs.roots, base);
        const bases = base ? [base] : counted.roots.map((r) => r.path);
        return { ...counted, ...(await this.subfolders(bases)), wanted_pending: !current };
      },
    };
  }

  private async subfolders(bases: string[]): Promise<Pick<Tree, 'folders' | 'folders_truncated'>> {
    const folders: Tree['folders'] = [];
    let truncated = false;
    for (const b of bases) {
      const children = new Map<string, Counts>();
      for (const r of await repo.countsByFolderUnder(this.db, b)) {
        if (r.folder === b) continue;
        const child = `${b}/${r.folder.slice(b.length + 1).split('/')[0]}`;
        add(children.get(child) ?? children.set(child, zero()).get(child)!, r);
      }
      const sorted = [...children].sort((x, y) => x[0].localeCompare(y[0]));
      if (sorted.length > TREE_FOLDERS_MAX) truncated = true;
      for (const [path, c] of sorted.slice(0, TREE_FOLDERS_MAX)) folders.push({ path, ...c });
    }
    return { folders, folders_truncated: truncated };
  }

  /** Counts of the library, or of what lies in folder `base`: totals, library folders, shows and seasons, movies, other files. */
  private async countedTree(settingRoots: string[], base: string | null): Promise<Omit<Tree, 'wanted_pending' | 'folders' | 'folders_truncated'>> {
    const [byRoot, byShow] = await Promise.all([repo.countsByRootAndKind(this.db, base), repo.countsByShowAndSeason(this.db, base)]);
    const totals = zero();
    const movies = zero();
    const other = zero();
    const roots = new Map<string, Counts>();
    for (const r of byRoot) {
      add(totals, r);
      if (r.kind === 'movie') add(movies, r);
      if (r.kind === 'other') add(other, r);
      if (r.root) add(roots.get(r.root) ?? roots.set(r.root, zero()).get(r.root)!, r);
    }
    // Every library folder (also an empty one); with a folder, those that hold it or lie in it.
    for (const r of settingRoots) if (!roots.has(r) && (!base || isWithin(base, r) || isWithin(r, base))) roots.set(r, zero());
    const shows: Tree['shows'] = [];
    for (const r of byShow) {
      let show = shows[shows.length - 1];
      if (!show || show.show !== r.show) {
        show = { show: r.show, ...zero(), seasons: [] };
        shows.push(show);
      }
      add(show, r);
      show.seasons.push({ season: r.season === null ? null : Number(r.season), ...countsOf(r) });
    }
    return {
      totals,
      roots: [...roots].sort((x, y) => x[0].localeCompare(y[0])).map(([path, c]) => ({ path, ...c })),
      shows,
      movies,
      other,
    };
  }

  async status(): Promise<{ items: number; missing: number; needs_review: number; wanted_pending: boolean; last_indexed_at: string | null }> {
    const inputs = await this.indexer.currentInputs();
    const current = await this.indexer.isCurrent(inputs.fp);
    const c = await repo.itemCounts(this.db);
    return { items: c.items, missing: c.missing, needs_review: c.needsReview, wanted_pending: !current, last_indexed_at: c.lastMs ? new Date(c.lastMs).toISOString() : null };
  }

  // ---- actions ----

  async act(input: ActionInput): Promise<ActionResult> {
    const hasIds = input.item_ids !== undefined;
    if (hasIds === (input.filter !== undefined)) throw badRequest('Name either item_ids or filter (not both): the items to act on', 'bad_selection');
    let target: string | null = null;
    if (input.target_lang) {
      target = normalizeLanguage(input.target_lang);
      if (!target) throw badRequest(`Unknown language "${input.target_lang}" in target_lang: use an ISO 639 code such as eng, spa, jpn`, 'unknown_language');
    }
    const preset = input.quality_preset ?? null;
    let rows: repo.ItemRow[];
    if (input.item_ids) {
      const ids = [...new Set(input.item_ids)];
      rows = await repo.findItems(this.db, ids);
      const known = new Set(rows.map((r) => Number(r.id)));
      const unknown = ids.filter((id) => !known.has(id));
      if (unknown.length) throw notFound(`Library item${unknown.length > 1 ? 's' : ''} ${unknown.slice(0, 20).join(', ')}${unknown.length > 20 ? ', ...' : ''}`);
      const order = new Map(ids.map((id, i) => [id, i]));
      rows.sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!);
    } else {
      const query = await this.normalizeQuery(input.filter!);
      if (query.filter === 'wanted') await this.indexer.waitCurrent(WAIT_CURRENT_MS);
      const ids = await repo.itemIds(this.db, this.deps.kind, query, ACTION_MAX_ITEMS + 1);
      if (ids.length > ACTION_MAX_ITEMS) {
        throw badRequest(`The filter matches more than ${ACTION_MAX_ITEMS} files; an action takes at most ${ACTION_MAX_ITEMS} at once: narrow it by folder, show or season`, 'selection_too_large');
      }
      rows = await repo.findItems(this.db, ids);
      const order = new Map(ids.map((id, i) => [id, i]));
      rows.sort((a, b) => order.get(Number(a.id))! - order.get(Number(b.id))!);
    }
    const inputs = await this.indexer.currentInputs();
    const current = await this.indexer.isCurrent(inputs.fp);
    const done: Done[] = [];
    const refused: Refused[] = [];
    for (const row of rows) {
      // Wanted as the rules say now, also while the index is being recomputed.
      const fresh = current ? row : { ...row, ...this.freshWantedColumns(row, inputs) };
      for (const o of await this.actions.run(fresh, { action: input.action, target_lang: target, quality_preset: preset, model: input.model?.trim() || null, rules: inputs.rules })) {
        if ('done' in o) done.push(o.done);
        else refused.push(o.refused);
      }
    }
    await this.afterAction(input.action, done);
    return { action: input.action, matched: rows.length, done, refused };
  }

  private freshWantedColumns(row: repo.ItemRow, inputs: CurrentInputs): { wanted: string; decision: string | null } {
    const w = wantedForRow(row, inputs, null);
    return { wanted: JSON.stringify(w.wanted), decision: w.decision };
  }

  /** The index follows at once what an action did: new jobs, removed subtitles, markers. */
  private async afterAction(action: ActionInput['action'], done: Done[]): Promise<void> {
    const paths = [...new Set(done.map((d) => d.path))];
    if (!paths.length) return;
    if (action === 'transcribe' || action === 'redo') await this.indexer.applyJobChanges(new Map(paths.map((p) => [p, false])));
    else await this.indexer.refresh(paths);
  }
}
