/**
 * Peak memory of one pipeline run on a long file: the Node process plus its
 * whisper-server child, sampled together every 100 ms (the tree's peak), and
 * each process's own high-water mark (VmHWM). Started by bench/engine.ts:
 *
 *   tsx bench/engine-rss.ts <media> <model> <threads> <maxChunks|0> <vadModel>
 *
 * maxChunks > 0 cancels after that many 600 s of audio (several chunks when
 * chunks are shorter): memory is bounded per chunk, so the first chunks (after
 * the whole file was extracted) reach the peak. BENCH_RSS_CHUNK_SECONDS sets
 * the pipeline's chunk length (default: the pipeline's own).
 *
 * The tree is every descendant of this process (whisper-server, and ffmpeg
 * while it extracts), found afresh at each sample, so a restarted server or a
 * second engine is counted too.
 */
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { WhisperEngine } from '../src/transcription/engine.js';
import { transcribeMedia } from '../src/transcription/pipeline.js';
import { DEFAULT_CHUNK_SECONDS } from '../src/transcription/transcribe-audio.js';

const [mediaArg, modelArg, threadsArg, chunksArg, vadArg] = process.argv.slice(2);
// Absolute paths: the pipeline reuses the engine only when the resolved model paths match.
const [media, model, vadModel] = [mediaArg, modelArg, vadArg].map((p) => resolve(p));
const threads = Number(threadsArg);
const maxChunks = Number(chunksArg);
const STOP_UNIT = 600;
const chunkSeconds = Number(process.env.BENCH_RSS_CHUNK_SECONDS || DEFAULT_CHUNK_SECONDS);

function status(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

function descendants(pid: number): number[] {
  const out: number[] = [];
  let kids: string[] = [];
  try {
    for (const t of readdirSync(`/proc/${pid}/task`)) kids.push(...readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').split(' ').filter(Boolean));
  } catch {
    kids = [];
  }
  for (const k of kids) out.push(Number(k), ...descendants(Number(k)));
  return out;
}

const dir = mkdtempSync(join(tmpdir(), 'tio-rss-'));
const copy = join(dir, 'Long.wav');
copyFileSync(media, copy);
const engine = await WhisperEngine.create({ modelPath: model, threads, vadModelPath: vadModel });
const serverPid = engine.pid!;
let treePeak = 0;
let serverHwm = 0;
let peakParts = '';
const comm = (pid: number) => {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
};
const sample = () => {
  const parts = [process.pid, ...descendants(process.pid)].map((pid) => ({ name: comm(pid), mb: status(pid, 'VmRSS') }));
  const tree = parts.reduce((n, p) => n + p.mb, 0);
  if (tree > treePeak) {
    treePeak = tree;
    peakParts = parts.map((p) => `${p.name} ${p.mb.toFixed(0)}`).join(' + ');
  }
  serverHwm = Math.max(serverHwm, status(engine.pid ?? serverPid, 'VmHWM'));
};
const timer = setInterval(sample, 100);
const ac = new AbortController();
const t0 = performance.now();
// The media is a 16 kHz mono s16 WAV written by the benchmark.
const duration = (statSync(media).size - 44) / 32000;
let transcribed = 0;
let stopped = false;
try {
  await transcribeMedia(
    copy,
    { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dir, threads, beamSize: 1, bestOf: 1, temperatureFallback: false, wordTimestamps: false, vad: true, vadModelPath: vadModel, writeOutput: false, chunkSeconds },
    {
      engine,
      signal: ac.signal,
      onStage: (stage, progress) => {
        if (stage !== 'transcribing') return;
        // Overall progress 12..95 maps to the transcribed share of the audio.
        transcribed = ((progress - 12) / 83) * duration;
        if (maxChunks > 0 && transcribed >= Math.min(duration, maxChunks * STOP_UNIT) - 1 && !ac.signal.aborted) {
          stopped = true;
          ac.abort();
        }
      },
    },
  );
} catch (err) {
  if ((err as Error).name !== 'AbortError') throw err;
}
sample();
clearInterval(timer);
const wall = (performance.now() - t0) / 1000;
const nodeHwm = process.resourceUsage().maxRSS / 1024;
const modelMb = statSync(model).size / 2 ** 20;
await engine.close().catch(() => {});
rmSync(dir, { recursive: true, force: true });
const f = (n: number) => n.toFixed(0);
console.log(
  `peak RSS, ${f(duration)} s file, model ${f(modelMb)} MB (${model.split('/').pop()}), chunks of ${chunkSeconds} s, ${stopped ? `stopped after ${maxChunks * STOP_UNIT} s of audio` : 'whole file'}, ${wall.toFixed(1)} s:`,
);
console.log(`  tree (node + children, sampled) ${f(treePeak)} MB; node VmHWM ${f(nodeHwm)} MB; whisper-server VmHWM ${f(serverHwm)} MB`);
console.log(`  at the peak: ${peakParts} MB`);
console.log(`  budget model + 300 MB = ${f(modelMb + 300)} MB -> ${treePeak <= modelMb + 300 ? 'met' : 'NOT met'}`);
