/**
 * Subtitle files that belong to a media file: next to it (`Movie.en.srt`,
 * `Movie.eng.forced.srt`, `Movie.English.sdh.srt`, `Movie.pt-BR.ass`), and one
 * level of `Subs/` folders (`Subs/Movie.en.srt`, `Subs/Movie/2_English.srt`,
 * and `Subs/2_English.srt` when the folder holds a single media file).
 *
 * The language comes from the name's tokens after the media's base name,
 * read from the end, so `Movie.ai.spa.srt` and `Movie.en.forced.srt` both work.
 */
import { readFileSync, type Dirent } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { normalizeLanguage } from '../languages.js';
import { isGeneratedSubtitle } from './generated.js';

export const SUBTITLE_EXTENSIONS = new Set(['.srt', '.ass', '.ssa', '.vtt', '.sub', '.idx', '.sup', '.smi', '.lrc']);
const SUBS_FOLDER = /^(subs|subtitles|subtitle|sub)$/i;

export interface ExternalSubtitle {
  path: string;
  language: string | null;
  format: string;
  forced: boolean;
  sdh: boolean;
  /** written by this product (see generated.ts) */
  generated: boolean;
}

interface ParsedSubtitleName {
  language: string | null;
  forced: boolean;
  sdh: boolean;
}

const FORCED_WORDS = new Set(['forced', 'foreign']);
const SDH_WORDS = new Set(['sdh', 'cc', 'hearing', 'impaired']);
// Tokens that must not be read as languages although some are ISO 639-3 codes.
const NOT_LANGUAGE = new Set(['default', 'full', 'sub', 'subs', 'subtitle', 'subtitles', 'track', 'ai', 'whisper', 'tio', 'dub', 'signs', 'songs', 'commentary']);

/**
 * Reads language and flags from the part of a subtitle name after the media
 * base name and before the extension: `en.forced`, `English.sdh`, `2_English`.
 */
export function parseSubtitleSuffix(suffix: string, tag?: string | null): ParsedSubtitleName {
  const tokens: string[] = [];
  for (const part of suffix.split('.').filter(Boolean)) {
    // `pt-BR` is one token; `2_English` and `English (SDH)` are several.
    if (normalizeLanguage(part) && !part.includes('_')) tokens.push(part);
    else tokens.push(...part.split(/[\s_()[\],+]+/).filter(Boolean));
  }
  const lower = tokens.map((t) => t.toLowerCase());
  const skip = new Set(NOT_LANGUAGE);
  if (tag?.trim()) skip.add(tag.trim().toLowerCase());
  const forced = lower.some((t) => FORCED_WORDS.has(t));
  let sdh = lower.some((t) => SDH_WORDS.has(t));
  let language: string | null = null;
  for (let i = lower.length - 1; i >= 0; i--) {
    const t = lower[i];
    if (FORCED_WORDS.has(t) || SDH_WORDS.has(t) || skip.has(t) || /^\d+$/.test(t) || t === 'hi') continue;
    const code = normalizeLanguage(t);
    if (code) {
      language = code;
      break;
    }
  }
  // `hi` is hearing-impaired beside another language (Movie.en.hi.srt), Hindi alone.
  if (lower.includes('hi')) {
    if (language) sdh = true;
    else language = normalizeLanguage('hi');
  }
  return { language, forced, sdh };
}

/** What the scanner knows about one folder after a single readdir (plus one per Subs/ folder). */
export interface FolderListing {
  dir: string;
  entries: Dirent[];
  names: Set<string>;
  /** subtitle files directly in the folder */
  subtitles: string[];
  /** files of Subs/ folders: path relative to the folder (`Subs/x.srt`, `Subs/Movie/x.srt`) */
  subsFiles: Array<{ path: string; dir: string; name: string; owner: string | null }>;
  /** names in Subs/ folders, for sidecar lookups */
  subsNames: Set<string>;
}

export function isSubtitleName(name: string): boolean {
  return SUBTITLE_EXTENSIONS.has(extname(name).toLowerCase());
}

async function safeReaddir(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch {
    return [];
  }
}

/** Lists a folder once; Subs/ folders (and their per-episode subfolders) are read too. */
export async function readFolderListing(dir: string, entries?: Dirent[]): Promise<FolderListing> {
  const list = entries ?? (await readdir(dir, { withFileTypes: true }));
  const names = new Set(list.map((e) => e.name));
  const subtitles = list.filter((e) => !e.isDirectory() && !e.name.startsWith('.') && isSubtitleName(e.name)).map((e) => e.name);
  const subsFiles: FolderListing['subsFiles'] = [];
  const subsNames = new Set<string>();
  for (const e of list) {
    if (!e.isDirectory() || !SUBS_FOLDER.test(e.name)) continue;
    const subsDir = join(dir, e.name);
    for (const s of await safeReaddir(subsDir)) {
      subsNames.add(s.name);
      if (s.isDirectory()) {
        const inner = join(subsDir, s.name);
        for (const f of await safeReaddir(inner)) {
          subsNames.add(f.name);
          if (!f.isDirectory() && !f.name.startsWith('.') && isSubtitleName(f.name)) subsFiles.push({ path: join(inner, f.name), dir: inner, name: f.name, owner: s.name });
        }
      } else if (!s.name.startsWith('.') && isSubtitleName(s.name)) {
        subsFiles.push({ path: join(subsDir, s.name), dir: subsDir, name: s.name, owner: null });
      }
    }
  }
  return { dir, entries: list, names, subtitles, subsFiles, subsNames };
}

function stem(name: string): string {
  return name.slice(0, name.length - extname(name).length);
}

/** The rest of a subtitle stem after the media base (`Movie.en.forced` → `en.forced`), or null when it is not the media's. */
function suffixFor(subStem: string, mediaBase: string): string | null {
  const s = subStem.toLowerCase();
  const b = mediaBase.toLowerCase();
  if (s === b) return '';
  if (s.startsWith(`${b}.`)) return subStem.slice(mediaBase.length + 1);
  return null;
}

function idxLanguage(path: string): string | null {
  try {
    const m = /^id:\s*([a-z]{2,3})\b/im.exec(readFileSync(path, 'utf8').slice(0, 20_000));
    return m ? normalizeLanguage(m[1]) : null;
  } catch {
    return null;
  }
}

function describe(path: string, name: string, suffix: string, allNames: Set<string>, sidecarNames: Set<string>, tag?: string | null): ExternalSubtitle | null {
  const ext = extname(name).toLowerCase();
  // A .sub beside a .idx of the same stem is the VobSub pair's data file: report the pair once (as the .idx).
  if (ext === '.sub' && allNames.has(`${stem(name)}.idx`)) return null;
  const parsed = parseSubtitleSuffix(suffix, tag);
  const language = parsed.language ?? (ext === '.idx' ? idxLanguage(path) : null);
  return {
    path,
    language,
    format: ext === '.idx' ? 'vobsub' : ext.slice(1),
    forced: parsed.forced,
    sdh: parsed.sdh,
    generated: isGeneratedSubtitle(path, { tag, siblings: sidecarNames }),
  };
}

/**
 * External subtitles of one media file, from its folder's listing.
 * `mediaNames` are the media files of the folder (to give loose Subs/ files to a lone video).
 */
export function externalSubtitlesFor(mediaName: string, listing: FolderListing, mediaNames: string[], tag?: string | null): ExternalSubtitle[] {
  const base = stem(mediaName);
  const out: ExternalSubtitle[] = [];
  for (const name of listing.subtitles) {
    const suffix = suffixFor(stem(name), base);
    if (suffix === null) continue;
    const d = describe(join(listing.dir, name), name, suffix, listing.names, listing.names, tag);
    if (d) out.push(d);
  }
  const lone = mediaNames.length === 1;
  const otherBases = mediaNames.map(stem);
  for (const f of listing.subsFiles) {
    const subStem = stem(f.name);
    let suffix: string | null;
    if (f.owner !== null) {
      suffix = f.owner.toLowerCase() === base.toLowerCase() ? subStem : lone ? subStem : null;
    } else {
      suffix = suffixFor(subStem, base);
      if (suffix === null && lone && !otherBases.some((b) => suffixFor(subStem, b) !== null)) suffix = subStem;
    }
    if (suffix === null) continue;
    const d = describe(f.path, f.name, suffix, listing.subsNames, listing.subsNames, tag);
    if (d) out.push(d);
  }
  return out;
}
