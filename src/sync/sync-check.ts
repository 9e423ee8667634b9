/**
 * The background sync check (read-only): a round walks the library from a
 * cursor, measures each text subtitle (external files, embedded text tracks)
 * whose measure is missing or older than the subtitle, and sets the item's
 * out-of-sync flag. A round is bounded: `sync_check_per_round` media files,
 * of which at most `sync_check_listen_per_round` may need their speech
 * detected first (files already transcribed or synced cost no listening).
 * Nothing is ever written to a subtitle here. One item's failure (a bad
 * file, an image track) is counted and the round goes on.
 */
import { stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { BackgroundComponent } from '../core/background.js';
import type { Db } from '../db/database.js';
import type { LibraryService } from '../library/library.service.js';
import type { ItemView } from '../library/item-row.js';
import type { ScanRulesService } from '../rules/rules.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { TEXT_SUBTITLE_CODECS } from './embedded.js';
import * as repo from './sync.repository.js';
import { isSyncFormat } from './subtitle-times.js';
import type { SyncService } from './sync.service.js';

export interface CheckRun {
  items: number;
  checked: number;
  out_of_sync: number;
  skipped: number;
}

interface Target {
  key: string;
  /** the subtitle's language (external files), for the rules that sync theirs on their own */
  language: string | null;
  subtitlePath: string;
  format: string;
  embeddedIndex?: number;
  /** the file whose size and mtime the stored measure is kept under */
  versionPath: string;
}

export class SyncChecker {
  private cursor = 0;
  private running: Promise<CheckRun> | null = null;

  constructor(private readonly deps: { db: Db; settings: SettingsService; library: LibraryService; sync: SyncService; rules: ScanRulesService; log: Logger }) {}

  /** One bounded round from the cursor (a round already running is joined, not doubled). */
  round(signal?: AbortSignal): Promise<CheckRun> {
    return (this.running ??= this.walk(signal).finally(() => (this.running = null)));
  }

  private async walk(signal?: AbortSignal): Promise<CheckRun> {
    const s = this.deps.settings;
    const perRound = s.getNumber('sync_check_per_round');
    let listens = s.getNumber('sync_check_listen_per_round');
    const run: CheckRun = { items: 0, checked: 0, out_of_sync: 0, skipped: 0 };
    let looked = 0;
    // At most one pass over the library per round, from where the last round stopped.
    let wrapped = false;
    while (run.items < perRound && !signal?.aborted) {
      const ids = await repo.itemIdsAfter(this.deps.db, this.cursor, 200);
      if (!ids.length) {
        if (wrapped || this.cursor === 0) break;
        this.cursor = 0;
        wrapped = true;
        continue;
      }
      for (const id of ids) {
        this.cursor = id;
        if (run.items >= perRound || signal?.aborted) break;
        if (++looked > perRound * 50) return run;
        const r = await this.checkItem(id, listens > 0, signal);
        if (!r) continue;
        run.items++;
        if (r.listened) listens--;
        run.checked += r.checked;
        run.out_of_sync += r.outOfSync;
        run.skipped += r.skipped;
      }
    }
    return run;
  }

  private async autoSyncLanguages(): Promise<Set<string>> {
    const rules = await this.deps.rules.list(true);
    return new Set(rules.filter((r) => r.action.sync_external_subtitles).map((r) => r.action.target_language));
  }

  /** Checks these items now (the API's "Check now"). */
  async items(ids: number[], listen: boolean, signal?: AbortSignal): Promise<CheckRun> {
    const run: CheckRun = { items: 0, checked: 0, out_of_sync: 0, skipped: 0 };
    for (const id of ids) {
      const r = await this.checkItem(id, listen, signal, true);
      if (!r) continue;
      run.items++;
      run.checked += r.checked;
      run.out_of_sync += r.outOfSync;
      run.skipped += r.skipped;
    }
    return run;
  }

  /** null: nothing to measure (no text subtitle, or every measure current). */
  private async checkItem(id: number, listen: boolean, signal?: AbortSignal, force = false): Promise<{ checked: number; outOfSync: number; skipped: number; listened: boolean } | null> {
    let item: ItemView;
    try {
      item = await this.deps.library.item(id);
    } catch {
      return null; // gone, or outside the library folders now
    }
    const targets = textSubtitles(item);
    if (!targets.length) return null;
    const known = new Map((await repo.findChecks(this.deps.db, item.path)).map((c) => [c.subtitle, c]));
    const stale: Target[] = [];
    for (const t of targets) {
      const st = await stat(t.versionPath).catch(() => null);
      if (!st) continue;
      const c = known.get(t.key);
      if (force || !c || c.size !== st.size || c.mtime_ms !== Math.trunc(st.mtimeMs)) stale.push(t);
    }
    if (!stale.length) return null;
    const r = { checked: 0, outOfSync: 0, skipped: 0, listened: false };
    const speechKnown = !!(await this.deps.sync.speech(item.path, [], signal, true).catch(() => null));
    if (!speechKnown && !listen) return null;
    r.listened = !speechKnown;
    const autoSync = await this.autoSyncLanguages();
    for (const t of stale) {
      try {
        const row = await this.deps.sync.check({ mediaPath: item.path, ...t }, { listen, signal });
        if (row === 'no_speech_known') {
          r.skipped++;
          continue;
        }
        r.checked++;
        // A rule asked for this language to be kept in sync: the same plan, written with the original kept (Undo on the item page).
        // An Undo is the user's answer for that file: a rule never syncs it again.
        if (row.verdict === 'fix' && t.embeddedIndex === undefined && t.language && autoSync.has(t.language) && !(await repo.wasUndone(this.deps.db, t.subtitlePath))) {
          const done = await this.deps.sync.sync({ mediaPath: item.path, subtitlePath: t.subtitlePath, format: t.format }, { kind: 'audio' }, { apply: true, signal });
          if (done.syncId !== null) {
            this.deps.log.info({ subtitle: t.subtitlePath, summary: done.summary }, 'subtitle synced to the audio (a rule keeps this language in sync)');
            await this.deps.sync.check({ mediaPath: item.path, ...t }, { listen: false, signal });
          }
        }
      } catch (e) {
        r.skipped++;
        this.deps.log.debug({ err: e, subtitle: t.key }, 'sync check skipped a subtitle');
      }
    }
    const all = await repo.findChecks(this.deps.db, item.path);
    const current = new Set(targets.map((t) => t.key));
    r.outOfSync = all.filter((c) => current.has(c.subtitle) && c.verdict === 'fix').length;
    await repo.setOutOfSync(this.deps.db, item.path, r.outOfSync > 0);
    return r;
  }
}

/** The item's subtitles that have text times: external SRT/VTT/ASS files and embedded text tracks. */
export function textSubtitles(item: ItemView): Target[] {
  const ext: Target[] = item.external_subtitles
    .filter((s) => isSyncFormat(s.format.toLowerCase()))
    .map((s) => ({ key: s.path, language: s.language, subtitlePath: s.path, format: s.format, versionPath: s.path }));
  const emb: Target[] = item.embedded_subtitles
    .filter((s) => s.codec !== null && TEXT_SUBTITLE_CODECS.has(s.codec.toLowerCase()))
    .map((s) => ({ key: embeddedKey(item.path, s.index), language: s.language, subtitlePath: item.path, format: 'srt', embeddedIndex: s.index, versionPath: item.path }));
  return [...ext, ...emb];
}

export const embeddedKey = (mediaPath: string, index: number) => `${mediaPath}#s:${index}`;

/** A round every `sync_check_interval_minutes` while `sync_check_enabled`; stopped with the server. */
export function syncCheckComponent(checker: SyncChecker, settings: SettingsService, log: Logger): BackgroundComponent {
  let timer: NodeJS.Timeout | null = null;
  const controller = new AbortController();
  const schedule = () => {
    const minutes = Math.max(1, settings.getNumber('sync_check_interval_minutes'));
    timer = setTimeout(() => void tick(), minutes * 60_000);
    timer.unref();
  };
  const tick = async () => {
    try {
      if (settings.getBoolean('sync_check_enabled')) {
        const r = await checker.round(controller.signal);
        if (r.checked) log.info(r, 'sync check round: subtitles measured against the audio');
      }
    } catch (e) {
      log.warn({ err: e }, 'sync check round failed');
    } finally {
      if (!controller.signal.aborted) schedule();
    }
  };
  return {
    name: 'sync-check',
    start: async () => {
      if (!timer) schedule();
    },
    stop: async () => {
      controller.abort();
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
