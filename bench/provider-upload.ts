/**
 * A long provider upload through the database: a Bazarr-style
 * `/asr?encode=false` request with BENCH_SECONDS (default 7200: two hours)
 * of raw 16 kHz mono PCM (jfk.wav looped) sent to a `transcriptorio server`
 * process without workers, run by a `transcriptorio worker --cpu 1` node
 * process, both on the same database (PostgreSQL when PG_TEST_URL or
 * BENCH_PG_URL is set, else SQLite).
 *
 * Prints:
 * - the server's peak RSS growth above idle while it receives and stores the
 *   upload (the Node process, and its ffmpeg FLAC encoder child on its own);
 * - the worker process's peak RSS growth while it reads the audio back from
 *   the database (the job is cancelled once the engine starts: the engine's
 *   own memory is bench:engine's subject);
 * - the seconds the database round trip adds: storing (FLAC + inserts,
 *   after the body has arrived) and reading back (measured again in this
 *   process with the worker's code, on the same stored audio);
 * - the engine time of BENCH_ENGINE_SECONDS (default 120) of the same audio
 *   on the worker node with BENCH_MODEL (default tiny, random weights),
 *   extrapolated to BENCH_SECONDS, and the round trip as a share of it.
 *
 *   npm run bench:provider-upload
 *   BENCH_SECONDS=600 BENCH_ENGINE_SECONDS=30 npm run bench:provider-upload
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { restoreUpload, type BlobInfo } from '../src/provider/upload-store.js';
import { ensureTestModel, type TestModelKind } from '../scripts/test-model.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { jfkPcm } from '../test/provider/provider-helpers.js';

const SECONDS = Number(process.env.BENCH_SECONDS ?? 7200);
const ENGINE_SECONDS = Number(process.env.BENCH_ENGINE_SECONDS ?? 120);
const MODEL = (process.env.BENCH_MODEL ?? 'tiny') as TestModelKind;
const PG = process.env.BENCH_PG_URL ?? process.env.PG_TEST_URL ?? '';
if (PG) process.env.PG_TEST_URL = PG;
const BIN = fileURLToPath(new URL('../bin/transcriptorio.js', import.meta.url));
const MB = 1 << 20;

const rssOf = (pid: number): number => {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
};
const childrenOf = (pid: number): number[] => {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
};
const commOf = (pid: number): string => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
};

/** Samples `fn()` every 20 ms until stopped; the peak. */
function sampler(fn: () => number) {
  let peak = 0;
  const timer = setInterval(() => (peak = Math.max(peak, fn())), 20);
  return { stop: () => (clearInterval(timer), (peak = Math.max(peak, fn())), peak), peak: () => peak };
}

async function idleRss(pid: number, ms = 1500): Promise<number> {
  const s = sampler(() => rssOf(pid));
  await new Promise((r) => setTimeout(r, ms));
  return s.stop();
}

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

function start(args: string[], env: Record<string, string>): ChildProcess {
  const base: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1', ...env };
  delete base.PORT;
  return spawn(process.execPath, [BIN, ...args], { env: base, stdio: ['ignore', 'ignore', 'inherit'] });
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, ms: number, what: string, every = 50): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, every));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A multipart body of `seconds` of looped PCM, streamed (never built whole here either). */
function pcmUpload(url: string, seconds: number, onSent: () => void): Promise<{ status: number; body: string }> {
  const one = jfkPcm();
  const total = Math.floor(seconds * 16000) * 2;
  const boundary = '----tiobench';
  const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="audio_file"; filename="audio_file"\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': head.length + total + tail.length } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
    (async () => {
      req.write(head);
      for (let sent = 0; sent < total; ) {
        const n = Math.min(one.length, total - sent);
        if (!req.write(one.subarray(0, n))) await new Promise((r) => req.once('drain', r));
        sent += n;
      }
      req.end(tail, onSent);
    })().catch(reject);
  });
}

const fmt = (bytes: number) => `${(bytes / MB).toFixed(1)} MB`;

const tdb = await createTestDatabase(PG ? 'postgres' : 'sqlite');
const serverDir = mkdtempSync(join(tmpdir(), 'tio-bench-server-'));
const workerDir = mkdtempSync(join(tmpdir(), 'tio-bench-worker-'));
const handle = openDatabase(tdb.url);
const children: ChildProcess[] = [];
try {
  await migrateToLatest(handle);
  const db = handle.db;
  const settings = new SettingsService(db);
  await settings.initDefaults();
  const model = await ensureTestModel(MODEL);
  await settings.bulkUpdate({
    whisper_model: model, whisper_threads: 2, whisper_best_of: 1, preset_balanced_beam_size: 1, whisper_temperature_fallback: false, vad_enabled: false,
    provider_timeout_seconds: 86400, worker_heartbeat_seconds: 1,
  });
  console.log(`database: ${tdb.kind}; upload: ${SECONDS} s of 16 kHz mono s16le PCM (${fmt(SECONDS * 32000)}); model: ${MODEL} (random weights)`);

  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const server = start(['server', '--host', '127.0.0.1', '--port', String(port)], { DATA_DIR: serverDir, DATABASE_URL: tdb.url, TRANSCRIPTORIO_NODE_NAME: 'server-node' });
  children.push(server);
  await until(async () => (await fetch(`${base}/health`)).ok, 120_000, 'the server');
  const worker = start(['worker', '--cpu', '1', '--node-name', 'worker-node'], { DATA_DIR: workerDir, DATABASE_URL: tdb.url });
  children.push(worker);
  const wrow = await until(async () => db.selectFrom('workers').select(['pid', 'status']).where('node', '=', 'worker-node').where('status', '=', 'idle').executeTakeFirst(), 120_000, 'the worker');
  const workerPid = Number(wrow.pid);
  await new Promise((r) => setTimeout(r, 2000));

  // ---- the long upload: stored by the server, read back by the worker, cancelled once the engine starts ----
  const serverIdle = await idleRss(server.pid!);
  const workerIdle = await idleRss(workerPid);
  const serverPeak = sampler(() => rssOf(server.pid!));
  let ffmpegPeak = 0;
  const ffmpegWatch = setInterval(() => {
    for (const c of childrenOf(server.pid!)) if (commOf(c) === 'ffmpeg') ffmpegPeak = Math.max(ffmpegPeak, rssOf(c));
  }, 20);
  const workerPeak = sampler(() => rssOf(workerPid));
  const t0 = performance.now();
  let sentAt = 0;
  const answer = pcmUpload(`${base}/asr?encode=false&language=en&output=srt`, SECONDS, () => (sentAt = performance.now())).catch((e: Error) => ({ status: 0, body: e.message }));
  const job = await until(async () => db.selectFrom('jobs').select(['id', 'options']).where('job_type', '=', 'provider_asr').executeTakeFirst(), 3_600_000, 'the job', 10);
  const queuedAt = performance.now();
  const server1 = serverPeak.stop();
  clearInterval(ffmpegWatch);
  const blob = (JSON.parse(job.options!) as { blob: BlobInfo }).blob;
  // The worker claims it, reads the audio, then starts the engine.
  let readFrom = 0;
  let readStartRss = 0;
  // Set inside the polling callback below: the initialiser's type keeps the compiler from narrowing it to null.
  let readPeak = null as ReturnType<typeof sampler> | null;
  let readTo = 0;
  await until(async () => {
    const r = await db.selectFrom('jobs').select(['current_stage', 'status']).where('id', '=', job.id).executeTakeFirst();
    if (r?.current_stage === 'reading_upload' && !readFrom) {
      readFrom = performance.now();
      // The engine is loaded by now: what the read adds from here on is the round trip's own.
      readStartRss = rssOf(workerPid);
      readPeak = sampler(() => rssOf(workerPid));
    }
    if (r?.current_stage === 'transcribing' || r?.status !== 'processing' && r?.status !== 'queued') return (readTo = performance.now());
    return false;
  }, 3_600_000, 'the engine to start', 10);
  const worker1 = workerPeak.stop();
  const worker2 = readPeak?.stop() ?? 0;
  await fetch(`${base}/api/jobs/${job.id}/cancel`, { method: 'POST' });
  await answer;

  // The worker's read path again, timed precisely here on the same stored audio.
  const out = mkdtempSync(join(tmpdir(), 'tio-bench-read-'));
  const benchIdle = await idleRss(process.pid, 500);
  const benchPeak = sampler(() => rssOf(process.pid));
  const r0 = performance.now();
  const restored = await restoreUpload(db, job.id, blob, out);
  const readSeconds = (performance.now() - r0) / 1000;
  const benchRead = benchPeak.stop();
  rmSync(out, { recursive: true, force: true });
  void restored;
  const storeSeconds = (queuedAt - sentAt) / 1000;
  const roundTrip = storeSeconds + readSeconds;

  console.log(`upload sent in ${((sentAt - t0) / 1000).toFixed(1)} s; stored as ${blob.format} ${fmt(blob.stored_bytes)} in ${blob.chunks} chunks (${((blob.stored_bytes / (SECONDS * 32000)) * 100).toFixed(0)} % of the PCM)`);
  console.log(`server Node: idle ${fmt(serverIdle)}, peak ${fmt(server1)}: growth ${fmt(Math.max(0, server1 - serverIdle))} (goal < 50 MB); its ffmpeg FLAC encoder child peaked at ${fmt(ffmpegPeak)}`);
  console.log(`worker process: idle ${fmt(workerIdle)}, peak from the claim until the engine starts ${fmt(worker1)}: growth ${fmt(Math.max(0, worker1 - workerIdle))} (goal < 50 MB); of it, while reading the audio (engine already loaded, RSS ${fmt(readStartRss)} at the start): ${fmt(Math.max(0, worker2 - readStartRss))}`);
  console.log(`the worker's read path (restoreUpload) run again in this process: RSS ${fmt(benchIdle)} -> peak ${fmt(benchRead)}: growth ${fmt(Math.max(0, benchRead - benchIdle))}`);
  console.log(`round trip: store after the body arrived ${storeSeconds.toFixed(2)} s + read back ${readSeconds.toFixed(2)} s = ${roundTrip.toFixed(2)} s (worker stage reading_upload seen for ~${readFrom ? ((readTo - readFrom) / 1000).toFixed(1) : '?'} s, 500 ms progress ticks)`);

  // ---- engine time on a shorter clip of the same audio, extrapolated (BENCH_ENGINE_SECONDS=0: skipped) ----
  if (ENGINE_SECONDS > 0) {
  const e0 = performance.now();
  const eng = await pcmUpload(`${base}/asr?encode=false&language=en&output=srt&initial_prompt=engine`, ENGINE_SECONDS, () => {});
  const engineWall = (performance.now() - e0) / 1000;
  if (eng.status !== 200) throw new Error(`engine run answered ${eng.status}: ${eng.body.slice(0, 300)}`);
  const ej = await db.selectFrom('jobs').select(['processing_time_seconds']).where('job_type', '=', 'provider_asr').where('status', '=', 'completed').executeTakeFirstOrThrow();
  const engineSeconds = Number(ej.processing_time_seconds);
  const extrapolated = (engineSeconds / ENGINE_SECONDS) * SECONDS;
  console.log(`engine (${MODEL}, 2 threads, VAD off): ${ENGINE_SECONDS} s of audio in ${engineSeconds.toFixed(1)} s of job time (${engineWall.toFixed(1)} s request wall) -> ${extrapolated.toFixed(0)} s for ${SECONDS} s (extrapolated)`);
  console.log(`round trip / engine time: ${((roundTrip / extrapolated) * 100).toFixed(2)} % (goal < 5 %)`);
  }
} finally {
  for (const c of children.reverse()) {
    if (c.exitCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await exited;
    }
  }
  await handle.close();
  await tdb.drop();
  rmSync(serverDir, { recursive: true, force: true });
  rmSync(workerDir, { recursive: true, force: true });
}
