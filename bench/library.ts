/**
 * Library benchmark: 100,000 indexed files (rows built by the indexer's own
 * buildRow and written by the library repository), served by the real
 * server (a child process), measured with autocannon at 50 connections.
 *
 *   npm run bench:library                               # SQLite (and PostgreSQL when PG_TEST_URL is set)
 *   npm run bench:library -- --items 100000 --duration 10 --connections 50 --only sqlite
 *
 * Per endpoint two runs:
 *   - same: one URL over and over (a page many browsers show: the answer cache serves it);
 *   - varied: each request another page (1-40) or search term (one of 200), so most
 *     requests miss the cache and run their queries.
 * Before measuring, the server recomputes wanted for all items under its rules
 * (the fill leaves the index stale on purpose); the time that takes is printed.
 */
import { mkdirSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { overDatabases, startServer, stopServer } from './bench-server.js';
import { createRequire } from 'node:module';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { ScanRulesService } from '../src/rules/rules.service.js';
import { DEFAULT_SKIP } from '../src/scanner/rules-engine.js';
import { buildRow, libraryRoots, type LatestJob } from '../src/library/item-row.js';
import { upsertItems, type NewItemRow } from '../src/library/library.repository.js';
import type { AnalysisOutcome } from '../src/scanner/media-analyzer.js';

interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number; total: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
type CannonOpts = { url: string; connections: number; duration: number; pipelining: number; requests?: Array<{ setupRequest: (r: { path: string }) => { path: string } }> };
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: CannonOpts) => Promise<CannonResult>;

const { values: args } = parseArgs({
  options: {
    items: { type: 'string', default: '100000' },
    pg: { type: 'string', default: process.env.PG_TEST_URL ?? '' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '50' },
    only: { type: 'string', default: '' },
  },
});
const ITEMS = Number(args.items);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const SHOWS = Math.max(1, Math.round((ITEMS * 0.7) / 100));

const LANGS = ['jpn', 'eng', 'spa', 'fre', 'ger'];
const folderListing = (dir: string) => ({ dir, entries: [], names: new Set<string>(), subtitles: [], subsFiles: [], subsNames: new Set<string>() });

/** A synthetic file: 70% episodes (Show/Season NN/Show - SxxEyy.mkv, 5 seasons of 20), 30% movies. */
function outcome(i: number, root: { tv: string; movies: string }): AnalysisOutcome {
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

async function fill(url: string, mediaRoot: string): Promise<void> {
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
  const t0 = Date.now();
  const BATCH = 1000;
  for (let start = 0; start < ITEMS; start += BATCH) {
    const rows: NewItemRow[] = [];
    for (let i = start; i < Math.min(ITEMS, start + BATCH); i++) {
      const o = outcome(i, roots);
      const jobs: LatestJob[] = i % 50 === 0 ? [{ target_lang: 'spa', id: `job${i}`, status: 'failed', error: 'corrupt media', error_code: 'corrupt_media', progress: 0, updated_at: new Date().toISOString() }] : [];
      const row = buildRow(o, inputs, jobs, null);
      if (i % 97 === 0) row.missing = 1;
      rows.push(row);
    }
    await upsertItems(handle.db, rows);
  }
  await sql`analyze`.execute(handle.db);
  await handle.close();
  console.log(`  filled ${ITEMS} items (${SHOWS} shows) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
}

interface Row { database: string; endpoint: string; mode: string; p50: number; p99: number; rps: number; errors: number }

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

async function runFor(label: string, url: string, dataDir: string): Promise<Row[]> {
  console.log(`\n${label}: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  const mediaRoot = join(dataDir, 'media');
  await fill(url, mediaRoot);
  const { child, base } = await startServer(url, dataDir, { TRANSCRIPTORIO_FROM_SOURCE: '1' });
  const rows: Row[] = [];
  try {
    const t0 = Date.now();
    for (;;) {
      const s = (await (await fetch(`${base}/api/library/status`)).json()) as { items: number; wanted_pending: boolean };
      if (s.items !== ITEMS) throw new Error(`status reports ${s.items} items, expected ${ITEMS}`);
      if (!s.wanted_pending) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    console.log(`  wanted recomputed for ${ITEMS} items under the server's rules in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    const tree = (await (await fetch(`${base}/api/library/tree`)).json()) as { totals: Record<string, number> };
    console.log(`  totals: ${JSON.stringify(tree.totals)}`);
    const showFolder = encodeURIComponent(join(mediaRoot, 'tv', 'Show 7'));
    const terms = Array.from({ length: 200 }, (_, k) => (k % 2 ? `show ${k * 3}` : `movie ${80000 + k * 7}`));
    const endpoints: Array<{ name: string; same: string; varied: () => string }> = [
      ...['all', 'wanted', 'generated', 'failed', 'missing'].map((f) => ({
        name: `items?filter=${f}`,
        same: `/api/library/items?filter=${f}&page=1&page_size=50`,
        varied: () => `/api/library/items?filter=${f}&page=${1 + Math.floor(Math.random() * 40)}&page_size=50`,
      })),
      { name: 'items?filter=wanted&language=spa', same: '/api/library/items?filter=wanted&language=spa&page_size=50', varied: () => `/api/library/items?filter=wanted&language=spa&page=${1 + Math.floor(Math.random() * 40)}&page_size=50` },
      { name: 'items?q=<search>', same: '/api/library/items?q=show%2042&page_size=50', varied: () => `/api/library/items?q=${encodeURIComponent(pick(terms))}&page_size=50` },
      { name: 'items?folder=<show>', same: `/api/library/items?folder=${showFolder}&page_size=50`, varied: () => `/api/library/items?folder=${encodeURIComponent(join(mediaRoot, 'tv', `Show ${Math.floor(Math.random() * SHOWS)}`))}&page_size=50` },
      { name: 'tree', same: '/api/library/tree', varied: () => `/api/library/tree?folder=${encodeURIComponent(join(mediaRoot, 'tv', `Show ${Math.floor(Math.random() * SHOWS)}`))}` },
    ];
    for (const e of endpoints) {
      const check = await fetch(`${base}${e.same}`);
      if (!check.ok) throw new Error(`${e.same} answered ${check.status}: ${await check.text()}`);
      await autocannon({ url: `${base}${e.same}`, connections: CONNECTIONS, duration: 2, pipelining: 1 }); // warm-up
      for (const mode of ['same', 'varied'] as const) {
        const r = await autocannon({
          url: `${base}${e.same}`,
          connections: CONNECTIONS,
          duration: DURATION,
          pipelining: 1,
          ...(mode === 'varied' ? { requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: e.varied() }) }] } : {}),
        });
        const errors = r.errors + r.timeouts + r.non2xx;
        rows.push({ database: label, endpoint: e.name, mode, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average), errors });
        console.log(`  ${e.name} (${mode}): p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${Math.round(r.requests.average)} req/s, errors ${errors}`);
      }
    }
  } finally {
    await stopServer(child);
  }
  return rows;
}

const rows: Row[] = [];
console.log(`Library benchmark: ${ITEMS} items, ${CONNECTIONS} connections, ${DURATION} s per run`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`);
rows.push(...(await overDatabases({ prefix: 'tio-bench-lib-', pgUrl: args.pg, only: args.only }, runFor)));

console.log(`\n| database | endpoint | requests | p50 ms | p99 ms | req/s | errors |\n| --- | --- | --- | --- | --- | --- | --- |`);
for (const r of rows) console.log(`| ${r.database} | \`GET /api/library/${r.endpoint}\` | ${r.mode} | ${r.p50} | ${r.p99} | ${r.rps} | ${r.errors} |`);
