/**
 * Engine benchmark: whisper.cpp's own whisper-cli (the limit) vs the
 * product's engine alone vs the whole pipeline, same model, same threads.
 *
 *   npm run bench:engine                 # 10-minute speech file, tiny-dimension model
 *   BENCH_SECONDS=120 npm run bench:engine
 *   BENCH_RSS_SECONDS=7200 npm run bench:engine   # also peak RSS on a 2-hour file
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureTestModel } from '../scripts/test-model.js';
import { requireWhisperBinary } from '../src/transcription/binaries.js';
import { WhisperEngine } from '../src/transcription/engine.js';
import { transcribeWavChunked } from '../src/transcription/transcribe-audio.js';
import { extractAudio, probeMedia, selectAudioStream } from '../src/transcription/audio.js';
import { transcribeMedia } from '../src/transcription/pipeline.js';
import { loopedSpeech, JFK, SILERO } from '../test/fixtures-gen/engine-media.js';

const seconds = Number(process.env.BENCH_SECONDS ?? 600);
const threads = Number(process.env.BENCH_THREADS ?? 2);
const rssSeconds = Number(process.env.BENCH_RSS_SECONDS ?? 0);
const dir = mkdtempSync(join(tmpdir(), 'tio-bench-'));
const cacheDir = join(process.cwd(), '.cache', 'bench');
mkdirSync(cacheDir, { recursive: true });

function media(sec: number): string {
  const f = join(cacheDir, `speech-${sec}s.wav`);
  if (!existsSync(f)) loopedSpeech(f, sec);
  return f;
}

const time = async <T>(fn: () => Promise<T> | T): Promise<[number, T]> => {
  const t0 = performance.now();
  const r = await fn();
  return [(performance.now() - t0) / 1000, r];
};

const model = await ensureTestModel('tiny');
const input = media(seconds);
// Same decoding everywhere: greedy, no temperature fallback (random weights would fall back forever).
const cli = requireWhisperBinary('whisper-cli');
const [tCli] = await time(() => execFileSync(cli, ['-m', model, '-f', input, '-t', String(threads), '-bs', '1', '-bo', '1', '-nf', '-np', '-l', 'en'], { stdio: 'ignore' }));

const [tExtract] = await time(async () => {
  const info = await probeMedia(input);
  await extractAudio(input, selectAudioStream(info), join(dir, 'x.wav'), { duration: info.duration });
});

const engine = await WhisperEngine.create({ modelPath: model, threads, vadModelPath: SILERO });
const [tEngine] = await time(() => transcribeWavChunked(input, engine, { language: 'en', beamSize: 1, bestOf: 1, temperatureFallback: false, vad: false, wordTimestamps: false }));
await engine.close();

const copy = join(dir, 'Bench.wav');
copyFileSync(input, copy);
const [tPipeline] = await time(() =>
  transcribeMedia(copy, { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dir, threads, beamSize: 1, bestOf: 1, temperatureFallback: false, vad: true, vadModelPath: SILERO }),
);
const [tPipelineNoVad] = await time(() =>
  transcribeMedia(copy, { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dir, threads, beamSize: 1, bestOf: 1, temperatureFallback: false, vad: false, wordTimestamps: false }),
);

const f = (n: number) => n.toFixed(2);
console.log(`audio ${seconds} s (jfk.wav looped), tiny-dimension random model, ${threads} threads, greedy`);
console.log(`whisper-cli (limit)          ${f(tCli)} s`);
console.log(`engine alone                 ${f(tEngine)} s   ratio to whisper-cli ${f(tEngine / tCli)} (target <= 1.2)`);
console.log(`extraction (ffmpeg)          ${f(tExtract)} s`);
console.log(`pipeline, VAD off            ${f(tPipelineNoVad)} s   ratio to engine+extraction ${f(tPipelineNoVad / (tEngine + tExtract))} (target <= 1.05)`);
console.log(`pipeline, VAD on (default)   ${f(tPipeline)} s`);

if (rssSeconds > 0) {
  // Peak RSS of the whisper-server child on a long file, read by GNU time around a child run.
  const long = media(rssSeconds);
  const script = join(dir, 'rss.mts');
  const { writeFileSync } = await import('node:fs');
  writeFileSync(script, `import { transcribeMedia } from '${join(process.cwd(), 'src/transcription/pipeline.ts')}';\nawait transcribeMedia(${JSON.stringify(long)}, { targetLang: 'eng', sourceLang: 'eng', model: ${JSON.stringify(model)}, modelDir: '.', threads: ${threads}, beamSize: 1, bestOf: 1, temperatureFallback: false, vad: true, vadModelPath: ${JSON.stringify(SILERO)}, writeOutput: false });\n`);
  const r = spawnSync('/usr/bin/time', ['-v', process.execPath, '--import', 'tsx', script], { encoding: 'utf8' });
  const peak = /Maximum resident set size \(kbytes\): (\d+)/.exec(r.stderr)?.[1];
  console.log(`peak RSS, ${rssSeconds} s file: ${peak ? (Number(peak) / 1024).toFixed(0) : '?'} MB (largest process: node or whisper-server); model ${(statSync(model).size / 2 ** 20).toFixed(0)} MB`);
}
rmSync(dir, { recursive: true, force: true });
