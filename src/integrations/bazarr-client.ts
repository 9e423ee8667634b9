/**
 * Bazarr's API as the Wanted sync uses it (Bazarr's bazarr/api/ modules):
 *
 *   GET  /api/episodes/wanted?start=&length=   {data: [{sonarrSeriesId, sonarrEpisodeId, seriesTitle, episode_number,
 *                                                episodeTitle, missing_subtitles: [{name, code2, code3, forced, hi}], tags}], total}
 *   GET  /api/movies/wanted?start=&length=     {data: [{radarrId, title, missing_subtitles, tags}], total}
 *   GET  /api/episodes?episodeid[]=            {data: [{sonarrEpisodeId, sonarrSeriesId, path, audio_language: [{name, code2, code3}], ...}]}
 *   GET  /api/movies?radarrid[]=               {data: [{radarrId, path, audio_language, ...}], total}
 *   POST /api/episodes/subtitles               multipart: seriesid, episodeid, language (code2), forced, hi ('true'/'false'), file → 204
 *   POST /api/movies/subtitles                 multipart: radarrid, language, forced, hi, file → 204
 *   GET  /api/system/settings                  every section of Bazarr's config (bazarr/app/config.py get_settings):
 *                                              general.{enabled_providers, minimum_score, minimum_score_movie},
 *                                              whisperai.{endpoint, response, timeout, pass_video_name, loglevel},
 *                                              series_scores, movie_scores
 *   POST /api/system/settings                  form fields settings-<section>-<key> (a list: the field repeated;
 *                                              save_settings casts numbers and 'true'/'false') → 204, 406 with
 *                                              the validator's message when a value is refused
 *
 * Every call carries Bazarr's API key as X-API-KEY (its `authenticate`
 * decorator also reads ?apikey=); a wrong key is a 401.
 */
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { AppError } from '../errors.js';

export interface BazarrLanguage {
  name?: string;
  code2?: string;
  code3?: string;
  forced?: boolean;
  hi?: boolean;
}

interface WantedEpisode {
  sonarrSeriesId: number;
  sonarrEpisodeId: number;
  seriesTitle?: string;
  episode_number?: string;
  episodeTitle?: string;
  missing_subtitles: BazarrLanguage[];
  tags?: string[];
}

interface WantedMovie {
  radarrId: number;
  title?: string;
  missing_subtitles: BazarrLanguage[];
  tags?: string[];
}

export interface BazarrMedia {
  path: string;
  audio_language?: BazarrLanguage[];
  /** the languages Bazarr still wants for it (an upload it stored leaves this list) */
  missing_subtitles?: BazarrLanguage[];
  /** the subtitles Bazarr knows of, each with its path as Bazarr sees it (null: embedded) */
  subtitles?: Array<BazarrLanguage & { path?: string | null }>;
  sonarrEpisodeId?: number;
  sonarrSeriesId?: number;
  radarrId?: number;
}

type UploadTarget = { kind: 'episode'; seriesId: number; episodeId: number } | { kind: 'movie'; radarrId: number };

interface BazarrServer {
  url: string;
  apiKey: string;
  timeoutMs: number;
}

/** The parts of Bazarr's settings this server reads and writes (bazarr/app/config.py). */
export interface BazarrSettings {
  general?: { enabled_providers?: string[]; minimum_score?: number; minimum_score_movie?: number; [key: string]: unknown };
  whisperai?: { endpoint?: string; response?: number; timeout?: number; pass_video_name?: boolean; loglevel?: string; [key: string]: unknown };
  series_scores?: Record<string, number>;
  movie_scores?: Record<string, number>;
  [section: string]: unknown;
}

const PAGE = 200;

export class BazarrClient {
  constructor(private readonly s: BazarrServer) {}

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.s.url.replace(/\/+$/, '')}${path}`;
    let res: Response;
    try {
      res = await fetch(url, { ...init, headers: { 'X-API-KEY': this.s.apiKey, accept: 'application/json', ...init.headers }, signal: AbortSignal.timeout(this.s.timeoutMs) });
    } catch (e) {
      throw new AppError(502, 'bazarr_unreachable', `Bazarr at ${this.s.url} did not answer (${(e as Error).message}): check bazarr_url and that Bazarr is running`);
    }
    if (res.status === 401) throw new AppError(502, 'bazarr_unreachable', `Bazarr at ${this.s.url} refused the API key: copy it from Bazarr (Settings > General > Security) into bazarr_sync_api_key`);
    if (!res.ok) throw new AppError(502, 'bazarr_unreachable', `Bazarr answered ${path.split('?')[0]} with HTTP ${res.status}: ${(await res.text().catch(() => '')).slice(0, 200)}`);
    return res;
  }

  private async json<T>(path: string): Promise<T> {
    const res = await this.call(path);
    try {
      return (await res.json()) as T;
    } catch {
      throw new AppError(502, 'bazarr_unreachable', `Bazarr's answer to ${path.split('?')[0]} is not JSON: is bazarr_url Bazarr's address?`);
    }
  }

  /** Every page of a wanted list (Bazarr pages by start/length, newest first). */
  private async allWanted<T>(path: string): Promise<T[]> {
    const out: T[] = [];
    for (let start = 0; ; start += PAGE) {
      const page = await this.json<{ data?: T[]; total?: number }>(`${path}?start=${start}&length=${PAGE}`);
      const data = page.data ?? [];
      out.push(...data);
      if (data.length < PAGE || (typeof page.total === 'number' && out.length >= page.total)) return out;
    }
  }

  wantedEpisodes(): Promise<WantedEpisode[]> {
    return this.allWanted<WantedEpisode>('/api/episodes/wanted');
  }

  wantedMovies(): Promise<WantedMovie[]> {
    return this.allWanted<WantedMovie>('/api/movies/wanted');
  }

  async episodes(ids: number[]): Promise<BazarrMedia[]> {
    return this.byIds('/api/episodes', 'episodeid[]', ids);
  }

  async movies(ids: number[]): Promise<BazarrMedia[]> {
    return this.byIds('/api/movies', 'radarrid[]', ids);
  }

  private async byIds(path: string, param: string, ids: number[]): Promise<BazarrMedia[]> {
    const out: BazarrMedia[] = [];
    for (let i = 0; i < ids.length; i += 100) {
      const q = new URLSearchParams();
      for (const id of ids.slice(i, i + 100)) q.append(param, String(id));
      const page = await this.json<{ data?: BazarrMedia[] }>(`${path}?${q.toString()}`);
      out.push(...(page.data ?? []));
    }
    return out;
  }

  /** Bazarr's settings, every section (its Settings pages read the same). */
  async settings(): Promise<BazarrSettings> {
    const body = await this.json<BazarrSettings>('/api/system/settings');
    if (!body || typeof body !== 'object' || !body.general) throw new AppError(502, 'bazarr_unreachable', `Bazarr at ${this.s.url} answered its settings without a general section: is bazarr_url Bazarr's address?`);
    return body;
  }

  /**
   * Writes settings the way Bazarr's own Settings pages do: form fields
   * `settings-<section>-<key>`, a list as the field repeated. Only the fields
   * sent change.
   */
  async saveSettings(fields: Array<[string, string]>): Promise<void> {
    const body = new URLSearchParams();
    for (const [k, v] of fields) body.append(k, v);
    const url = `${this.s.url.replace(/\/+$/, '')}/api/system/settings`;
    let res: Response;
    try {
      res = await fetch(url, { method: 'POST', body, headers: { 'X-API-KEY': this.s.apiKey }, signal: AbortSignal.timeout(this.s.timeoutMs) });
    } catch (e) {
      throw new AppError(502, 'bazarr_unreachable', `Bazarr at ${this.s.url} did not answer (${(e as Error).message}): check bazarr_url and that Bazarr is running`);
    }
    if (res.status === 406) throw new AppError(502, 'bazarr_settings_refused', `Bazarr refused the settings: ${(await res.text().catch(() => '')).slice(0, 300) || 'no reason given'}. Nothing else was changed; set them by hand in Bazarr (Settings > Providers > Whisper)`);
    if (res.status === 401) throw new AppError(502, 'bazarr_unreachable', `Bazarr at ${this.s.url} refused the API key: copy it from Bazarr (Settings > General > Security) into bazarr_sync_api_key`);
    if (!res.ok) throw new AppError(502, 'bazarr_unreachable', `Bazarr answered /api/system/settings with HTTP ${res.status}: ${(await res.text().catch(() => '')).slice(0, 200)}`);
  }

  /** One episode or movie as Bazarr knows it now (its missing and present subtitles); null when Bazarr has no such item. */
  async item(target: UploadTarget): Promise<BazarrMedia | null> {
    const rows = target.kind === 'episode' ? await this.episodes([target.episodeId]) : await this.movies([target.radarrId]);
    return rows.find((m) => (target.kind === 'episode' ? m.sonarrEpisodeId === target.episodeId : m.radarrId === target.radarrId)) ?? null;
  }

  /** Hands a subtitle file to Bazarr, which stores it beside the media and records it in its history. */
  async upload(target: UploadTarget, language: string, subtitlePath: string, flags: { forced: boolean; hi: boolean }): Promise<void> {
    const form = new FormData();
    if (target.kind === 'episode') {
      form.set('seriesid', String(target.seriesId));
      form.set('episodeid', String(target.episodeId));
    } else {
      form.set('radarrid', String(target.radarrId));
    }
    form.set('language', language);
    form.set('forced', flags.forced ? 'true' : 'false');
    form.set('hi', flags.hi ? 'true' : 'false');
    form.set('file', new Blob([await readFile(subtitlePath)], { type: 'application/octet-stream' }), basename(subtitlePath));
    await this.call(target.kind === 'episode' ? '/api/episodes/subtitles' : '/api/movies/subtitles', { method: 'POST', body: form });
  }
}
