/**
 * Subtitle sync's rules, for the API, the CLI and the background check:
 *
 * - the reference a subtitle is matched against: the speech of the media's
 *   audio (Silero spans, kept per file version in `media_speech`), another
 *   external subtitle, or an embedded text track;
 * - preview (the plan and a timeline, nothing written) and apply: the plan
 *   is computed again from the file as it is (a file changed since the
 *   preview is a 409 when the preview's hash is sent), the user's original
 *   is copied under DATA_DIR/sync-backups first, the fix is written
 *   atomically, and only the timestamps change (subtitle-times.ts);
 * - Undo restores the original while the file is still what the sync wrote;
 * - check: measure without writing, kept per subtitle version, and the
 *   library item's out-of-sync flag.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { Db } from '../db/database.js';
import { AppError, appError } from '../errors.js';
import type { SettingsService } from '../settings/settings.service.js';
import { vadModelFile } from '../transcription/engine.js';
import type { MediaTools } from '../transcription/audio.js';
import { applyPlan, describePlan, planSync } from './index.js';
import { embeddedCues } from './embedded.js';
import { mediaSpeech } from './speech.js';
import * as repo from './sync.repository.js';
import { isSyncFormat, parseTimed, retimeText, type SyncFormat, type TimedSubtitle } from './subtitle-times.js';
import type { SyncPlan, SyncSettings, TimeSpan } from './types.js';

/** What a subtitle is matched against. */
export type SyncReference =
  | { kind: 'audio'; audioLanguages?: string[] }
  | { kind: 'file'; path: string; format: SyncFormat }
  | { kind: 'embedded'; subtitleIndex: number };

export interface SyncTarget {
  mediaPath: string;
  subtitlePath: string;
  format: string;
}

export interface SyncOutcome {
  plan: SyncPlan;
  summary: string;
  /** sha256 of the subtitle as it was read */
  sha256: string;
  cues: number;
  reference: SyncReference['kind'];
  /** the timeline the preview draws: reference spans and the cues before and after */
  timeline: { duration: number | null; reference: TimeSpan[]; before: TimeSpan[]; after: TimeSpan[] };
  /** set when the fix was written */
  syncId: number | null;
  backup: string | null;
}

interface SyncDeps {
  db: Db;
  settings: SettingsService;
  dataDir: string;
  tools?: Partial<MediaTools> & { whisperDir?: string };
}

/** Spans drawn in a preview, at most (a film has about 1,500 cues). */
const TIMELINE_MAX = 6000;

export class SyncService {
  constructor(private readonly deps: SyncDeps) {}

  settings(): SyncSettings {
    const s = this.deps.settings;
    return {
      maxOffsetSeconds: s.getNumber('sync_max_offset_seconds'),
      splitPenalty: s.getNumber('sync_split_penalty'),
      minGain: s.getNumber('sync_min_gain'),
      minBlockSpeechSeconds: s.getNumber('sync_min_block_speech_seconds'),
    };
  }

  /** The plan for one subtitle; with `apply`, written (when the verdict is fix) with the original kept. */
  async sync(target: SyncTarget, reference: SyncReference, o: { apply: boolean; expectSha256?: string; signal?: AbortSignal }): Promise<SyncOutcome> {
    const format = syncFormat(target.format, target.subtitlePath);
    const bytes = await readSubtitle(target.subtitlePath);
    const sha256 = sha(bytes);
    if (o.expectSha256 && o.expectSha256 !== sha256) {
      throw appError('subtitle_changed', `${basename(target.subtitlePath)} changed since the preview: preview the sync again before applying it`);
    }
    const sub = parseTimed(bytes, format, basename(target.subtitlePath));
    const ref = await this.reference(target.mediaPath, reference, o.signal);
    const plan = planSync(sub.cues, ref.spans, this.settings(), { mediaDuration: ref.duration });
    const after = applyPlan(sub.cues, plan);
    const outcome: SyncOutcome = {
      plan, summary: describePlan(plan), sha256, cues: sub.cues.length, reference: reference.kind,
      timeline: { duration: ref.duration ?? null, reference: ref.spans.slice(0, TIMELINE_MAX), before: sub.cues.slice(0, TIMELINE_MAX), after: after.slice(0, TIMELINE_MAX) },
      syncId: null, backup: null,
    };
    if (o.apply && plan.verdict === 'fix') Object.assign(outcome, await this.write(target, sub, bytes, after, plan, outcome.summary));
    return outcome;
  }

  /** Measures one subtitle without writing; kept while the subtitle file (or the media, for an embedded track) is unchanged. */
  async check(target: SyncTarget & { key: string; embeddedIndex?: number }, o: { listen: boolean; signal?: AbortSignal }): Promise<repo.SyncCheckRow | 'no_speech_known'> {
    const st = await stat(target.embeddedIndex === undefined ? target.subtitlePath : target.mediaPath);
    const speech = await this.speech(target.mediaPath, [], o.signal, !o.listen);
    if (!speech) return 'no_speech_known';
    const cues = target.embeddedIndex === undefined
      ? parseTimed(await readSubtitle(target.subtitlePath), syncFormat(target.format, target.subtitlePath), basename(target.subtitlePath)).cues
      : await embeddedCues(target.mediaPath, target.embeddedIndex, this.deps.tools, o.signal);
    const plan = planSync(cues, speech.spans, this.settings(), { mediaDuration: speech.duration });
    const row: repo.SyncCheckRow = {
      subtitle: target.key, media_path: target.mediaPath, size: st.size, mtime_ms: Math.trunc(st.mtimeMs), verdict: plan.verdict,
      offset_seconds: plan.verdict === 'fix' ? plan.offset : 0, ratio: plan.verdict === 'fix' ? plan.ratio : 1,
      score_before: plan.scoreBefore, score_after: plan.scoreAfter, summary: describePlan(plan), checked_ms: Date.now(),
    };
    await repo.saveCheck(this.deps.db, row);
    return row;
  }

  /** Puts the user's original back, while the file is still exactly what the sync wrote. */
  async undo(syncId: number): Promise<repo.SyncRecordRow> {
    const rec = await repo.findSync(this.deps.db, syncId);
    if (!rec) throw new AppError(404, 'not_found', `Sync ${syncId} not found`);
    if (rec.undone_ms !== null) throw appError('sync_not_undoable', `Sync ${syncId} was already undone`);
    const now = await readFile(rec.subtitle).catch(() => null);
    if (!now || sha(now) !== rec.written_sha256) {
      throw appError('sync_not_undoable', `${basename(rec.subtitle)} was changed or removed since the sync, so Undo would lose those changes; your original is kept at ${rec.backup}`);
    }
    const original = await readFile(rec.backup).catch(() => {
      throw appError('sync_not_undoable', `The copy of the original (${rec.backup}) is gone, so there is nothing to restore`);
    });
    if (!(await repo.markUndone(this.deps.db, syncId))) throw appError('sync_not_undoable', `Sync ${syncId} was already undone`);
    await writeAtomic(rec.subtitle, original);
    await repo.deleteCheck(this.deps.db, rec.subtitle);
    return { ...rec, undone_ms: Date.now() };
  }

  history(mediaPath: string): Promise<repo.SyncRecordRow[]> {
    return repo.listSyncs(this.deps.db, mediaPath);
  }

  checks(mediaPath: string): Promise<repo.SyncCheckRow[]> {
    return repo.findChecks(this.deps.db, mediaPath);
  }

  /** The media's speech: stored for this version of the file, else listened to now (unless `storedOnly`). */
  async speech(mediaPath: string, audioLanguages: string[], signal?: AbortSignal, storedOnly = false): Promise<repo.StoredSpeech | null> {
    const st = await stat(mediaPath);
    const stored = await repo.findSpeech(this.deps.db, mediaPath, st.size, st.mtimeMs);
    if (stored || storedOnly) return stored;
    const vad = vadModelFile({ vad: true, vadModelPath: this.deps.settings.getString('vad_model') || undefined, modelDir: this.deps.settings.getString('model_path') });
    if (!vad) throw new AppError(503, 'model_missing', 'No speech detection model: set vad_model (Settings → Model and quality)');
    const tmpRoot = join(this.deps.dataDir, 'tmp');
    await mkdir(tmpRoot, { recursive: true });
    const heard = await mediaSpeech(mediaPath, { vadModelPath: vad, audioLanguages, tools: this.deps.tools, whisperDir: this.deps.tools?.whisperDir, tmpRoot, signal });
    const s: repo.StoredSpeech = { spans: heard.spans, duration: heard.duration, streamIndex: heard.streamIndex, language: heard.language };
    await repo.saveSpeech(this.deps.db, mediaPath, st.size, st.mtimeMs, s);
    return s;
  }

  private async reference(mediaPath: string, r: SyncReference, signal?: AbortSignal): Promise<{ spans: TimeSpan[]; duration: number | undefined }> {
    if (r.kind === 'audio') {
      const s = await this.speech(mediaPath, r.audioLanguages ?? [], signal);
      if (!s?.spans.length) throw appError('no_reference', `No speech was found in the audio of ${basename(mediaPath)}: there is nothing to sync to`);
      return { spans: s.spans, duration: s.duration };
    }
    if (r.kind === 'file') return { spans: parseTimed(await readSubtitle(r.path), r.format, basename(r.path)).cues, duration: undefined };
    return { spans: await embeddedCues(mediaPath, r.subtitleIndex, this.deps.tools, signal), duration: undefined };
  }

  private async write(target: SyncTarget, sub: TimedSubtitle, original: Buffer, after: TimeSpan[], plan: SyncPlan, summary: string): Promise<{ syncId: number; backup: string }> {
    const w = await writeFix(target.subtitlePath, sub, original, after, join(this.deps.dataDir, 'sync-backups'));
    const syncId = await repo.insertSync(this.deps.db, {
      media_path: target.mediaPath, subtitle: target.subtitlePath, backup: w.backup, written_sha256: w.writtenSha256, plan: JSON.stringify(plan), summary, created_ms: Date.now(),
    });
    await repo.deleteCheck(this.deps.db, target.subtitlePath);
    return { syncId, backup: w.backup };
  }
}

/**
 * Writes a sync's fix over the subtitle: the original is copied under
 * `backupRoot/<day>/` first, the file must still be what was planned on (an
 * edit in between is the user's and stays), and the new bytes replace it in
 * one rename. Only the timestamps differ from the original.
 */
export async function writeFix(path: string, sub: TimedSubtitle, original: Buffer, after: TimeSpan[], backupRoot: string): Promise<{ backup: string; writtenSha256: string }> {
  const fixed = retimeText(sub, after);
  const dir = join(backupRoot, new Date().toISOString().slice(0, 10));
  await mkdir(dir, { recursive: true });
  const backup = join(dir, `${Date.now()}-${sha(Buffer.from(path)).slice(0, 8)}-${basename(path)}`);
  if (sha(await readSubtitle(path)) !== sha(original)) {
    throw appError('subtitle_changed', `${basename(path)} changed while it was being synced: preview the sync again`);
  }
  await writeFile(backup, original);
  await writeAtomic(path, fixed);
  return { backup, writtenSha256: sha(fixed) };
}

function syncFormat(format: string, path: string): SyncFormat {
  const f = format.toLowerCase();
  if (isSyncFormat(f)) return f;
  throw new AppError(415, 'not_text_subtitle', `${basename(path)} is a ${format} subtitle: only SRT, WebVTT and ASS/SSA subtitles can be synced`);
}

export async function readSubtitle(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new AppError(404, 'not_found', `${path} not found (removed since the last scan)`);
    throw new AppError(400, 'unreadable_path', `Cannot read ${path}: ${(e as Error).message}`);
  }
}

/** Writes beside the file and renames over it, keeping the file's mode. */
async function writeAtomic(path: string, bytes: Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.sync-${process.pid}-${Date.now()}`);
  const mode = (await stat(path).catch(() => null))?.mode;
  try {
    await writeFile(tmp, bytes, mode === undefined ? undefined : { mode: mode & 0o777 });
    await rename(tmp, path);
  } catch (e) {
    await rm(tmp, { force: true });
    throw e;
  }
}

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
