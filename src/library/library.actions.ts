/**
 * Actions on library items. Each item is done or refused with a reason;
 * nothing the user owns is replaced or deleted:
 *
 * - transcribe: a job through the jobs service (confinement to the library,
 *   one live job per file), for target_lang or the first wanted language,
 *   with the wanting rule's preset, mode and audio track;
 * - redo: a job for a language whose subtitle this product wrote and that
 *   was not edited since (the engine then replaces only that file);
 * - delete_generated: removes a subtitle (and its sidecar record) only when
 *   the record's hash proves it is ours and unedited at that moment
 *   (transcription/subtitle-files.ts removeGeneratedSubtitle);
 * - ignore: writes the file marker `Movie.mkv.notranscribe` (the
 *   scanner_ignore_marker beside the file), which the scanner honours;
 * - unignore: removes that file marker; a folder marker is named, not removed.
 */
import { existsSync } from 'node:fs';
import { lstat, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from 'pino';
import { AppError } from '../errors.js';
import type { JobsService } from '../jobs/jobs.service.js';
import { languageName } from '../languages.js';
import type { ScanRule } from '../rules/rules.service.js';
import { checkMediaPath, isWithin } from '../security/media-roots.js';
import type { SettingsService } from '../settings/settings.service.js';
import { isGeneratedSubtitle, removeGeneratedSubtitle } from '../transcription/subtitle-files.js';
import { fileMarkerName, toItem, type ItemView } from './item-row.js';
import type { ItemRow } from './library.repository.js';
import type { LibraryAction } from './library.schemas.js';

interface ActionDeps {
  settings: SettingsService;
  jobs: JobsService;
  log: Logger;
}

interface ActionOptions {
  action: LibraryAction;
  target_lang: string | null;
  quality_preset: string | null;
  /** a model for the jobs queued (the job's options.model); null: the preset's */
  model: string | null;
  rules: ScanRule[];
}

export interface Done {
  item_id: number;
  path: string;
  target_lang: string | null;
  job_id: string | null;
  deleted: string[];
  message: string;
}

export interface Refused {
  item_id: number;
  path: string | null;
  target_lang: string | null;
  code: string;
  reason: string;
}

type Outcome = { done: Done } | { refused: Refused };

const nameOf = (code: string) => languageName(code)?.split(/[;,]/)[0].trim() ?? code;

export class LibraryActions {
  constructor(private readonly deps: ActionDeps) {}

  async run(row: ItemRow, o: ActionOptions): Promise<Outcome[]> {
    const item = toItem(row);
    try {
      // The library folders may have changed since the file was indexed: nothing is written outside them.
      const where = await checkMediaPath(this.deps.settings, item.path);
      if (!where.ok) return [refuse(item, o.target_lang, 'outside_library', `${item.path} is ${where.reason} now (library_paths or allowed_media_roots changed since it was scanned): nothing is done to it`)];
      switch (o.action) {
        case 'transcribe':
          return [await this.transcribe(item, o)];
        case 'redo':
          return await this.redo(item, o);
        case 'delete_generated':
          return [await this.deleteGenerated(item, o)];
        case 'ignore':
          return [await this.ignore(item)];
        case 'unignore':
          return [await this.unignore(item)];
      }
    } catch (e) {
      this.deps.log.warn({ err: e, path: item.path, action: o.action }, 'library action failed');
      return [refuse(item, o.target_lang, e instanceof AppError ? e.code : 'error', e instanceof Error ? e.message : String(e))];
    }
  }

  private async transcribe(item: ItemView, o: ActionOptions): Promise<Outcome> {
    if (item.missing) return refuse(item, o.target_lang, 'missing', 'The file is gone from disk; scan its folder again once it is back');
    if (item.probe_error) return refuse(item, o.target_lang, 'unreadable', `The file cannot be read as media: ${item.probe_error}`);
    const target = o.target_lang ?? item.wanted[0]?.language ?? null;
    if (!target) {
      return refuse(item, null, 'nothing_wanted', `No rule wants a subtitle for this file${item.decision ? ` (${item.decision})` : ''}; name target_lang to transcribe it anyway`);
    }
    const ours = item.external_subtitles.find((s) => s.generated && s.language === target && !s.forced);
    if (ours) return refuse(item, target, 'already_generated', `${nameOf(target)} subtitles were already made (${ours.file_name}); use redo to make them again`);
    const want = item.wanted.find((w) => w.language === target);
    return this.queue(item, target, {
      quality_preset: o.quality_preset ?? want?.quality_preset ?? null,
      transcribe_or_translate: want?.action_type ?? null,
      source_lang: want?.audio_language ?? null,
      options: {
        ...(want ? { ...(want.audio_language ? { audio_language: want.audio_language } : {}), audio_track_index: want.audio_track_index, rule_id: want.rule_id, rule_name: want.rule_name } : {}),
        requested_by: 'library',
        ...(o.model ? { model: o.model } : {}),
      },
    }, want ? `queued ${nameOf(target)} subtitles (rule "${want.rule_name}")` : `queued ${nameOf(target)} subtitles`);
  }

  private async redo(item: ItemView, o: ActionOptions): Promise<Outcome[]> {
    if (item.missing) return [refuse(item, o.target_lang, 'missing', 'The file is gone from disk; scan its folder again once it is back')];
    const generated = item.external_subtitles.filter((s) => s.generated && !s.forced && s.language);
    const langs = o.target_lang ? [o.target_lang] : [...new Set(generated.map((s) => s.language as string))];
    if (!langs.length) return [refuse(item, null, 'no_generated', 'TranscriptorIO has made no subtitle for this file; use transcribe')];
    const out: Outcome[] = [];
    let queued = false;
    for (const lang of langs) {
      const subs = generated.filter((s) => s.language === lang);
      if (!subs.length) {
        out.push(refuse(item, lang, 'no_generated', `TranscriptorIO has made no ${nameOf(lang)} subtitle for this file; use transcribe`));
        continue;
      }
      const edited = subs.filter((s) => !isGeneratedSubtitle(s.path));
      if (edited.length === subs.length) {
        out.push(refuse(item, lang, 'edited', `${edited.map((s) => s.file_name).join(', ')} was changed since TranscriptorIO wrote it, so it counts as yours and is never replaced; rename or delete it first to make it again`));
        continue;
      }
      if (queued) {
        out.push(refuse(item, lang, 'duplicate_job', 'One job per file at a time: redo this language once the job queued for the file has finished'));
        continue;
      }
      const rule = o.rules.find((r) => r.enabled && r.action.target_language === lang);
      const outcome = await this.queue(item, lang, {
        quality_preset: o.quality_preset ?? rule?.action.quality_preset ?? null,
        transcribe_or_translate: rule?.action.action_type ?? null,
        source_lang: null,
        options: { requested_by: 'library', redo: true, ...(rule ? { rule_id: rule.id, rule_name: rule.name } : {}), ...(o.model ? { model: o.model } : {}) },
      }, `queued ${nameOf(lang)} subtitles again: the job replaces ${subs.map((s) => s.file_name).join(', ')}`);
      queued = 'done' in outcome;
      out.push(outcome);
    }
    return out;
  }

  private async queue(
    item: ItemView,
    target: string,
    p: { quality_preset: string | null; transcribe_or_translate: string | null; source_lang: string | null; options: Record<string, unknown> },
    message: string,
  ): Promise<Outcome> {
    try {
      const job = await this.deps.jobs.createFromRequest({
        file_path: item.path,
        target_lang: target,
        quality_preset: p.quality_preset,
        transcribe_or_translate: p.transcribe_or_translate,
        source_lang: p.source_lang,
        is_manual_request: true,
        options: p.options,
      }, this.deps.settings);
      return { done: { item_id: item.id, path: item.path, target_lang: target, job_id: job.id, deleted: [], message: `${message}: job ${job.id}` } };
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      const reason = e.code === 'duplicate_job' ? 'A job is already queued or running for this file; wait for it to finish' : e.message;
      return refuse(item, target, e.code, reason);
    }
  }

  private async deleteGenerated(item: ItemView, o: ActionOptions): Promise<Outcome> {
    const subs = item.external_subtitles.filter((s) => s.generated && (!o.target_lang || s.language === o.target_lang));
    if (!subs.length) {
      return refuse(item, o.target_lang, 'no_generated', `No subtitle${o.target_lang ? ` in ${nameOf(o.target_lang)}` : ''} made by TranscriptorIO is listed for this file`);
    }
    const deleted: string[] = [];
    const kept: string[] = [];
    for (const s of subs) {
      // Only the item's own subtitles, inside the library, proven ours and unedited.
      const c = await checkMediaPath(this.deps.settings, s.path);
      // Checked and removed in one step (removeGeneratedSubtitle), so an edit saved meanwhile is kept.
      if (!c.ok || !isWithin(s.path, item.folder) || (await removeGeneratedSubtitle(s.path)) !== 'removed') {
        kept.push(s.file_name);
        continue;
      }
      deleted.push(s.path);
    }
    if (!deleted.length) {
      return refuse(item, o.target_lang, 'not_generated', `${kept.join(', ')}: no record proves TranscriptorIO wrote ${kept.length > 1 ? 'them' : 'it'} unchanged (edited since, or named like ours), so ${kept.length > 1 ? 'they stay' : 'it stays'}; delete it yourself if you no longer want it`);
    }
    const note = kept.length ? `; kept ${kept.join(', ')} (not provably ours)` : '';
    return { done: { item_id: item.id, path: item.path, target_lang: o.target_lang, job_id: null, deleted, message: `deleted ${deleted.map((p) => basename(p)).join(', ')}${note}` } };
  }

  private marker(): string {
    return this.deps.settings.getString('scanner_ignore_marker').trim();
  }

  private async ignore(item: ItemView): Promise<Outcome> {
    if (item.missing) return refuse(item, null, 'missing', 'The file is gone from disk');
    if (item.ignored) return refuse(item, null, 'already', item.ignored_by === 'folder' ? 'A folder above it already holds the ignore marker' : 'Already ignored');
    const marker = this.marker();
    if (!marker) return refuse(item, null, 'no_marker', 'The scanner_ignore_marker setting is empty (Settings → Scanner), so there is no marker to write');
    const path = join(item.folder, fileMarkerName(item.file_name, marker));
    const tmp = join(item.folder, `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
    try {
      await writeFile(tmp, '', { flag: 'wx' });
      await rename(tmp, path);
    } catch (e) {
      await unlink(tmp).catch(() => {});
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') {
        return refuse(item, null, 'output_not_writable', `Cannot write ${basename(path)} in ${item.folder}: the folder is not writable by the service user; give it write access to ignore files there`);
      }
      throw e;
    }
    return { done: { item_id: item.id, path: item.path, target_lang: null, job_id: null, deleted: [], message: `wrote ${basename(path)}: scans leave this file out` } };
  }

  private async unignore(item: ItemView): Promise<Outcome> {
    const marker = this.marker();
    if (item.ignored_by === 'folder') {
      const folder = markerFolder(item.folder, item.root, marker);
      return refuse(item, null, 'marker', `A folder above it holds the ${marker} marker${folder ? ` (${join(folder, marker)})` : ''}, which leaves out everything in it: delete that file to take the folder back`);
    }
    const path = join(item.folder, fileMarkerName(item.file_name, marker || '.notranscribe'));
    const st = await lstat(path).catch(() => null);
    if (!item.ignored && !st) return refuse(item, null, 'already', 'Not ignored');
    if (st && !st.isFile()) return refuse(item, null, 'marker', `${basename(path)} is not a plain file; remove it by hand`);
    if (st) await unlink(path);
    return { done: { item_id: item.id, path: item.path, target_lang: null, job_id: null, deleted: st ? [path] : [], message: `removed ${basename(path)}: scans include this file again` } };
  }
}

function refuse(item: ItemView, target: string | null, code: string, reason: string): { refused: Refused } {
  return { refused: { item_id: item.id, path: item.path, target_lang: target, code, reason } };
}

/** The folder at or above `dir` (up to the library folder) that holds the marker. */
function markerFolder(dir: string, root: string | null, marker: string): string | null {
  if (!marker) return null;
  let d = dir;
  for (;;) {
    if (existsSync(join(d, marker))) return d;
    if (d === root) return null;
    const up = dirname(d);
    if (up === d) return null;
    d = up;
  }
}
