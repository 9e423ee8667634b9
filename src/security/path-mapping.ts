/**
 * Path mappings: the same library seen under different paths on different
 * machines (`/media/tv` on the server, `/mnt/tv` or `\\nas\tv` on a worker
 * node). A mapping replaces a leading `from` with `to`:
 *
 * - anchored at the start, on a whole path component (`/tv` maps `/tv/a.mkv`,
 *   never `/tvshows/a.mkv` nor `/data/tv/a.mkv`);
 * - the longest matching `from` wins, whatever the list order;
 * - `/` and `\` are the same separator when matching, Windows drive and UNC
 *   prefixes match case-insensitively, and the rest of the path is written
 *   with the separator style of `to`.
 *
 * Used by workers (job.file_path -> the node's own path) and by integrations
 * (paths in webhooks from another machine).
 */

interface PathMapping {
  from: string;
  to: string;
}

// Only the keys read here (a literal union, so this module needs nothing from settings/, which imports security/).
type Get = (key: 'path_mappings' | 'use_path_mapping' | 'path_mapping_from' | 'path_mapping_to') => unknown;

const isWindowsStyle = (p: string) => /^[a-zA-Z]:[\\/]?/.test(p) || p.startsWith('\\\\') || p.includes('\\');

/** Separators unified to `/`, trailing ones dropped (but a bare root stays). */
function canonical(p: string): string {
  let s = p.replace(/\\/g, '/');
  while (s.length > 1 && s.endsWith('/') && !/^[a-zA-Z]:\/$/.test(s) && s !== '//') s = s.slice(0, -1);
  return s;
}

/** Parses the `path_mappings` setting (JSON text or an already-parsed list); invalid entries are skipped. */
export function parsePathMappings(value: unknown): PathMapping[] {
  let list: unknown = value;
  if (typeof value === 'string') {
    if (!value.trim()) return [];
    try {
      list = JSON.parse(value);
    } catch {
      return [];
    }
  }
  if (!Array.isArray(list)) return [];
  const out: PathMapping[] = [];
  for (const m of list) {
    if (!m || typeof m !== 'object') continue;
    const { from, to } = m as Record<string, unknown>;
    if (typeof from === 'string' && typeof to === 'string' && from.trim()) out.push({ from: from.trim(), to: to.trim() });
  }
  return out;
}

/**
 * Every mapping the settings define: the `path_mappings` list, plus the legacy
 * single pair when `use_path_mapping` is on.
 */
export function mappingsFromSettings(get: Get): PathMapping[] {
  const list = parsePathMappings(get('path_mappings'));
  const on = get('use_path_mapping');
  if (on === true || String(on).toLowerCase() === 'true') {
    const from = String(get('path_mapping_from') ?? '').trim();
    const to = String(get('path_mapping_to') ?? '').trim();
    if (from) list.push({ from, to });
  }
  return list;
}

/** The mapped path, or the path unchanged when no mapping matches. */
export function applyPathMappings(path: string, mappings: readonly PathMapping[]): string {
  const p = canonical(path);
  let best: { m: PathMapping; rest: string; len: number } | null = null;
  for (const m of mappings) {
    const from = canonical(m.from);
    const caseless = isWindowsStyle(m.from) || isWindowsStyle(path);
    const head = p.slice(0, from.length);
    if (caseless ? head.toLowerCase() !== from.toLowerCase() : head !== from) continue;
    const rest = p.slice(from.length);
    // A whole component: the path ends here, or the next char is a separator, or `from` ended with one.
    if (rest !== '' && !rest.startsWith('/') && !from.endsWith('/')) continue;
    if (!best || from.length > best.len) best = { m, rest, len: from.length };
  }
  if (!best) return path;
  const to = best.m.to;
  const sep = isWindowsStyle(to) ? '\\' : '/';
  const base = to.replace(/[\\/]+$/, '');
  const rest = best.rest.replace(/^\/+/, '');
  if (!rest) return base || sep;
  return `${base}${sep}${rest.split('/').join(sep)}`;
}
