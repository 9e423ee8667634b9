/**
 * Scanner benchmark: first-scan throughput with each probe (ffprobe for
 * every file, and MediaInfo in process with ffprobe as its fallback, run
 * in turns so both see the same machine load), bytes each probe reads per
 * file, and the time of a rescan of an unchanged 10,000-file library (probe
 * cache, batched live-job checks).
 *
 *   npm run bench:scan
 *   BENCH_FIRST=300 BENCH_ROUNDS=3 BENCH_RESCAN=10000 BENCH_CONCURRENCY=4 npm run bench:scan
 *   BENCH_DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench npm run bench:scan
 *
 * Each first scan gets its own library: one tiny mkv (jpn audio, 1 s)
 * hard-linked under varied names in folders of 20 files; identical content
 * is fine for probing speed. Bytes read are measured on that file and on
 * three 60 s files (MKV, MP4 with its index at the end, MPEG-TS), where
 * reading only what is needed matters (a NAS pays for every read). The
 * links added for the rescan share the first file's inode, so their cache
 * rows are copied from the first scan's probe (they would get the same
 * result) instead of spending minutes re-probing one file.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { linkSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../src/config.js';
import { createLogger } from '../src/logger.js';
import { closeContext, createContext } from '../src/server/context.js';
import { ScannerService } from '../src/scanner/scanner.service.js';
import { ffprobeArgs, ffprobeBinary, ffprobeRunCount, probeCount } from '../src/scanner/ffprobe.js';
import { inProcessTotals, MediaInfoProber } from '../src/scanner/mediainfo-probe.js';
import { loadProbeCache, saveProbeCache } from '../src/scanner/scanner.repository.js';

const FIRST = Number(process.env.BENCH_FIRST ?? 300);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const RESCAN = Number(process.env.BENCH_RESCAN ?? 10000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const PER_FOLDER = 20;

const work = mkdtempSync(join(tmpdir(), 'tio-bench-scan-'));
let library = join(work, 'library');

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

/** 60 s, 640x360, two audio tracks (and a subtitle where the container has one), as MKV, MP4 (index at the end) and MPEG-TS. */
function makeLongSamples(): string[] {
  const out = (ext: string) => join(work, `long.${ext}`);
  const input = [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc=s=640x360:r=24:d=60',
    '-f', 'lavfi', '-i', 'sine=frequency=440:duration=60:sample_rate=48000',
    '-f', 'lavfi', '-i', 'sine=frequency=300:duration=60:sample_rate=48000',
  ];
  const codecs = ['-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1500k', '-c:a:0', 'aac', '-c:a:1', 'ac3', '-ac:a:1', '6', '-metadata:s:a:0', 'language=jpn', '-metadata:s:a:1', 'language=eng'];
  execFileSync('ffmpeg', [...input, '-map', '0:v', '-map', '1:a', '-map', '2:a', ...codecs, out('mkv')]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', out('mkv'), '-map', '0', '-c', 'copy', out('mp4')]);
  execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-i', out('mkv'), '-map', '0', '-c', 'copy', out('ts')]);
  return [out('mkv'), out('mp4'), out('ts')];
}

/** Bytes ffprobe reads for one probe of `path`, from its own I/O statistics (`-v verbose`). */
function ffprobeBytes(path: string): number {
  const r = spawnSync(ffprobeBinary(), ['-v', 'verbose', ...ffprobeArgs(path).slice(2)], { encoding: 'utf8' });
  return [...r.stderr.matchAll(/Statistics: (\d+) bytes read/g)].reduce((n, m) => n + Number(m[1]), 0);
}

async function mediaInfoBytes(path: string): Promise<string> {
  const r = await new MediaInfoProber(() => 1).probe(path, 30_000);
  return `${r.bytes}${'fallback' in r ? ` (then ffprobe: ${r.fallback})` : ''}`;
}

const kb = (n: number) => `${(n / 1024).toFixed(0)} KiB`;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

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
  const config = loadConfig({ dataDir: join(work, 'data'), databaseUrl: process.env.BENCH_DATABASE_URL, logLevel: 'silent' });
  const ctx = await createContext(config, { log: createLogger('silent') });
  try {
    await ctx.settings.bulkUpdate({ scanner_probe_concurrency: CONCURRENCY });
    await ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
    const deps = { db: ctx.database.db, settings: ctx.settings, jobs: ctx.jobs, rules: ctx.rules, events: ctx.events, log: ctx.log };
    const scanners = { ffprobe: new ScannerService({ ...deps, probeTool: 'ffprobe' }), mediainfo: new ScannerService({ ...deps, probeTool: 'auto' }) };

    console.log(`Scanner benchmark — ${cpus().length} CPUs (${cpus()[0]?.model ?? 'unknown'}), database ${config.databaseKind}, probe concurrency ${CONCURRENCY}, load average ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
    const rates: Record<keyof typeof scanners, number[]> = { ffprobe: [], mediainfo: [] };
    let scanner = scanners.mediainfo;
    for (let round = 1; round <= ROUNDS; round++) {
      for (const tool of ['ffprobe', 'mediainfo'] as const) {
        library = join(work, `library-${round}-${tool}`);
        link(src, 0, FIRST);
        scanner = scanners[tool];
        const runs = ffprobeRunCount();
        const before = inProcessTotals();
        const t = performance.now();
        const first = await scanner.scan({ paths: [library] });
        const s = (performance.now() - t) / 1000;
        const after = inProcessTotals();
        rates[tool].push(first.scanned_files / s);
        const inProcess = tool === 'mediainfo' ? `, ${after.files - before.files} in process (${after.fallbacks - before.fallbacks} handed to ffprobe)` : '';
        console.log(`first scan ${round} ${tool.padEnd(9)}: ${first.scanned_files} files, ${ffprobeRunCount() - runs} ffprobe runs${inProcess}, ${first.jobs_created} jobs in ${s.toFixed(2)} s = ${(first.scanned_files / s).toFixed(1)} files/s`);
      }
    }
    const [f, m] = [median(rates.ffprobe), median(rates.mediainfo)];
    console.log(`first scan, median of ${ROUNDS}: ffprobe ${f.toFixed(1)} files/s, MediaInfo ${m.toFixed(1)} files/s = ${(m / f).toFixed(1)}x`);

    console.log('bytes read per probe (MediaInfo / ffprobe):');
    for (const file of [src, ...makeLongSamples()]) {
      console.log(`  ${file.split('/').pop()} (${kb(statSync(file).size)}): ${await mediaInfoBytes(file)} / ${ffprobeBytes(file)}`);
    }

    let t = performance.now();
    const again = await scanner.scan({ paths: [library] });
    let s = (performance.now() - t) / 1000;
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
      const probes = probeCount();
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
