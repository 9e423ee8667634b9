/**
 * Scanner benchmark: first-scan throughput (every file probed by ffprobe)
 * and the time of a rescan of an unchanged 10,000-file library (probe cache,
 * batched live-job checks).
 *
 *   npm run bench:scan
 *   BENCH_FIRST=2000 BENCH_RESCAN=10000 BENCH_CONCURRENCY=4 npm run bench:scan
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npm run bench:scan
 *
 * The library is one tiny mkv (jpn audio, 1 s) hard-linked under varied names
 * in folders of 20 files; identical content is fine for probing speed. The
 * 8,000 links added for the rescan share that file's inode, so their cache
 * rows are copied from the first scan's probe (they would get the same
 * result) instead of spending minutes re-probing one file.
 */
import { execFileSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { closeContext, createContext } from '../src/server/context.js';
import { ScannerService } from '../src/scanner/scanner.service.js';
import { probeCount } from '../src/scanner/ffprobe.js';
import { loadProbeCache, saveProbeCache } from '../src/scanner/scanner.repository.js';

const FIRST = Number(process.env.BENCH_FIRST ?? 2000);
const RESCAN = Number(process.env.BENCH_RESCAN ?? 10000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PER_FOLDER = 20;

const work = mkdtempSync(join(tmpdir(), 'tio-bench-scan-'));
const library = join(work, 'library');

function makeSource(): string {
  const src = join(work, 'source.mkv');
  execFileSync('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=black:s=32x32:r=5:d=1',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1:sample_rate=16000',
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-ac', '1',
    '-metadata:s:a:0', 'language=jpn', src,
  ]);
  return src;
}

function pathFor(i: number): string {
  const show = Math.floor(i / PER_FOLDER);
  return join(library, `Show ${String(show).padStart(4, '0')}`, `Show ${show} - S01E${String((i % PER_FOLDER) + 1).padStart(2, '0')}.mkv`);
}

function link(src: string, from: number, to: number): void {
  for (let i = from; i < to; i++) {
    const p = pathFor(i);
    if (i % PER_FOLDER === 0) mkdirSync(join(p, '..'), { recursive: true });
    linkSync(src, p);
  }
}

async function main(): Promise<void> {
  const src = makeSource();
  link(src, 0, FIRST);
  const config = loadConfig({ dataDir: join(work, 'data'), databaseUrl: process.env.BENCH_DATABASE_URL, logLevel: 'silent' });
  const ctx = await createContext(config, { log: createLogger('silent') });
  try {
    await ctx.settings.bulkUpdate({ scanner_probe_concurrency: CONCURRENCY });
    await ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
    const scanner = new ScannerService({ db: ctx.database.db, settings: ctx.settings, jobs: ctx.jobs, rules: ctx.rules, events: ctx.events, log: ctx.log });

    console.log(`Scanner benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), database ${config.databaseKind}, ffprobe concurrency ${CONCURRENCY}`);
    let probes = probeCount();
    let t = performance.now();
    const first = await scanner.scan({ paths: [library] });
    let s = (performance.now() - t) / 1000;
    console.log(`first scan:  ${first.scanned_files} files, ${probeCount() - probes} probed, ${first.jobs_created} jobs in ${s.toFixed(2)} s = ${(first.scanned_files / s).toFixed(1)} files/s`);

    t = performance.now();
    const again = await scanner.scan({ paths: [library] });
    s = (performance.now() - t) / 1000;
    console.log(`rescan:      ${again.scanned_files} unchanged files, ${again.probed_files} probed, ${again.jobs_created} jobs in ${s.toFixed(2)} s`);

    if (RESCAN > FIRST) {
      link(src, FIRST, RESCAN);
      const cached = (await loadProbeCache(ctx.database.db, [pathFor(0)])).get(pathFor(0))!;
      const st = statSync(src);
      const rows = [];
      for (let i = FIRST; i < RESCAN; i++) rows.push({ ...cached, path: pathFor(i), size: st.size, mtime_ms: Math.floor(st.mtimeMs) });
      await saveProbeCache(ctx.database.db, rows);
      // Untimed: queues the jobs of the new links, as a first scan of them would.
      const fill = await scanner.scan({ paths: [library] });
      probes = probeCount();
      t = performance.now();
      const big = await scanner.scan({ paths: [library] });
      s = (performance.now() - t) / 1000;
      console.log(`rescan:      ${big.scanned_files} unchanged files (${fill.jobs_created} jobs queued before), ${probeCount() - probes} probed, ${big.jobs_created} jobs in ${s.toFixed(2)} s = ${(big.scanned_files / s).toFixed(0)} files/s`);
    }
  } finally {
    await closeContext(ctx);
    rmSync(work, { recursive: true, force: true });
  }
}

main().catch((e) => {
  console.error(e);
  rmSync(work, { recursive: true, force: true });
  process.exit(1);
});
