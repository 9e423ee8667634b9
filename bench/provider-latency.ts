/**
 * What a short provider request waits beyond its transcription: a
 * Bazarr-style `/asr?encode=false` (raw PCM) and an OpenAI-style
 * `/v1/audio/transcriptions` (a WAV file) with jfk.wav's 11 s of speech,
 * against whisper-cli on the same audio with the same model (the minimal test
 * model, built as the other benches build it). The server runs as a child
 * process with one CPU worker (`server --workers 1`), on SQLite (PostgreSQL
 * when PG_TEST_URL is set: a fresh database next to it, dropped afterwards).
 *
 * Each request sends different audio (one sample changed), so none is
 * answered from a kept result; one warm-up request of each kind first (the
 * worker loads its model on its first job).
 *
 *   npm run bench:provider-latency
 *   BENCH_REQUESTS=11 npm run bench:provider-latency
 *   PG_TEST_URL=postgres://postgres@127.0.0.1:5432/test npm run bench:provider-latency
 *
 * Prints, per endpoint: median and p90 wall time, and the median overhead
 * over whisper-cli's median (the goal: under 100 ms).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { SettingsService } from '../src/settings/settings.service.js';
import { requireWhisperBinary } from '../src/transcription/binaries.js';
import { wavHeader } from '../src/transcription/index.js';
import { ensureTestModel } from '../scripts/test-model.js';
import { createTestDatabase } from '../test/helpers/db.js';
import { jfkPcm, multipart, post } from '../test/provider/provider-helpers.js';

const REQUESTS = Math.max(5, Number(process.env.BENCH_REQUESTS ?? 7));
const THREADS = 2;
const PG = process.env.PG_TEST_URL ?? '';
const BIN = fileURLToPath(new URL('../bin/transcriptorio.js', import.meta.url));

function freePort(): Promise<number> {
  return new Promise((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

async function until<T>(fn: () => Promise<T | undefined | null | false>, ms: number, what: string): Promise<T> {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const median = (xs: number[]) => quantile(xs, 0.5);
function quantile(xs: number[], q: number): number {
  const s = [...xs].sort((a, b) => a - b);
  const i = (s.length - 1) * q;
  const lo = Math.floor(i);
  return s[lo] + (s[Math.ceil(i)] - s[lo]) * (i - lo);
}
const ms = (x: number) => `${x.toFixed(0)} ms`;

/** jfk's samples with sample `n` changed by one: the same speech, another request key. */
function variant(n: number): Buffer {
  const pcm = Buffer.from(jfkPcm());
  const at = 2 * (1000 + n);
  pcm.writeInt16LE(Math.max(-32768, Math.min(32767, pcm.readInt16LE(at) + 1)), at);
  return pcm;
}

const tdb = await createTestDatabase(PG ? 'postgres' : 'sqlite');
const dataDir = mkdtempSync(join(tmpdir(), 'tio-bench-latency-'));
const handle = openDatabase(tdb.url);
let server: ChildProcess | null = null;
try {
  await migrateToLatest(handle);
  const settings = new SettingsService(handle.db);
  await settings.initDefaults();
  const model = await ensureTestModel('minimal');
  await settings.bulkUpdate({
    whisper_model: model, whisper_threads: THREADS, whisper_best_of: 1, preset_balanced_beam_size: 1, whisper_temperature_fallback: false, vad_enabled: false,
    worker_heartbeat_seconds: 1,
  });

  // ---- whisper-cli on the same audio: the limit ----
  const wav = join(dataDir, 'jfk.wav');
  const pcm = jfkPcm();
  writeFileSync(wav, Buffer.concat([wavHeader(pcm.length), pcm]));
  const cli = requireWhisperBinary('whisper-cli');
  const cliArgs = ['-m', model, '-f', wav, '-t', String(THREADS), '-bs', '1', '-bo', '1', '-nf', '-l', 'en', '-np'];
  const cliRun = () => {
    const t0 = performance.now();
    const r = spawnSync(cli, cliArgs, { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`whisper-cli failed: ${r.stderr.slice(-500)}`);
    return performance.now() - t0;
  };
  cliRun();

  // ---- the server with one worker ----
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const env: NodeJS.ProcessEnv = { ...process.env, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1', DATA_DIR: dataDir, DATABASE_URL: tdb.url };
  delete env.PORT;
  server = spawn(process.execPath, [BIN, 'server', '--host', '127.0.0.1', '--port', String(port), '--workers', '1'], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  await until(async () => (await fetch(`${base}/health`)).ok, 120_000, 'the server');
  await until(async () => handle.db.selectFrom('workers').select('worker_id').where('status', '=', 'idle').executeTakeFirst(), 120_000, 'the worker');

  let n = 0;
  const asr = async () => {
    const body = multipart([{ name: 'audio_file', value: variant(n++), filename: 'audio_file' }]);
    const t0 = performance.now();
    const r = await post(`${base}/asr?encode=false&task=transcribe&language=en&output=json`, body.body, body.contentType);
    if (r.status !== 200) throw new Error(`/asr answered ${r.status}: ${r.body.slice(0, 300)}`);
    return performance.now() - t0;
  };
  const openai = async () => {
    const p = variant(n++);
    const body = multipart([
      { name: 'file', value: Buffer.concat([wavHeader(p.length), p]), filename: 'jfk.wav' },
      { name: 'model', value: 'whisper-1' },
      { name: 'language', value: 'en' },
    ]);
    const t0 = performance.now();
    const r = await post(`${base}/v1/audio/transcriptions`, body.body, body.contentType);
    if (r.status !== 200) throw new Error(`/v1/audio/transcriptions answered ${r.status}: ${r.body.slice(0, 300)}`);
    return performance.now() - t0;
  };
  await asr();
  await openai();

  // In turns, so the machine's load falls on all three alike.
  const times = { cli: [] as number[], asr: [] as number[], openai: [] as number[] };
  for (let i = 0; i < REQUESTS; i++) {
    times.cli.push(cliRun());
    times.asr.push(await asr());
    times.openai.push(await openai());
  }
  const base0 = median(times.cli);
  console.log(`database: ${tdb.kind}; ${REQUESTS} requests each, 11 s of speech (jfk.wav), minimal model, ${THREADS} threads, VAD off`);
  console.log(`whisper-cli                  median ${ms(base0)}, p90 ${ms(quantile(times.cli, 0.9))}`);
  for (const [name, label] of [['asr', '/asr?encode=false        '], ['openai', '/v1/audio/transcriptions  ']] as const) {
    const t = times[name];
    console.log(`${label}   median ${ms(median(t))}, p90 ${ms(quantile(t, 0.9))}; overhead over whisper-cli: median ${ms(median(t) - base0)} (goal < 100 ms)`);
  }
} finally {
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server!.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  await handle.close();
  await tdb.drop();
  rmSync(dataDir, { recursive: true, force: true });
}
