/**
 * Plex, Jellyfin and Emby over HTTP: ask them to rescan a folder once a
 * subtitle is written there, and find the file of an item a webhook names.
 * Every call has a timeout; a server that is down is logged, never fatal.
 */
import { AppError } from '../errors.js';
import type { SettingKey } from '../settings/definitions/index.js';

type Get = (key: SettingKey) => unknown;

interface MediaServer {
  kind: 'plex' | 'jellyfin' | 'emby';
  url: string;
  token: string;
}

const s = (get: Get, k: SettingKey) => String(get(k) ?? '').trim();

/** The media servers the settings configure (a URL and a token each). */
export function configuredServers(get: Get): MediaServer[] {
  const out: MediaServer[] = [];
  for (const [kind, urlKey, tokenKey] of [['plex', 'plex_url', 'plex_token'], ['jellyfin', 'jellyfin_url', 'jellyfin_api_key'], ['emby', 'emby_url', 'emby_api_key']] as const) {
    const url = s(get, urlKey).replace(/\/+$/, '');
    const token = s(get, tokenKey);
    if (url && token) out.push({ kind, url, token });
  }
  return out;
}

export function serverOf(get: Get, kind: MediaServer['kind']): MediaServer | null {
  return configuredServers(get).find((m) => m.kind === kind) ?? null;
}

async function call(url: string, init: RequestInit, timeoutMs: number): Promise<Response> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`HTTP ${res.status} ${(await res.text().catch(() => '')).slice(0, 200)}`);
  return res;
}

function embyHeaders(m: MediaServer): Record<string, string> {
  // Jellyfin reads X-Emby-Token (and X-MediaBrowser-Token); Emby reads X-Emby-Token too.
  return { 'content-type': 'application/json', 'x-emby-token': m.token, 'x-mediabrowser-token': m.token };
}

/** Asks one server to rescan the folder that holds `mediaPath`. */
export async function refreshServer(m: MediaServer, mediaPath: string, timeoutMs: number): Promise<void> {
  const cut = Math.max(mediaPath.lastIndexOf('/'), mediaPath.lastIndexOf('\\'));
  const folder = cut > 0 ? mediaPath.slice(0, cut) : mediaPath;
  if (m.kind === 'plex') {
    // Partial scan of the folder in every section that contains it.
    const u = new URL(`${m.url}/library/sections/all/refresh`);
    u.searchParams.set('path', folder);
    u.searchParams.set('X-Plex-Token', m.token);
    await call(u.toString(), { method: 'GET', headers: { accept: 'application/json' } }, timeoutMs);
    return;
  }
  await call(`${m.url}/Library/Media/Updated`, { method: 'POST', headers: embyHeaders(m), body: JSON.stringify({ Updates: [{ Path: mediaPath, UpdateType: 'Modified' }] }) }, timeoutMs);
}

/** The file of an item a media server's webhook names (Plex ratingKey, Jellyfin/Emby item id). */
export async function itemPath(m: MediaServer, itemId: string, timeoutMs: number): Promise<string[]> {
  try {
    if (m.kind === 'plex') {
      const u = new URL(`${m.url}/library/metadata/${encodeURIComponent(itemId)}`);
      u.searchParams.set('X-Plex-Token', m.token);
      const j = (await (await call(u.toString(), { headers: { accept: 'application/json' } }, timeoutMs)).json()) as { MediaContainer?: { Metadata?: { Media?: { Part?: { file?: string }[] }[] }[] } };
      return (j.MediaContainer?.Metadata ?? []).flatMap((md) => (md.Media ?? []).flatMap((me) => (me.Part ?? []).map((p) => p.file).filter((f): f is string => !!f)));
    }
    const u = new URL(`${m.url}/Items`);
    u.searchParams.set('Ids', itemId);
    u.searchParams.set('Fields', 'Path');
    u.searchParams.set('Recursive', 'true');
    const j = (await (await call(u.toString(), { headers: embyHeaders(m) }, timeoutMs)).json()) as { Items?: { Path?: string }[] };
    return (j.Items ?? []).map((i) => i.Path).filter((p): p is string => !!p);
  } catch (e) {
    throw new AppError(502, 'media_server_unreachable', `Could not ask ${m.kind} at ${m.url} for item ${itemId}: ${(e as Error).message}`);
  }
}
