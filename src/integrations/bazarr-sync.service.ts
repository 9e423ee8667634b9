/**
 * Bazarr's Wanted list, filled. Bazarr only asks its Whisper provider for
 * English or same-language subtitles; every other wanted language waits
 * forever. The sync reads Bazarr's wanted episodes and movies, queues a job
 * for each missing language this server can make (the audio's language:
 * transcribe; English: Whisper's translation; anything else: the configured
 * translation provider), and hands each finished subtitle back through
 * Bazarr's upload endpoint, so Bazarr records it and stops searching.
 *
 * State: one bazarr_sync_items row per wanted subtitle with its job, so a
 * wanted subtitle is queued once; the upload happens when its job completes
 * (checked by the background component and at the start of every sync).
 * One file has one live job at a time: a second language of the same file
 * waits for the next sync. A wanted file that is not on disk is skipped and
 * looked at again by the next sync. The uploads themselves, verified and
 * leaving one file per language, are bazarr-sync.upload.ts's.
 *
 * A subtitle whose job needs review (its quality score is under
 * quality_review_threshold) is held back while quality_block_bazarr_sync is
 * on: its row waits as `held_for_review` and is uploaded by the first round
 * after a person accepts it (the job's needs_review back to 0), or after the
 * setting is turned off. Bazarr would otherwise record a bad subtitle as
 * found and never search for that language again.
 */
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { CoreContext } from '../core/context.js';
import type { BackgroundComponent } from '../core/background.js';
import { AppError, badRequest, conflict } from '../errors.js';
import { findVariant, languageName, normalizeLanguage } from '../languages.js';
import { checkMediaPath } from '../security/media-roots.js';
import { applyPathMappings, mappingsFromSettings } from '../security/path-mapping.js';
import type { SettingKey } from '../settings/definitions/index.js';
import { BazarrClient, type BazarrLanguage, type BazarrMedia } from './bazarr-client.js';
import * as repo from './bazarr-sync.repository.js';
import { HELD, heldReason, uploadRound } from './bazarr-sync.upload.js';
import { getMark, setMark } from './integrations.repository.js';

const LAST_KEY = 'integrations.bazarr_sync.last';
const LAST_START_KEY = 'integrations.bazarr_sync.last_start_ms';
const TICK_MS = 15_000;
const SKIPPED_KEPT = 100;
const BAZARR_SYNC_SOURCE = 'bazarr sync';
/** A job that failed with one of these found no media file (transcription/audio.ts, workers/handlers/transcription.handler.ts). */
const MISSING_FILE_CODES = new Set(['media_not_found', 'file_not_found']);

const isFile = async (path: string) => (await stat(path).catch(() => null))?.isFile() === true;

interface SyncSkip {
  title: string;
  language: string;
  reason: string;
}

export interface SyncResult {
  trigger: 'manual' | 'scheduled';
  started_at: string;
  finished_at: string;
  /** wanted subtitles read from Bazarr (after the tag filter) */
  wanted: number;
  /** jobs queued by this sync */
  queued: number;
  /** finished subtitles handed to Bazarr during this sync */
  uploaded: number;
  /** finished subtitles not handed over because they need review (quality_block_bazarr_sync), as the sync ended */
  held_for_review: number;
  skipped_count: number;
  /** the first ones, each with its reason */
  skipped: SyncSkip[];
  error: string | null;
}

interface SyncStatus {
  configured: boolean;
  interval_minutes: number;
  running: boolean;
  last_sync: SyncResult | null;
  /** wanted subtitles by state: queued (job not finished), uploaded, upload_failed, job_failed, held_for_review */
  items: Record<string, number>;
}

interface Wanted {
  kind: 'episode' | 'movie';
  id: number;
  seriesId: number | null;
  title: string;
  languages: BazarrLanguage[];
  tags: string[];
}

const label = (l: BazarrLanguage) => `${l.name ?? l.code2 ?? '?'}${l.forced ? ' (forced)' : ''}${l.hi ? ' (HI)' : ''}`;

export class BazarrSyncService {
  private running = false;

  constructor(private readonly ctx: CoreContext) {}

  private get db() {
    return this.ctx.database.db;
  }

  private client(): BazarrClient | null {
    const s = this.ctx.settings;
    const url = s.getString('bazarr_url').trim();
    const apiKey = s.getString('bazarr_sync_api_key').trim();
    if (!url || !apiKey) return null;
    return new BazarrClient({ url, apiKey, timeoutMs: s.getNumber('integration_request_timeout_seconds') * 1000 });
  }

  isRunning(): boolean {
    return this.running;
  }

  async status(): Promise<SyncStatus> {
    const raw = await this.db.selectFrom('app_state').select('value').where('key', '=', LAST_KEY).executeTakeFirst();
    let last: SyncResult | null;
    try {
      // A result recorded before held_for_review existed reads as none held.
      const stored = raw ? (JSON.parse(raw.value) as Omit<SyncResult, 'held_for_review'> & { held_for_review?: number }) : null;
      last = stored ? { ...stored, held_for_review: stored.held_for_review ?? 0 } : null;
    } catch {
      // A damaged record of the last sync reads as none.
      last = null;
    }
    return {
      configured: this.client() !== null,
      interval_minutes: this.ctx.settings.getNumber('bazarr_sync_interval_minutes'),
      running: this.running,
      last_sync: last,
      items: await repo.countByStatus(this.db),
    };
  }

  /** Reads Bazarr's Wanted list and queues what this server can make; uploads what finished first. */
  async sync(trigger: SyncResult['trigger'] = 'manual'): Promise<SyncResult> {
    const client = this.client();
    if (!client) throw badRequest('Bazarr sync is not set up: set bazarr_url (e.g. http://bazarr:6767) and bazarr_sync_api_key (Bazarr: Settings > General > Security)', 'bazarr_unconfigured');
    if (this.running) throw conflict('A Bazarr sync is already running; wait for it to finish', 'bazarr_sync_running');
    this.running = true;
    const started = new Date();
    const result: SyncResult = { trigger, started_at: started.toISOString(), finished_at: '', wanted: 0, queued: 0, uploaded: 0, held_for_review: 0, skipped_count: 0, skipped: [], error: null };
    try {
      await setMark(this.db, LAST_START_KEY, started.getTime());
      result.uploaded = (await this.uploadRound(client)).uploaded;
      await this.fill(client, result);
      // Subtitles that were already made (a library job) are handed over now rather than on the next round.
      const last = await this.uploadRound(client);
      result.uploaded += last.uploaded;
      result.held_for_review = last.held;
    } catch (e) {
      result.error = e instanceof Error ? e.message : String(e);
      this.ctx.log.warn({ err: result.error }, 'Bazarr sync failed');
      throw e;
    } finally {
      result.finished_at = new Date().toISOString();
      this.running = false;
      await this.saveResult(result).catch((e) => this.ctx.log.warn({ err: e }, 'could not record the Bazarr sync result'));
    }
    this.ctx.log.info({ trigger, wanted: result.wanted, queued: result.queued, uploaded: result.uploaded, held_for_review: result.held_for_review, skipped: result.skipped_count }, 'Bazarr sync done');
    return result;
  }

  private async saveResult(r: SyncResult): Promise<void> {
    const value = JSON.stringify(r);
    const updated = await this.db.updateTable('app_state').set({ value }).where('key', '=', LAST_KEY).executeTakeFirst();
    if (Number(updated.numUpdatedRows) === 0) await this.db.insertInto('app_state').values({ key: LAST_KEY, value }).execute();
  }

  private skip(r: SyncResult, title: string, language: string, reason: string): void {
    r.skipped_count++;
    if (r.skipped.length < SKIPPED_KEPT) r.skipped.push({ title, language, reason });
  }

  private async fill(client: BazarrClient, r: SyncResult): Promise<void> {
    const s = this.ctx.settings;
    const tags = s.getList('bazarr_sync_tags').map((t) => t.trim().toLowerCase()).filter(Boolean);
    const onlyLanguages = s.getList('bazarr_sync_languages').map((l) => normalizeLanguage(l.trim())).filter((l): l is string => !!l);
    const [episodes, movies] = await Promise.all([client.wantedEpisodes(), client.wantedMovies()]);
    const wanted: Wanted[] = [
      ...episodes.map((e): Wanted => ({
        kind: 'episode', id: e.sonarrEpisodeId, seriesId: e.sonarrSeriesId, languages: e.missing_subtitles ?? [], tags: e.tags ?? [],
        title: `${e.seriesTitle ?? 'Series'} ${e.episode_number ?? ''}${e.episodeTitle ? ` - ${e.episodeTitle}` : ''}`.trim(),
      })),
      ...movies.map((m): Wanted => ({ kind: 'movie', id: m.radarrId, seriesId: null, languages: m.missing_subtitles ?? [], tags: m.tags ?? [], title: m.title ?? `Movie ${m.radarrId}` })),
    ].filter((w) => !tags.length || w.tags.some((t) => tags.includes(String(t).toLowerCase())));
    r.wanted = wanted.reduce((n, w) => n + w.languages.length, 0);
    if (!wanted.length) return;
    const [epMedia, mvMedia] = await Promise.all([
      client.episodes(wanted.filter((w) => w.kind === 'episode').map((w) => w.id)),
      client.movies(wanted.filter((w) => w.kind === 'movie').map((w) => w.id)),
    ]);
    const media = new Map<string, BazarrMedia>();
    for (const m of epMedia) if (m.sonarrEpisodeId !== undefined) media.set(`episode:${m.sonarrEpisodeId}`, m);
    for (const m of mvMedia) if (m.radarrId !== undefined) media.set(`movie:${m.radarrId}`, m);
    const mappings = mappingsFromSettings((k: SettingKey) => s.get(k));
    const translator = !!s.getString('translation_provider').trim();

    for (const w of wanted) {
      const m = media.get(`${w.kind}:${w.id}`);
      let path: string | null = null;
      let pathProblem: string | null = null;
      if (!m?.path) pathProblem = `Bazarr has no file for this ${w.kind}`;
      else {
        const mapped = applyPathMappings(m.path, mappings);
        const c = await checkMediaPath(s, mapped);
        if (c.ok) path = c.path;
        else pathProblem = `${c.reason}: ${c.path}${mapped !== m.path ? ` (Bazarr names it ${m.path})` : ''}; check library_paths and path_mappings`;
      }
      const audio = (m?.audio_language ?? []).map((a) => normalizeLanguage(a.code3 ?? a.code2 ?? a.name ?? '')).find((l): l is string => !!l) ?? null;
      for (const lang of w.languages) {
        const code2 = String(lang.code2 ?? '').trim();
        const name = label(lang);
        const key = { media_kind: w.kind, bazarr_id: w.id, language: code2, forced: lang.forced ? 1 : 0, hi: lang.hi ? 1 : 0 };
        if (lang.forced || lang.hi) {
          this.skip(r, w.title, name, 'forced and hearing-impaired subtitles are not made here (Whisper writes full dialogue subtitles)');
          continue;
        }
        const target = normalizeLanguage(lang.code3 ?? code2);
        if (!target || !code2) {
          this.skip(r, w.title, name, `unknown language code "${lang.code3 ?? code2}"`);
          continue;
        }
        if (onlyLanguages.length && !onlyLanguages.includes(target)) {
          this.skip(r, w.title, name, 'not one of bazarr_sync_languages');
          continue;
        }
        const prior = await repo.findItem(this.db, key);
        if (prior && prior.status !== 'job_failed') {
          const why = prior.status === 'uploaded' ? 'already made and uploaded to Bazarr; Bazarr has not indexed it yet'
            : prior.status === HELD ? `job ${prior.job_id} made it; ${prior.error ?? heldReason(null)}`
            : prior.status === 'upload_failed' ? `job ${prior.job_id} made it, and the upload failed: ${prior.error ?? 'no reason given'}`
            : `job ${prior.job_id} is making it`;
          this.skip(r, w.title, name, why);
          continue;
        }
        if (!path) {
          this.skip(r, w.title, name, pathProblem!);
          continue;
        }
        // An unmounted disk or share, or a file renamed since Bazarr's last scan: nothing is queued, and the next sync looks again.
        if (!(await isFile(path))) {
          this.skip(r, w.title, name, `not on disk: ${path}${m?.path && m.path !== path ? ` (Bazarr names it ${m.path})` : ''}; tried again on the next sync (an unmounted disk or share, or a file renamed since Bazarr's last scan?)`);
          continue;
        }
        if (prior?.status === 'job_failed' && prior.file_path === path && !(await this.failedForMissingFile(prior.job_id))) {
          this.skip(r, w.title, name, `job ${prior.job_id} failed: ${prior.error ?? 'unknown error'}; retry it on the Jobs page`);
          continue;
        }
        const mode = target === audio ? 'transcribe' : target === 'eng' ? 'translate' : translator ? 'transcribe' : null;
        if (!mode) {
          const heard = audio ? `${languageName(audio) ?? audio} audio` : 'audio of unknown language';
          const wantedName = findVariant(code2)?.name ?? languageName(target) ?? target;
          this.skip(r, w.title, name, `${heard}: ${wantedName} subtitles need a translation provider (setting translation_provider)`);
          continue;
        }
        // Made already (a library job for this file and language): hand that subtitle over instead of making it again.
        // A regional variant (pt-BR) takes it only when it is the audio's own words, not a translation into the plain language.
        const variant = findVariant(code2) ?? findVariant(lang.code3);
        const made = !variant || (mode === 'transcribe' && target === audio) ? await repo.completedJobFor(this.db, path, target) : undefined;
        if (made && existsSync(made.output_path)) {
          await repo.upsertItem(this.db, { ...key, series_id: w.seriesId, file_path: path, job_id: made.id, status: 'queued', error: null, created_ms: Date.now(), updated_ms: Date.now() });
          continue;
        }
        try {
          const job = await this.ctx.jobs.create({
            file_path: path,
            target_lang: target,
            source_lang: audio,
            transcribe_or_translate: mode,
            is_manual_request: false,
            options: {
              source: BAZARR_SYNC_SOURCE,
              reason: `Bazarr wants ${name} subtitles for ${w.title}`,
              ...(audio ? { audio_language: audio } : {}),
              // The regional variant Bazarr wants (pt-BR): Whisper hears the base language, a translation targets the variant.
              ...(variant ? { target_variant: variant.tag } : {}),
              bazarr: { kind: w.kind, id: w.id, series_id: w.seriesId, language: code2 },
            },
          });
          await repo.upsertItem(this.db, { ...key, series_id: w.seriesId, file_path: path, job_id: job.id, status: 'queued', error: null, created_ms: Date.now(), updated_ms: Date.now() });
          r.queued++;
          this.ctx.log.info({ job_id: job.id, file: path, language: target, bazarr: `${w.kind} ${w.id}` }, 'Bazarr sync: job queued');
        } catch (e) {
          if (e instanceof AppError && e.status === 409) this.skip(r, w.title, name, 'another job for this file is queued or running; the next sync queues this one');
          else if (e instanceof AppError && e.status < 500) this.skip(r, w.title, name, e.message);
          else throw e;
        }
      }
    }
  }

  /** True when the job failed because its media file was not there (an unmounted share): it must not block the file once it is back. */
  private async failedForMissingFile(jobId: string | null): Promise<boolean> {
    const job = jobId ? await this.ctx.jobs.getRow(jobId) : undefined;
    return !!job && job.status === 'failed' && MISSING_FILE_CODES.has(String(job.error_code ?? ''));
  }

  /** Hands every subtitle whose job finished to Bazarr, but those held for review; returns how many were uploaded. */
  async uploadFinished(client: BazarrClient | null = this.client()): Promise<number> {
    return client ? (await this.uploadRound(client)).uploaded : 0;
  }

  private uploadRound(client: BazarrClient): Promise<{ uploaded: number; held: number }> {
    return uploadRound(this.ctx, client);
  }

  /** Due when an interval is set and that long has passed since the last sync started. */
  async due(now = Date.now()): Promise<boolean> {
    const minutes = this.ctx.settings.getNumber('bazarr_sync_interval_minutes');
    if (!minutes || minutes <= 0 || !this.client() || this.running) return false;
    const last = await getMark(this.db, LAST_START_KEY);
    return last === null || now - last >= minutes * 60_000;
  }
}

/**
 * The sync as a background component: every 15 s, finished subtitles are
 * handed to Bazarr, and a sync runs when bazarr_sync_interval_minutes says
 * it is due (read at each tick: a change takes effect without a restart).
 */
export function bazarrSyncComponent(sync: BazarrSyncService, ctx: Pick<CoreContext, 'log'>): BackgroundComponent {
  let timer: NodeJS.Timeout | null = null;
  let busy = false;
  const tick = async () => {
    if (busy) return;
    busy = true;
    try {
      if (await sync.due()) await sync.sync('scheduled');
      else if (!sync.isRunning()) await sync.uploadFinished();
    } catch (e) {
      ctx.log.warn({ err: e instanceof Error ? e.message : e }, 'scheduled Bazarr sync failed');
    } finally {
      busy = false;
    }
  };
  return {
    name: 'bazarr-sync',
    async start() {
      timer = setInterval(() => void tick(), TICK_MS);
      timer.unref();
    },
    async stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
