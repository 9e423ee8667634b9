/**
 * The benchmarks' synthetic library: rows made by the indexer's own buildRow
 * from synthetic analyses and written by the library repository. 70 % are
 * episodes of shows laid out `Show N/Season NN/` (100 per show), 30 % movies
 * in their own folders; 2 % with a failed job, 1 % missing, 14 % with a
 * subtitle of ours. The rows are computed under no rules, so a server finds
 * them stale under the two rules created here and recomputes wanted.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { ScanRulesService } from '../src/rules/rules.service.js';
import { DEFAULT_SKIP } from '../src/scanner/rules-engine.js';
import { buildRow, libraryRoots } from '../src/library/item-row.js';
import type { JobBrief } from '../src/library/library.repository.js';
import { upsertItems, type NewItemRow } from '../src/library/library.repository.js';
import type { AnalysisOutcome } from '../src/scanner/media-analyzer.js';

/** Shows in a library of `items` files (100 episodes each). */
export const showCount = (items: number) => Math.max(1, Math.round((items * 0.7) / 100));

const LANGS = ['jpn', 'eng', 'spa', 'fre', 'ger'];
const folderListing = (dir: string) => ({ dir, entries: [], names: new Set<string>(), subtitles: [], subsFiles: [], subsNames: new Set<string>() });

/** A synthetic file: 70% episodes (Show/Season NN/Show - SxxEyy.mkv, 5 seasons of 20), 30% movies. */
function outcome(i: number, root: { tv: string; movies: string }, ITEMS: number): AnalysisOutcome {
  const h = (i * 2654435761) >>> 0;
  let path: string;
  if (i < ITEMS * 0.7) {
    const show = Math.floor(i / 100);
    const season = Math.floor((i % 100) / 20) + 1;
    const ep = (i % 20) + 1;
    const name = `Show ${show}`;
    path = join(root.tv, name, `Season ${String(season).padStart(2, '0')}`, `${name} - S${String(season).padStart(2, '0')}E${String(ep).padStart(2, '0')}.mkv`);
  } else {
    const title = `Movie ${i} (${1950 + (h % 70)})`;
    path = join(root.movies, title, `${title}.mkv`);
  }
  const audio = LANGS[h % 4];
  const second = h % 3 === 0 ? LANGS[(h >> 3) % 5] : null;
  const base = path.slice(0, -4);
  const external = [];
  if (h % 5 === 0) external.push({ path: `${base}.eng.srt`, language: 'eng', format: 'srt', forced: false, sdh: false, generated: false });
  if (h % 7 === 0) external.push({ path: `${base}.spa.srt`, language: 'spa', format: 'srt', forced: false, sdh: false, generated: true });
  const name = path.split('/').pop()!;
  return {
    candidate: { path, name, size: 500_000_000 + (h % 1_000_000_000), mtime_ms: 1_700_000_000_000 + (h % 10_000_000), folder: folderListing(path.slice(0, -name.length - 1)), siblings: [name] },
    probed: false,
    analysis: {
      file_path: path,
      audio_tracks: [audio, second].filter((l): l is string => !!l).map((l, k) => ({ index: k, stream_index: k + 1, codec: 'aac', language: l, channels: 2, default: k === 0, title: null })),
      embedded_subtitles: h % 4 === 0 ? [{ index: 0, stream_index: 3, language: 'eng', codec: 'subrip', forced: false, default: false, hearing_impaired: false, title: null }] : [],
      external_subtitles: external,
      duration_seconds: 1200 + (h % 6000),
      is_video: true,
      format_name: 'matroska,webm',
    },
  };
}

/** Fills a fresh database with `items` synthetic files below mediaRoot/tv and mediaRoot/movies, under two rules (wanted left stale). */
export async function fillLibrary(url: string, mediaRoot: string, ITEMS: number): Promise<void> {
  const handle = openDatabase(url);
  await migrateToLatest(handle);
  const settings = new SettingsService(handle.db);
  await settings.initDefaults();
  const roots = { tv: join(mediaRoot, 'tv'), movies: join(mediaRoot, 'movies') };
  mkdirSync(roots.tv, { recursive: true });
  mkdirSync(roots.movies, { recursive: true });
  await settings.bulkUpdate({ library_paths: `${roots.tv},${roots.movies}` });
  const rules = new ScanRulesService(handle.db);
  await rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa', quality_preset: 'balanced' } });
  await rules.create({ name: 'Not English to English', priority: 1, conditions: { audio_language_not: 'eng' }, action: { target_language: 'eng', quality_preset: 'fast' } });
  // Rows are computed under no rules: the server's first read finds them stale and recomputes wanted (timed below).
  const inputs = { rules: [], skip: DEFAULT_SKIP, roots: libraryRoots([roots.tv, roots.movies]), marker: '.notranscribe' };
  const BATCH = 1000;
  for (let start = 0; start < ITEMS; start += BATCH) {
    const rows: NewItemRow[] = [];
    for (let i = start; i < Math.min(ITEMS, start + BATCH); i++) {
      const o = outcome(i, roots, ITEMS);
      const jobs: JobBrief[] = i % 50 === 0
        ? [{ file_path: o.candidate.path, seq: i, target_lang: 'spa', id: `job${i}`, status: 'failed', error: 'corrupt media', error_code: 'corrupt_media', progress: 0, updated_at: new Date().toISOString(), output_path: null, needs_review: false, quality_score: null }]
        : [];
      const row = buildRow(o, inputs, jobs, null);
      if (i % 97 === 0) row.missing = 1;
      rows.push(row);
    }
    await upsertItems(handle.db, rows);
  }
  await sql`analyze`.execute(handle.db);
  await handle.close();
}
