/**
 * What each sender's webhook says, reduced to "these media files are new"
 * (or "this is a test", or "nothing for us"). Each parser checks the sender's
 * format and throws a 400 for anything else, so junk never queues a job.
 */
import { badRequest } from '../errors.js';
import { normalizeLanguage } from '../languages.js';

export type WebhookSource = 'plex' | 'jellyfin' | 'emby' | 'tautulli' | 'sonarr' | 'radarr';

export type WebhookIntent =
  | { kind: 'test' }
  | { kind: 'ignore'; reason: string }
  | {
      kind: 'files';
      paths: string[];
      /** someone started watching it (a play event), rather than a new file */
      play?: boolean;
      /** the file replaces an earlier copy (Sonarr/Radarr isUpgrade) */
      upgrade?: boolean;
      /** the series' or movie's original language (Sonarr/Radarr), ISO 639-2 */
      originalLanguage?: string | null;
    }
  /** media servers that name an item, not a file: its path is asked from the server */
  | { kind: 'item'; itemId: string; play?: boolean };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

function object(body: unknown, source: string): Obj {
  if (!isObj(body)) throw badRequest(`Not a ${source} webhook: the body must be a JSON object`, 'bad_webhook');
  return body;
}

/** Folder + relative path with the folder's separator style (Sonarr on Windows sends backslashes). */
function joinMediaPath(folder: string, relative: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${sep}${relative.replace(/^[\\/]+/, '').replace(/[\\/]/g, sep)}`;
}

/** Sonarr/Radarr's Language object ({id, name}); "Unknown", "Original" and the like are no language. */
function languageOf(v: unknown): string | null {
  const name = isObj(v) ? str(v.name) : str(v);
  return name ? normalizeLanguage(name) : null;
}

function arr(body: Obj, source: string): WebhookIntent | null {
  const eventType = str(body.eventType);
  if (!eventType) throw badRequest(`Not a ${source} webhook: eventType is missing`, 'bad_webhook');
  if (eventType === 'Test') return { kind: 'test' };
  if (eventType !== 'Download') return { kind: 'ignore', reason: `${source} event ${eventType} does not add a file` };
  return null;
}

export function parseSonarr(raw: unknown): WebhookIntent {
  const body = object(raw, 'Sonarr');
  const early = arr(body, 'Sonarr');
  if (early) return early;
  const series = isObj(body.series) ? body.series : null;
  const folder = str(series?.path);
  const files = [body.episodeFile, ...(Array.isArray(body.episodeFiles) ? body.episodeFiles : [])].filter(isObj);
  if (!folder || !files.length) throw badRequest('Sonarr Download event without series.path and episodeFile.relativePath', 'bad_webhook');
  const paths = new Set<string>();
  for (const f of files) {
    const rel = str(f.relativePath);
    const abs = str(f.path);
    if (rel) paths.add(joinMediaPath(folder, rel));
    else if (abs) paths.add(abs);
  }
  if (!paths.size) throw badRequest('Sonarr Download event: episodeFile has no relativePath', 'bad_webhook');
  return { kind: 'files', paths: [...paths], upgrade: body.isUpgrade === true, originalLanguage: languageOf(series?.originalLanguage) };
}

export function parseRadarr(raw: unknown): WebhookIntent {
  const body = object(raw, 'Radarr');
  const early = arr(body, 'Radarr');
  if (early) return early;
  const movie = isObj(body.movie) ? body.movie : null;
  const file = isObj(body.movieFile) ? body.movieFile : null;
  const folder = str(movie?.folderPath) ?? str(movie?.path);
  const rel = str(file?.relativePath);
  const details = { upgrade: body.isUpgrade === true, originalLanguage: languageOf(movie?.originalLanguage) };
  if (folder && rel) return { kind: 'files', paths: [joinMediaPath(folder, rel)], ...details };
  const abs = str(file?.path);
  if (abs) return { kind: 'files', paths: [abs], ...details };
  throw badRequest('Radarr Download event without movie.folderPath and movieFile.relativePath', 'bad_webhook');
}

/** Plex's playback start: `media.play` for the account's own players, `playback.started` for the server owner's shared users. */
const PLEX_PLAY = new Set(['media.play', 'playback.started']);

/** Plex: multipart with a JSON `payload` field; library.new and play events name an item (ratingKey), not a file. */
export function parsePlex(payload: unknown): WebhookIntent {
  let body: unknown = payload;
  if (typeof payload === 'string') {
    try {
      body = JSON.parse(payload);
    } catch {
      throw badRequest('Not a Plex webhook: the payload field is not JSON', 'bad_webhook');
    }
  }
  const b = object(body, 'Plex');
  const event = str(b.event);
  if (!event) throw badRequest('Not a Plex webhook: event is missing', 'bad_webhook');
  const play = PLEX_PLAY.has(event);
  if (event !== 'library.new' && !play) return { kind: 'ignore', reason: `Plex event ${event} neither adds nor plays a file` };
  const meta = isObj(b.Metadata) ? b.Metadata : null;
  const key = str(meta?.ratingKey) ?? (typeof meta?.ratingKey === 'number' ? String(meta.ratingKey) : null);
  if (!key) throw badRequest(`Plex ${event} event without Metadata.ratingKey`, 'bad_webhook');
  return play ? { kind: 'item', itemId: key, play } : { kind: 'item', itemId: key };
}

/**
 * Jellyfin's webhook plugin: NotificationType ItemAdded or PlaybackStart with
 * ItemId (and the path when the template adds it). The same fields arrive as
 * JSON (Generic destination) or form-encoded strings (Generic Form).
 */
export function parseJellyfin(raw: unknown): WebhookIntent {
  const b = object(raw, 'Jellyfin');
  const type = str(b.NotificationType) ?? str(b.Event);
  if (!type) throw badRequest('Not a Jellyfin webhook: NotificationType is missing', 'bad_webhook');
  if (/^test$/i.test(type) || type === 'Generic') return { kind: 'test' };
  const play = type === 'PlaybackStart';
  if (type !== 'ItemAdded' && !play) return { kind: 'ignore', reason: `Jellyfin event ${type} neither adds nor plays a file` };
  const path = str(b.ItemPath) ?? str(b.Path);
  if (path) return play ? { kind: 'files', paths: [path], play } : { kind: 'files', paths: [path] };
  const id = str(b.ItemId);
  if (!id) throw badRequest(`Jellyfin ${type} event without ItemId or ItemPath`, 'bad_webhook');
  return play ? { kind: 'item', itemId: id, play } : { kind: 'item', itemId: id };
}

/** Emby: {Event: 'library.new', Item: {Path, Id}} (JSON, or multipart with a `data` field). */
export function parseEmby(raw: unknown): WebhookIntent {
  let body = raw;
  if (typeof raw === 'string') {
    try {
      body = JSON.parse(raw);
    } catch {
      throw badRequest('Not an Emby webhook: the data field is not JSON', 'bad_webhook');
    }
  }
  const b = object(body, 'Emby');
  const event = str(b.Event);
  if (!event) throw badRequest('Not an Emby webhook: Event is missing', 'bad_webhook');
  if (event === 'system.webhooktest' || event === 'system.notificationtest') return { kind: 'test' };
  const play = event === 'playback.start';
  if (event !== 'library.new' && !play) return { kind: 'ignore', reason: `Emby event ${event} neither adds nor plays a file` };
  const item = isObj(b.Item) ? b.Item : null;
  const path = str(item?.Path);
  if (path) return play ? { kind: 'files', paths: [path], play } : { kind: 'files', paths: [path] };
  const id = str(item?.Id);
  if (!id) throw badRequest(`Emby ${event} event without Item.Path or Item.Id`, 'bad_webhook');
  return play ? { kind: 'item', itemId: id, play } : { kind: 'item', itemId: id };
}

/**
 * Tautulli: the user's JSON template; it must carry the file path (Tautulli's
 * {file} parameter). Its {action} is `play` on Playback Start (some templates
 * send `media.{action}`, as Plex names it: `media.play`).
 */
export function parseTautulli(raw: unknown): WebhookIntent {
  const b = object(raw, 'Tautulli');
  const action = str(b.action) ?? str(b.event);
  if (action && /^test$/i.test(action)) return { kind: 'test' };
  const play = !!action && /^(media\.)?(play|playback_start|playback\.start)$/i.test(action);
  if (action && !play && !/added|new|created/i.test(action)) return { kind: 'ignore', reason: `Tautulli action ${action} neither adds nor plays a file` };
  const path = str(b.file) ?? str(b.file_path) ?? str(b.path);
  if (!path) throw badRequest('Tautulli webhook without a file path: add "file": "{file}" to the JSON data of the notification agent', 'bad_webhook');
  return play ? { kind: 'files', paths: [path], play } : { kind: 'files', paths: [path] };
}
