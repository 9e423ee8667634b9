/**
 * A fake Bazarr for the Wanted sync tests, built from Bazarr's own API code
 * (github.com/morpheus65535/bazarr, master 920853dae):
 *
 *   bazarr/api/utils.py            authenticate: the key from ?apikey=, the form's apikey or the X-API-KEY header, else 401;
 *                                  postprocess: missing_subtitles "fr", "en:forced", "de:hi" → {name, code2, code3, forced, hi},
 *                                  audio_language → [{name, code2, code3}], tags parsed into a list
 *   bazarr/api/swaggerui.py        subtitles_language_model {name, code2, code3, forced, hi}, audio_language_model {name, code2, code3}
 *   bazarr/api/episodes/wanted.py  GET episodes/wanted: start, length (default -1: all), episodeid[]; fields seriesTitle,
 *                                  episode_number ("1x3"), episodeTitle, missing_subtitles, sonarrSeriesId, sonarrEpisodeId,
 *                                  sceneName, tags, seriesType; ordered by sonarrEpisodeId desc when paged; {data, total}
 *   bazarr/api/movies/wanted.py    GET movies/wanted: start, length, radarrid[]; fields title, missing_subtitles, radarrId,
 *                                  sceneName, tags; {data, total}
 *   bazarr/api/episodes/episodes.py GET episodes: seriesid[] or episodeid[] (neither: 404 "Series or Episode ID not provided");
 *                                  audio_language, episode, missing_subtitles, monitored, path, season, sonarrEpisodeId,
 *                                  sonarrSeriesId, subtitles, title, sceneName; envelope {data}
 *   bazarr/api/movies/movies.py    GET movies: start, length, radarrid[]; {data, total}
 *   bazarr/api/episodes/episodes_subtitles.py POST episodes/subtitles: seriesid, episodeid, language (code2), forced, hi
 *                                  ('true'/'false' strings), file (upload); 404 episode not found; a file whose extension is
 *                                  not a subtitle's raises (500); stores it (store_subtitles re-indexes: the language is no
 *                                  longer missing); 204
 *   bazarr/api/movies/movies_subtitles.py POST movies/subtitles: radarrid, language, forced, hi, file; the same
 *   bazarr/subtitles/upload.py     manual_upload_subtitle: a file it cannot save is logged and returns nothing, and the
 *                                  route still answers 204 (storeFails); a saved one is written beside the video as
 *                                  <video>.<language>.srt, the language as subzero writes it (pt-BR, zh-TW, es-MX for
 *                                  Bazarr's own pb, zt, ea), then indexed: it joins the item's `subtitles` with its path
 *   episodes_subtitles.py          a video Bazarr cannot find on its disk: 500 "Episode file not found. Path mapping issue?"
 *   bazarr/languages/custom_lang.py  pb/pob Portuguese (Brazil), zt/zht Chinese Traditional, ea/spl Spanish (Latino);
 *                                  get_languages.py names zho "Chinese Simplified"
 *
 *   bazarr/api/system/settings.py  GET and POST system/settings (fake-bazarr-settings.ts)
 *
 * All routes live under /api (Bazarr's API blueprint).
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname } from 'node:path';
import { fakeServer, type FakeServer, type Recorded } from './fake-server.js';
import { bazarrSettingsApi, defaultBazarrConfig, type FakeBazarrConfig } from './fake-bazarr-settings.js';

const LANGS: Record<string, { name: string; code3: string; file?: string }> = {
  en: { name: 'English', code3: 'eng' }, fr: { name: 'French', code3: 'fra' }, de: { name: 'German', code3: 'deu' },
  es: { name: 'Spanish', code3: 'spa' }, ja: { name: 'Japanese', code3: 'jpn' }, it: { name: 'Italian', code3: 'ita' },
  pt: { name: 'Portuguese', code3: 'por' }, zh: { name: 'Chinese Simplified', code3: 'zho' },
  pb: { name: 'Portuguese (Brazil)', code3: 'pob', file: 'pt-BR' }, zt: { name: 'Chinese Traditional', code3: 'zht', file: 'zh-TW' },
  ea: { name: 'Spanish (Latino)', code3: 'spl', file: 'es-MX' },
};
// subliminal_patch.core SUBTITLE_EXTENSIONS
const SUBTITLE_EXTENSIONS = ['.srt', '.sub', '.smi', '.txt', '.ssa', '.ass', '.mpl', '.vtt'];

export interface FakeEpisode {
  sonarrSeriesId: number;
  sonarrEpisodeId: number;
  seriesTitle: string;
  season: number;
  episode: number;
  title: string;
  path: string;
  /** Bazarr's audio_language: language names as Sonarr reports them */
  audio: string[];
  /** Bazarr's missing_subtitles column: "fr", "en:forced", "de:hi" */
  missing: string[];
  tags: string[];
  /** Bazarr's subtitles column: the language ("en", "de:hi") and the path as Bazarr sees it */
  subtitles?: Array<{ language: string; path: string }>;
}

export interface FakeMovie {
  radarrId: number;
  title: string;
  path: string;
  audio: string[];
  missing: string[];
  tags: string[];
  subtitles?: Array<{ language: string; path: string }>;
}

export interface Upload {
  kind: 'episode' | 'movie';
  fields: Record<string, string>;
  filename: string;
  content: string;
}

export interface FakeBazarr extends FakeServer {
  apiKey: string;
  episodes: FakeEpisode[];
  movies: FakeMovie[];
  uploads: Upload[];
  /** Bazarr's settings (GET/POST /api/system/settings change and read it) */
  config: FakeBazarrConfig;
  /**
   * Where Bazarr's paths are on this machine (Bazarr's /tv is lib/tv here). Set, uploads are written to disk
   * as Bazarr names them, and a video missing there fails the upload as Bazarr does.
   */
  disk: Array<{ from: string; to: string }>;
  /** true: uploads are answered 204 and nothing is stored (a folder Bazarr cannot write to) */
  storeFails: boolean;
}

const byName = (name: string) => Object.entries(LANGS).find(([, l]) => l.name === name);

function languageModel(s: string) {
  const [code2, flag] = s.split(':');
  return { name: LANGS[code2]?.name ?? code2, code2, code3: LANGS[code2]?.code3 ?? code2, forced: flag === 'forced', hi: flag === 'hi' };
}

function subtitleModel(subs: Array<{ language: string; path: string }> | undefined) {
  return (subs ?? []).map((x) => ({ ...languageModel(x.language), path: x.path, file_size: 1 }));
}

function audioModel(names: string[]) {
  return names.map((n) => {
    const hit = byName(n);
    return { name: n, code2: hit?.[0] ?? null, code3: hit?.[1].code3 ?? null };
  });
}

/** The parts of a multipart/form-data body: fields, and files with their file names. */
function parseMultipart(body: Buffer, contentType: string): { fields: Record<string, string>; files: Record<string, { filename: string; content: Buffer }> } {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType);
  const fields: Record<string, string> = {};
  const files: Record<string, { filename: string; content: Buffer }> = {};
  if (!boundary) return { fields, files };
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  let pos = body.indexOf(sep);
  while (pos >= 0) {
    const start = pos + sep.length;
    if (body.subarray(start, start + 2).toString() === '--') break;
    const next = body.indexOf(sep, start);
    if (next < 0) break;
    const part = body.subarray(start + 2, next - 2);
    const headEnd = part.indexOf('\r\n\r\n');
    const head = part.subarray(0, headEnd).toString();
    const content = part.subarray(headEnd + 4);
    const name = /name="([^"]*)"/i.exec(head)?.[1] ?? '';
    const filename = /filename="([^"]*)"/i.exec(head)?.[1];
    if (filename !== undefined) files[name] = { filename, content };
    else fields[name] = content.toString();
    pos = next;
  }
  return { fields, files };
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  if (body === undefined) return void res.end();
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

export async function fakeBazarr(apiKey = 'bazarr-key'): Promise<FakeBazarr> {
  const episodes: FakeEpisode[] = [];
  const movies: FakeMovie[] = [];
  const uploads: Upload[] = [];
  const config = defaultBazarrConfig();
  // The returned object, read at each request: a test sets disk and storeFails on it.
  let state: Pick<FakeBazarr, 'disk' | 'storeFails'> = { disk: [], storeFails: false };
  /** A Bazarr path on this machine, or null when no disk is set. */
  const onDisk = (p: string): string | null => {
    const m = state.disk.find((d) => p === d.from || p.startsWith(`${d.from}/`));
    return state.disk.length === 0 ? null : m ? `${m.to}${p.slice(m.from.length)}` : p;
  };
  const handler = (req: Recorded, res: ServerResponse) => {
    const url = new URL(req.url, 'http://bazarr');
    const key = url.searchParams.get('apikey') ?? req.headers['x-api-key'];
    if (key !== apiKey) return send(res, 401, { message: 'Unauthorized' });
    if (bazarrSettingsApi(config, req, res)) return;
    const ints = (name: string) => url.searchParams.getAll(name).map(Number);
    const page = <T>(rows: T[], id: (r: T) => number) => {
      const start = Number(url.searchParams.get('start') ?? 0);
      const length = Number(url.searchParams.get('length') ?? -1);
      return length > 0 ? [...rows].sort((a, b) => id(b) - id(a)).slice(start, start + length) : rows;
    };
    const route = `${req.method} ${url.pathname}`;
    if (route === 'GET /api/episodes/wanted') {
      const ids = ints('episodeid[]');
      const rows = episodes.filter((e) => e.missing.length && (!ids.length || ids.includes(e.sonarrEpisodeId)));
      const data = (ids.length ? rows : page(rows, (e) => e.sonarrEpisodeId)).map((e) => ({
        seriesTitle: e.seriesTitle, episode_number: `${e.season}x${e.episode}`, episodeTitle: e.title, missing_subtitles: e.missing.map(languageModel),
        sonarrSeriesId: e.sonarrSeriesId, sonarrEpisodeId: e.sonarrEpisodeId, sceneName: null, tags: e.tags, seriesType: 'standard',
      }));
      return send(res, 200, { data, total: rows.length });
    }
    if (route === 'GET /api/movies/wanted') {
      const ids = ints('radarrid[]');
      const rows = movies.filter((m) => m.missing.length && (!ids.length || ids.includes(m.radarrId)));
      const data = (ids.length ? rows : page(rows, (m) => m.radarrId)).map((m) => ({ title: m.title, missing_subtitles: m.missing.map(languageModel), radarrId: m.radarrId, sceneName: null, tags: m.tags }));
      return send(res, 200, { data, total: rows.length });
    }
    if (route === 'GET /api/episodes') {
      const eids = ints('episodeid[]');
      const sids = ints('seriesid[]');
      if (!eids.length && !sids.length) return send(res, 404, 'Series or Episode ID not provided');
      const rows = episodes.filter((e) => (eids.length ? eids.includes(e.sonarrEpisodeId) : sids.includes(e.sonarrSeriesId)));
      return send(res, 200, {
        data: rows.map((e) => ({
          audio_language: audioModel(e.audio), episode: e.episode, missing_subtitles: e.missing.map(languageModel), monitored: true, path: e.path, season: e.season,
          sonarrEpisodeId: e.sonarrEpisodeId, sonarrSeriesId: e.sonarrSeriesId, subtitles: subtitleModel(e.subtitles), title: e.title, sceneName: null,
        })),
      });
    }
    if (route === 'GET /api/movies') {
      const ids = ints('radarrid[]');
      const rows = movies.filter((m) => !ids.length || ids.includes(m.radarrId));
      return send(res, 200, {
        data: rows.map((m) => ({
          alternativeTitles: [], audio_language: audioModel(m.audio), fanart: null, imdbId: 'tt0000001', missing_subtitles: m.missing.map(languageModel), monitored: true,
          overview: '', path: m.path, poster: null, profileId: 1, radarrId: m.radarrId, sceneName: null, subtitles: subtitleModel(m.subtitles), tags: m.tags, title: m.title, year: '2001',
        })),
        total: rows.length,
      });
    }
    if (route === 'POST /api/episodes/subtitles' || route === 'POST /api/movies/subtitles') {
      const movie = route.includes('movies');
      const { fields, files } = parseMultipart(req.body, String(req.headers['content-type'] ?? ''));
      const required = movie ? ['radarrid', 'language', 'forced', 'hi'] : ['seriesid', 'episodeid', 'language', 'forced', 'hi'];
      const missingField = required.find((f) => fields[f] === undefined);
      if (missingField || !files.file) return send(res, 400, { message: { [missingField ?? 'file']: 'Missing required parameter in the post body' } });
      const item = movie ? movies.find((m) => m.radarrId === Number(fields.radarrid)) : episodes.find((e) => e.sonarrEpisodeId === Number(fields.episodeid));
      if (!item) return send(res, 404, movie ? 'Movie not found' : 'Episode not found');
      const ext = files.file.filename.slice(files.file.filename.lastIndexOf('.')).toLowerCase();
      if (!SUBTITLE_EXTENSIONS.includes(ext)) return send(res, 500, { message: 'A subtitle of an invalid format was uploaded.' });
      const video = onDisk(item.path);
      if (video !== null && !existsSync(video)) return send(res, 500, movie ? 'Movie file not found. Path mapping issue?' : 'Episode file not found. Path mapping issue?');
      uploads.push({ kind: movie ? 'movie' : 'episode', fields, filename: files.file.filename, content: files.file.content.toString() });
      if (state.storeFails) return send(res, 204);
      const stored = fields.hi === 'true' ? `${fields.language}:hi` : fields.forced === 'true' ? `${fields.language}:forced` : fields.language;
      item.missing = item.missing.filter((m) => m !== stored);
      if (video !== null) {
        // subliminal's get_subtitle_path: the video's name, the language as subzero writes it, the flag, .srt.
        const tag = `${LANGS[fields.language]?.file ?? fields.language}${fields.hi === 'true' ? '.hi' : fields.forced === 'true' ? '.forced' : ''}`;
        const bazarrPath = `${item.path.replace(/\.[^./]+$/, '')}.${tag}.srt`;
        const real = onDisk(bazarrPath)!;
        mkdirSync(dirname(real), { recursive: true });
        writeFileSync(real, files.file.content);
        item.subtitles = [...(item.subtitles ?? []).filter((x) => x.path !== bazarrPath), { language: stored, path: bazarrPath }];
      }
      return send(res, 204);
    }
    return send(res, 404, { message: 'not found' });
  };
  const server = await fakeServer(handler);
  const fake: FakeBazarr = Object.assign(server, { apiKey, episodes, movies, uploads, config, disk: [] as Array<{ from: string; to: string }>, storeFails: false });
  state = fake;
  return fake;
}
