/**
 * What each sender's webhook says, reduced to "these media files are new"
 * (or "this is a test", or "nothing for us"). Each parser checks the sender's
 * format and throws a 400 for anything else, so junk never queues a job.
 */
import { badRequest } from '../errors.js';

export type WebhookSource = 'plex' | 'jellyfin' | 'emby' | 'tautulli' | 'sonarr' | 'radarr';
export const WEBHOOK_SOURCES: readonly WebhookSource[] = ['plex', 'jellyfin', 'emby', 'tautulli', 'sonarr', 'radarr'];

export type WebhookIntent =
  | { kind: 'test' }
  | { kind: 'ignore'; reason: string }
  | { kind: 'files'; paths: string[] }
  /** media servers that name an item, not a file: its path is asked from the server */
  | { kind: 'item'; itemId: string };

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : null);

function object(body: unknown, source: string): Obj {
  if (!isObj(body)) throw badRequest(`Not a ${source} webhook: the body must be a JSON object`, 'bad_webhook');
  return body;
}

/** Folder + relative path with the folder's separator style (Sonarr on Windows sends backslashes). */
export function joinMediaPath(folder: string, relative: string): string {
  const sep = folder.includes('\\') && !folder.includes('/') ? '\\' : '/';
  return `${folder.replace(/[\\/]+$/, '')}${sep}${relative.replace(/^[\\/]+/, '').replace(/[\\/]/g, sep)}`;
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
  return { kind: 'files', paths: [...paths] };
}

export function parseRadarr(raw: unknown): WebhookIntent {
  const body = object(raw, 'Radarr');
  const early = arr(body, 'Radarr');
  if (early) return early;
  const movie = isObj(body.movie) ? body.movie : null;
  const file = isObj(body.movieFile) ? body.movieFile : null;
  const folder = str(movie?.folderPath) ?? str(movie?.path);
  const rel = str(file?.relativePath);
  if (folder && rel) return { kind: 'files', paths: [joinMediaPath(folder, rel)] };
  const abs = str(file?.path);
  if (abs) return { kind: 'files', paths: [abs] };
  throw badRequest('Radarr Download event without movie.folderPath and movieFile.relativePath', 'bad_webhook');
}

/** Plex: multipart with a JSON `payload` field; library.new names an item (ratingKey), not a file. */
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
  if (event !== 'library.new') return { kind: 'ignore', reason: `Plex event ${event} does not add a file` };
  const meta = isObj(b.Metadata) ? b.Metadata : null;
  const key = str(meta?.ratingKey) ?? (typeof meta?.ratingKey === 'number' ? String(meta.ratingKey) : null);
  if (!key) throw badRequest('Plex library.new event without Metadata.ratingKey', 'bad_webhook');
  return { kind: 'item', itemId: key };
}

/** Jellyfin's webhook plugin: NotificationType ItemAdded with ItemId (and the path when the template adds it). */
export function parseJellyfin(raw: unknown): WebhookIntent {
  const b = object(raw, 'Jellyfin');
  const type = str(b.NotificationType) ?? str(b.Event);
  if (!type) throw badRequest('Not a Jellyfin webhook: NotificationType is missing', 'bad_webhook');
  if (/^test$/i.test(type) || type === 'Generic') return { kind: 'test' };
  if (type !== 'ItemAdded') return { kind: 'ignore', reason: `Jellyfin event ${type} does not add a file` };
  const path = str(b.ItemPath) ?? str(b.Path);
  if (path) return { kind: 'files', paths: [path] };
  const id = str(b.ItemId);
  if (!id) throw badRequest('Jellyfin ItemAdded event without ItemId or ItemPath', 'bad_webhook');
  return { kind: 'item', itemId: id };
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
  if (event !== 'library.new') return { kind: 'ignore', reason: `Emby event ${event} does not add a file` };
  const item = isObj(b.Item) ? b.Item : null;
  const path = str(item?.Path);
  if (path) return { kind: 'files', paths: [path] };
  const id = str(item?.Id);
  if (!id) throw badRequest('Emby library.new event without Item.Path or Item.Id', 'bad_webhook');
  return { kind: 'item', itemId: id };
}

/** Tautulli: the user's JSON template; it must carry the file path (Tautulli's {file} parameter). */
export function parseTautulli(raw: unknown): WebhookIntent {
  const b = object(raw, 'Tautulli');
  const action = str(b.action) ?? str(b.event);
  if (action && /^test$/i.test(action)) return { kind: 'test' };
  const path = str(b.file) ?? str(b.file_path) ?? str(b.path);
  if (!path) throw badRequest('Tautulli webhook without a file path: add "file": "{file}" to the JSON data of the notification agent', 'bad_webhook');
  if (action && !/added|new|created|test/i.test(action)) return { kind: 'ignore', reason: `Tautulli action ${action} does not add a file` };
  return { kind: 'files', paths: [path] };
}
