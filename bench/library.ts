/**
 * Library benchmark: 100,000 indexed files (rows built by the indexer's own
 * buildRow and written by the library repository), served by the real
 * server (a child process), measured with autocannon at 50 connections.
 *
 *   npm run bench:library                               # SQLite (and PostgreSQL when PG_TEST_URL is set)
 *   npm run bench:library -- --items 100000 --duration 10 --connections 50 --only sqlite
 *   npm run bench:library -- --endpoints folder,tree      # only endpoints whose name contains one of these
 *
 * Per endpoint up to three runs:
 * each measured after a 2 s warm-up with its own mix (the steady state):
 *   - same: one URL over and over (a page many browsers show: the answer cache serves it);
 *   - varied: each request another page (1-40), search term (one of 200) or show
 *     folder (one of 700): what many people browsing at once ask for; after its first
 *     request, a page comes from the answer cache while it holds it;
 *   - cold: each request another query, sort and page out of thousands, so the answer
 *     cache rarely holds it and its SQL runs (its items come serialized from the item
 *     cache once they were shown, as for a person going through sorts and pages).
 * Before measuring, the server recomputes wanted for all items under its rules
 * (the fill leaves the index stale on purpose); the time that takes is printed.
 */
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { createRequire } from 'node:module';
import { overDatabases, startServer, stopServer } from './bench-server.js';
import { fillLibrary, showCount } from './library-fill.js';

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
    endpoints: { type: 'string', default: '' },
  },
});
const ITEMS = Number(args.items);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const SHOWS = showCount(ITEMS);

interface Row { database: string; endpoint: string; mode: string; p50: number; p99: number; rps: number; errors: number }

const pick = <T>(xs: T[]) => xs[Math.floor(Math.random() * xs.length)];

async function runFor(label: string, url: string, dataDir: string): Promise<Row[]> {
  console.log(`\n${label}: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  const mediaRoot = join(dataDir, 'media');
  const t0fill = Date.now();
  await fillLibrary(url, mediaRoot, ITEMS);
  console.log(`  filled ${ITEMS} items (${SHOWS} shows) in ${((Date.now() - t0fill) / 1000).toFixed(1)} s`);
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
    const sorts = ['title', '-title', 'path', '-path', 'added', '-added', 'size', '-size', 'modified', '-modified'];
    const anySort = () => pick(sorts);
    const anyShow = () => encodeURIComponent(join(mediaRoot, 'tv', `Show ${Math.floor(Math.random() * SHOWS)}`));
    // cold: every request another query, sort and page of thousands, so the answer cache rarely has it (its SQL runs).
    const endpoints: Array<{ name: string; same: string; varied: () => string; cold?: () => string }> = [
      ...['all', 'wanted', 'generated', 'failed', 'missing'].map((f) => ({
        name: `items?filter=${f}`,
        same: `/api/library/items?filter=${f}&page=1&page_size=50`,
        varied: () => `/api/library/items?filter=${f}&page=${1 + Math.floor(Math.random() * 40)}&page_size=50`,
        cold: () => `/api/library/items?filter=${f}&page=${1 + Math.floor(Math.random() * 40)}&page_size=50&sort=${anySort()}`,
      })),
      { name: 'items?filter=wanted&language=spa', same: '/api/library/items?filter=wanted&language=spa&page_size=50', varied: () => `/api/library/items?filter=wanted&language=spa&page=${1 + Math.floor(Math.random() * 40)}&page_size=50` },
      {
        name: 'items?q=<search>',
        same: '/api/library/items?q=show%2042&page_size=50',
        varied: () => `/api/library/items?q=${encodeURIComponent(pick(terms))}&page_size=50`,
        cold: () => `/api/library/items?q=${encodeURIComponent(pick(terms))}&page_size=50&sort=${anySort()}`,
      },
      {
        name: 'items?folder=<show>',
        same: `/api/library/items?folder=${showFolder}&page_size=50`,
        varied: () => `/api/library/items?folder=${anyShow()}&page_size=50`,
        cold: () => `/api/library/items?folder=${anyShow()}&page_size=50&page=${1 + Math.floor(Math.random() * 2)}&sort=${anySort()}`,
      },
      { name: 'tree', same: '/api/library/tree', varied: () => `/api/library/tree?folder=${anyShow()}` },
    ];
    // One person opening folders nobody opened since the start: every page's items are read and serialized.
    const firstMs: number[] = [];
    for (let k = 0; k < Math.min(SHOWS, 200); k++) {
      const t = performance.now();
      const res = await fetch(`${base}/api/library/items?folder=${encodeURIComponent(join(mediaRoot, 'tv', `Show ${(k * 7) % SHOWS}`))}&page_size=50&sort=-modified`);
      await res.arrayBuffer();
      firstMs.push(performance.now() - t);
    }
    firstMs.sort((a, b) => a - b);
    const at = (p: number) => firstMs[Math.min(firstMs.length - 1, Math.floor(firstMs.length * p))].toFixed(1);
    console.log(`  first view of a folder, one connection: p50 ${at(0.5)} ms, p99 ${at(0.99)} ms`);
    const wanted = args.endpoints ? args.endpoints.split(',') : [];
    for (const e of endpoints.filter((x) => !wanted.length || wanted.some((w) => x.name.includes(w)))) {
      const check = await fetch(`${base}${e.same}`);
      if (!check.ok) throw new Error(`${e.same} answered ${check.status}: ${await check.text()}`);
      for (const mode of ['same', 'varied', ...(e.cold ? ['cold' as const] : [])]) {
        const mix = mode === 'same' ? {} : { requests: [{ setupRequest: (req: { path: string }) => ({ ...req, path: (mode === 'cold' ? e.cold! : e.varied)() }) }] };
        // Warm-up with the same mix: what is measured is the steady state, not the first second after start.
        await autocannon({ url: `${base}${e.same}`, connections: CONNECTIONS, duration: 2, pipelining: 1, ...mix });
        const r = await autocannon({ url: `${base}${e.same}`, connections: CONNECTIONS, duration: DURATION, pipelining: 1, ...mix });
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
