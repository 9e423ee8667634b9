/**
 * Someone started watching a file (Plex media.play, Jellyfin PlaybackStart,
 * Emby playback.start, Tautulli play): its subtitle is wanted now. A queued
 * job for it moves to the front of the queue; without one, the file is
 * judged like any webhook file (rules or the implicit webhook rule, skip
 * settings, existing subtitles) and a job it wants is queued at the front.
 * With `play_queue_next_episodes` N, the next N episodes of the season (same
 * folder, SxxEyy in the name) follow, in episode order, right behind it.
 */
import { readdir } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { ScanRule } from '../rules/rules.service.js';
import { findLiveJobForFile } from '../jobs/jobs.repository.js';
import { checkMediaPath } from '../security/media-roots.js';
import { isMediaName } from '../scanner/library-walker.js';
import { maxQueuedPriority, setQueuedPriority } from './play.repository.js';
import type { WebhookSource } from './webhooks.parsers.js';
import { fileResult, jobOptionsFor, webhookSourceLabel, type WebhookContext, type WebhookFileResult } from './webhook-decision.js';

/** Season and episode from a name such as `Show - S01E03 - Title.mkv` (or `1x03`); null when it names none. */
export function episodeOf(name: string): { season: number; episode: number } | null {
  const m = /(?:^|[^a-z0-9])s(\d{1,3})[ ._-]?e(\d{1,4})/i.exec(name) ?? /(?:^|[^a-z0-9])(\d{1,2})x(\d{2,3})(?:[^0-9]|$)/i.exec(name);
  return m ? { season: Number(m[1]), episode: Number(m[2]) } : null;
}

/** The next `n` episodes of the same season in the file's folder, in episode order. */
async function nextEpisodes(path: string, n: number, mediaExtensions: ReadonlySet<string>): Promise<string[]> {
  if (n <= 0) return [];
  const current = episodeOf(basename(path));
  if (!current) return [];
  let names: string[];
  try {
    names = await readdir(dirname(path));
  } catch {
    return [];
  }
  const later: Array<{ name: string; episode: number }> = [];
  for (const name of names) {
    if (!isMediaName(name, mediaExtensions)) continue;
    const e = episodeOf(name);
    if (e && e.season === current.season && e.episode > current.episode) later.push({ name, episode: e.episode });
  }
  later.sort((a, b) => a.episode - b.episode || a.name.localeCompare(b.name));
  const seen = new Set<number>();
  const out: string[] = [];
  for (const l of later) {
    // Two copies of one episode (a 720p and a 1080p) count once.
    if (seen.has(l.episode)) continue;
    seen.add(l.episode);
    out.push(join(dirname(path), l.name));
    if (out.length >= n) break;
  }
  return out;
}

export async function handlePlay(
  ctx: WebhookContext,
  source: WebhookSource,
  paths: string[],
  o: { rules: ScanRule[]; implicit: boolean },
): Promise<WebhookFileResult[]> {
  const n = Math.max(0, ctx.settings.getNumber('play_queue_next_episodes') || 0);
  const exts = ctx.scanner.service.mediaExtensions();
  const order: Array<{ path: string; playing: string | null }> = [];
  for (const path of paths) {
    order.push({ path, playing: null });
    for (const next of await nextEpisodes(path, n, exts)) {
      if (order.some((x) => x.path === next)) continue;
      // The folder may hold a link out of the library: each file is confined like the one playing.
      const c = await checkMediaPath(ctx.settings, next);
      if (c.ok) order.push({ path: c.path, playing: path });
    }
  }
  // The file playing first, then its next episodes in order: strictly decreasing priorities above everything queued.
  const top = (await maxQueuedPriority(ctx.database.db, order.map((x) => x.path))) ?? 0;
  const label = webhookSourceLabel(source);
  const out: WebhookFileResult[] = [];
  for (let i = 0; i < order.length; i++) {
    const { path, playing } = order[i];
    const priority = top + order.length - i;
    const why = playing ? `next episode after ${basename(playing)}` : 'playback started';
    const live = await findLiveJobForFile(ctx.database.db, path);
    if (live?.status === 'processing') {
      out.push({ path, action: 'skip', reason: `${why}: its job ${live.id} is already running`, job_id: null });
      continue;
    }
    if (live?.status === 'queued') {
      const moved = await setQueuedPriority(ctx.database.db, live.id, priority);
      const change = live.priority === priority ? `priority ${priority}` : `priority ${live.priority} → ${priority}`;
      out.push(moved
        ? { path, action: 'job', reason: `${why}: job ${live.id} moved to the front of the queue (${change})`, job_id: live.id }
        : { path, action: 'skip', reason: `${why}: its job ${live.id} started meanwhile`, job_id: null });
      continue;
    }
    const [r] = await ctx.scanner.service.processFiles([path], {
      rules: o.rules,
      priority,
      jobOptions: jobOptionsFor(label, o.implicit, { play: playing ? 'next_episode' : 'playing' }),
    });
    const res = fileResult(path, r);
    out.push(res.reason ? { ...res, reason: `${why}: ${res.reason}` } : res);
  }
  return out;
}
