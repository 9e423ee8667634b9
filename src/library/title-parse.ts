/**
 * What a file is, from its name and folders, the way Sonarr and Radarr lay
 * out a library: `Show/Season 01/Show - S01E02 - Title.mkv` is an episode of
 * "Show", `Movie (2020)/Movie (2020).mkv` a movie of 2020. Release names are
 * read by @ctrl/video-filename-parser (a Radarr-style parser); the folders
 * settle the show name, and the season when the file name has none.
 */
import { basename, dirname, extname } from 'node:path';
import { filenameParse } from '@ctrl/video-filename-parser';
import type { ItemKind } from './library.schemas.js';

interface ParsedMedia {
  kind: ItemKind;
  title: string;
  show: string | null;
  season: number | null;
  episode: number | null;
  episode_end: number | null;
  year: number | null;
}

const SEASON_FOLDER = /^(?:season|series|staffel|saison|temporada|stagione|seizoen)[\s._-]*(\d{1,4})$|^s(\d{1,4})$/i;
const SPECIALS_FOLDER = /^specials?$/i;
const EPISODE_HINT = /(?:^|[^a-z0-9])(?:s\d{1,4}[ ._-]?e\d{1,4}|\d{1,2}x\d{2,3}|season[ ._-]?\d+|episode[ ._-]?\d+|ep[ ._-]?\d+)/i;

/** The season a folder name stands for (`Season 01`, `S2`, `Specials` = 0), or null. */
export function seasonOfFolder(name: string): number | null {
  if (SPECIALS_FOLDER.test(name)) return 0;
  const m = SEASON_FOLDER.exec(name.trim());
  return m ? Number(m[1] ?? m[2]) : null;
}

function yearOf(v: string | null | undefined): number | null {
  const n = Number(v);
  return Number.isInteger(n) && n >= 1880 && n <= 2200 ? n : null;
}

function safeParse(name: string, tv: boolean): ReturnType<typeof filenameParse> | null {
  try {
    return filenameParse(name, tv);
  } catch {
    return null;
  }
}

/** A folder's name as a show name: `Show (2019)` stays as the user wrote it, release tags are dropped. */
function showFromFolder(name: string): string {
  const p = safeParse(name, false);
  const t = p?.title?.trim();
  if (!t) return name;
  return p?.year && name.includes(`(${p.year})`) ? `${t} (${p.year})` : t;
}

/**
 * Parses a media file's path. `root` is the library folder it lies in: a
 * folder at or above it never names a show or a movie.
 */
export function parseMediaPath(path: string, root: string | null, isVideo: boolean): ParsedMedia {
  const stem = basename(path, extname(path));
  const dir = dirname(path);
  const parent = dir === root ? null : basename(dir);
  const grand = parent === null || dirname(dir) === root || dirname(dir) === dir ? null : basename(dirname(dir));
  const folderSeason = parent !== null ? seasonOfFolder(parent) : null;
  const tv = safeParse(stem, true);
  const seasons = tv && 'seasons' in tv ? tv.seasons : [];
  const episodes = tv && 'episodeNumbers' in tv ? tv.episodeNumbers : [];
  const season = seasons.length ? seasons[0] : episodes.length ? folderSeason : null;
  // The parser reads numbers as episodes too eagerly ("Blade Runner 2049"): a name must say so, or sit in a season folder.
  if (season !== null && episodes.length && (EPISODE_HINT.test(stem) || folderSeason !== null)) {
    // Show/Season 01/file: the show folder names the show, whatever the file calls it.
    const show = folderSeason !== null && grand ? showFromFolder(grand) : tv?.title?.trim() || (parent ? showFromFolder(parent) : stem);
    return {
      kind: 'episode',
      title: stem,
      show,
      season,
      episode: episodes[0],
      episode_end: episodes.length > 1 ? episodes[episodes.length - 1] : null,
      year: yearOf(tv?.year),
    };
  }
  if (!isVideo) return { kind: 'other', title: stem, show: null, season: null, episode: null, episode_end: null, year: null };
  const movie = safeParse(stem, false);
  let title = movie?.title?.trim() || stem;
  let year = yearOf(movie?.year);
  // Movie (2020)/movie.mkv: Radarr's folder knows the year the file name lacks.
  if (!year && parent) {
    const folder = safeParse(parent, false);
    const fy = yearOf(folder?.year);
    if (fy && folder?.title?.trim()) {
      title = folder.title.trim();
      year = fy;
    }
  }
  return { kind: 'movie', title, show: null, season: null, episode: null, episode_end: null, year };
}

const pad = (n: number | null, w: number) => (n === null ? ''.padStart(w, '9') : String(n).padStart(w, '0'));

/** The order of the title sort: shows by season and episode, movies by title and year, then the path. */
export function sortKeyOf(p: ParsedMedia, path: string): string {
  const name = (p.show ?? p.title).toLowerCase();
  const parts = p.kind === 'episode' ? [name, pad(p.season, 4), pad(p.episode, 5)] : [name, pad(p.year, 4), ''];
  return `${parts.join('\u001f')}\u001f${path.toLowerCase()}`;
}

/** Lower-cased words (letters and digits) of a text: what search matches, word by word. */
export function searchWords(text: string): string[] {
  return text.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
}

/** What q is matched against: the words of title, show, year and path. */
export function searchTextOf(p: ParsedMedia, path: string): string {
  return searchWords([p.title, p.show ?? '', p.year ? String(p.year) : '', path].join(' ')).join(' ');
}
