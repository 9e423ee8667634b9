/**
 * Engine benchmark: whisper.cpp's own whisper-cli (the limit) vs the
 * product's engine alone vs the whole pipeline, same model, same threads and
 * the SAME decoding parameters in all three (printed below): a random-weight
 * model decodes until whisper.cpp's per-window token cap, so any option or
 * window difference changes the work done and the comparison means nothing.
 *
 *   npm run bench:engine                 # 10-minute speech file, tiny-dimension model
 *   BENCH_SECONDS=120 npm run bench:engine
 *   BENCH_REPEAT=3 npm run bench:engine  # best of 3, runs interleaved (shared machines)
 *   BENCH_RSS_SECONDS=7200 npm run bench:engine   # also peak RSS on a 2-hour file
 *     BENCH_RSS_MODEL=minimal|tiny (default tiny), BENCH_RSS_CHUNKS=N stops after N x 600 s of audio,
 *     BENCH_RSS_CHUNK_SECONDS=S sends chunks of S seconds (default: the pipeline's)
 *
 * Besides wall time each run prints the CPU seconds of the inference process
 * (whisper-cli, or the whisper-server child): on a machine shared with other
 * work wall time swings, CPU time much less. The load average is printed too.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestModel } from '../scripts/test-model.js';
import { requireWhisperBinary } from '../src/transcription/binaries.js';
import { WhisperEngine } from '../src/transcription/engine.js';
import { transcribeWavChunked } from '../src/transcription/transcribe-audio.js';
import { extractAudio, probeMedia, selectAudioStream } from '../src/transcription/audio.js';
import { transcribeMedia, type Stage } from '../src/transcription/pipeline.js';
import type { DecodeOptions } from '../src/transcription/types.js';
import { loopedSpeech, SILERO } from '../test/fixtures-gen/engine-media.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const repeat = Math.max(1, Number(process.env.BENCH_REPEAT ?? 1));
const rssSeconds = Number(process.env.BENCH_RSS_SECONDS ?? 0);
const dir = mkdtempSync(join(tmpdir(), 'tio-bench-'));
const cacheDir = join(process.cwd(), '.cache', 'bench');
mkdirSync(cacheDir, { recursive: true });

function media(sec: number): string {
  const f = join(cacheDir, `speech-${sec}s.wav`);
  if (!existsSync(f)) loopedSpeech(f, sec);
  return f;
}

/** utime + stime of a process, seconds (Linux /proc). */
function cpuSeconds(pid: number): number {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
}

interface Run {
  wall: number;
  cpu: number;
}
const best = (runs: Run[]): Run => runs.reduce((a, b) => (b.wall < a.wall ? b : a));

// One set of decoding parameters for every run, stated explicitly. Greedy and no
// temperature fallback: with random weights fallback would re-decode every window.
const DECODE: Required<Pick<DecodeOptions, 'language' | 'task' | 'beamSize' | 'bestOf' | 'temperature' | 'temperatureFallback' | 'wordTimestamps' | 'vad'>> = {
  language: 'en',
  task: 'transcribe',
  beamSize: 1,
  bestOf: 1,
  temperature: 0,
  temperatureFallback: false,
  wordTimestamps: false,
  vad: false,
};
// whisper-cli flags for exactly those parameters (greedy best-of 1, no fallback, no
// token timestamps, language given so no detection pass).
const CLI_ARGS = ['-bs', '1', '-bo', '1', '-tp', '0', '-nf', '-l', 'en', '-np'];

const model = await ensureTestModel('tiny');
const input = media(seconds);
const cli = requireWhisperBinary('whisper-cli');

async function runCli(): Promise<Run> {
  const r = spawnSync('/usr/bin/time', ['-f', 'TIME %e %U %S', cli, '-m', model, '-f', input, '-t', String(threads), ...CLI_ARGS], { encoding: 'utf8' });
  const m = /TIME ([\d.]+) ([\d.]+) ([\d.]+)/.exec(r.stderr);
  if (r.status !== 0 || !m) throw new Error(`whisper-cli failed: ${r.stderr.slice(-500)}`);
  return { wall: Number(m[1]), cpu: Number(m[2]) + Number(m[3]) };
}

async function runExtract(): Promise<Run> {
  const t0 = performance.now();
  const info = await probeMedia(input);
  await extractAudio(input, selectAudioStream(info), join(dir, 'x.wav'), { duration: info.duration });
  return { wall: (performance.now() - t0) / 1000, cpu: 0 };
}

async function runEngine(): Promise<Run & { segments: number }> {
  const engine = await WhisperEngine.create({ modelPath: model, threads });
  const c0 = cpuSeconds(engine.pid!);
  const t0 = performance.now();
  const r = await transcribeWavChunked(input, engine, DECODE);
  const run = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(engine.pid!) - c0, segments: r.segments.length };
  await engine.close();
  return run;
}

/**
 * The whole pipeline on a copy of the media, with a loaded engine handed in as
 * a worker does (model load is outside the timing, as for the engine alone).
 */
async function runPipeline(vad: boolean, stages?: Map<Stage, number>): Promise<Run> {
  const copy = join(dir, 'Bench.wav');
  copyFileSync(input, copy);
  const engine = await WhisperEngine.create({ modelPath: model, threads, vadModelPath: vad ? SILERO : null });
  const c0 = cpuSeconds(engine.pid!);
  const t0 = performance.now();
  let stage: Stage | null = null;
  await transcribeMedia(
    copy,
    { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dir, threads, ...DECODE, vad, vadModelPath: vad ? SILERO : null },
    {
      engine,
      onStage: (s) => {
        if (s !== stage && stages) stages.set(s, (performance.now() - t0) / 1000);
        stage = s;
      },
    },
  );
  const run = { wall: (performance.now() - t0) / 1000, cpu: cpuSeconds(engine.pid!) - c0 };
  await engine.close();
  rmSync(copy, { force: true });
  return run;
}

const f = (n: number) => n.toFixed(2);
const load0 = loadavg()[0];
console.log(`audio ${seconds} s (jfk.wav looped), tiny-dimension random model, ${threads} threads, best of ${repeat}`);
console.log(`decoding (all runs): ${JSON.stringify(DECODE)}`);
console.log(`whisper-cli args: -t ${threads} ${CLI_ARGS.join(' ')}`);
const cliRuns: Run[] = [];
const extractRuns: Run[] = [];
const engineRuns: Run[] = [];
const pipeRuns: Run[] = [];
const vadRuns: Run[] = [];
const stages = new Map<Stage, number>();
let segments = 0;
// Interleaved so a burst of load elsewhere hits every kind of run alike.
for (let i = 0; i < repeat; i++) {
  cliRuns.push(await runCli());
  extractRuns.push(await runExtract());
  const e = await runEngine();
  segments = e.segments;
  engineRuns.push(e);
  pipeRuns.push(await runPipeline(false, i === 0 ? stages : undefined));
  vadRuns.push(await runPipeline(true));
}
const [c, x, e, p, v] = [best(cliRuns), best(extractRuns), best(engineRuns), best(pipeRuns), best(vadRuns)];
console.log(`whisper-cli (limit)          ${f(c.wall)} s  (cpu ${f(c.cpu)} s)`);
console.log(`engine alone                 ${f(e.wall)} s  (cpu ${f(e.cpu)} s, ${segments} segments)  ratio to whisper-cli ${f(e.wall / c.wall)} (target <= 1.2)`);
console.log(`extraction (ffmpeg)          ${f(x.wall)} s`);
console.log(`pipeline, VAD off            ${f(p.wall)} s  (cpu ${f(p.cpu)} s)  ratio to engine+extraction ${f(p.wall / (e.wall + x.wall))} (target <= 1.05)`);
console.log(`  stage starts (s): ${[...stages].map(([s, t]) => `${s} ${f(t)}`).join(', ')}`);
console.log(`pipeline, VAD on (default)   ${f(v.wall)} s  (cpu ${f(v.cpu)} s)`);
console.log(`load average (1 min) at start ${f(load0)}, at end ${f(loadavg()[0])} on ${(await import('node:os')).cpus().length} cores`);

if (rssSeconds > 0) {
  // A fresh process, so the figure is the pipeline's own and not this benchmark's buffers.
  const rssModel = await ensureTestModel(process.env.BENCH_RSS_MODEL === 'minimal' ? 'minimal' : 'tiny');
  const long = media(rssSeconds);
  const args = ['--import', 'tsx', join(process.cwd(), 'bench', 'engine-rss.ts'), long, rssModel, String(threads), process.env.BENCH_RSS_CHUNKS ?? '0', SILERO];
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  process.stdout.write(out);
}
rmSync(dir, { recursive: true, force: true });
