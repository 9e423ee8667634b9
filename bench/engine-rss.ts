/**
 * Peak memory of one pipeline run on a long file: the Node process plus its
 * whisper-server child, sampled together every 100 ms (the tree's peak), and
 * each process's own high-water mark (VmHWM). Started by bench/engine.ts:
 *
 *   tsx bench/engine-rss.ts <media> <model> <threads> <maxChunks|0> <vadModel>
 *
 * maxChunks > 0 cancels after that many 600 s chunks: memory is bounded per
 * chunk, so the first chunks (after the whole file was extracted) reach the peak.
 */
import { copyFileSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhisperEngine } from '../src/transcription/engine.js';
import { transcribeMedia } from '../src/transcription/pipeline.js';

const [media, model, threadsArg, chunksArg, vadModel] = process.argv.slice(2);
const threads = Number(threadsArg);
const maxChunks = Number(chunksArg);
const CHUNK = 600;

function status(pid: number, key: 'VmRSS' | 'VmHWM'): number {
  try {
    const m = new RegExp(`${key}:\\s+(\\d+) kB`).exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

const dir = mkdtempSync(join(tmpdir(), 'tio-rss-'));
const copy = join(dir, 'Long.wav');
copyFileSync(media, copy);
const engine = await WhisperEngine.create({ modelPath: model, threads, vadModelPath: vadModel });
const serverPid = engine.pid!;
let treePeak = 0;
let serverHwm = 0;
const sample = () => {
  treePeak = Math.max(treePeak, status(process.pid, 'VmRSS') + status(serverPid, 'VmRSS'));
  serverHwm = Math.max(serverHwm, status(serverPid, 'VmHWM'));
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
    { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dir, threads, beamSize: 1, bestOf: 1, temperatureFallback: false, wordTimestamps: false, vad: true, vadModelPath: vadModel, writeOutput: false },
    {
      engine,
      signal: ac.signal,
      onStage: (stage, progress) => {
        if (stage !== 'transcribing') return;
        // Overall progress 12..95 maps to the transcribed share of the audio.
        transcribed = ((progress - 12) / 83) * duration;
        if (maxChunks > 0 && transcribed >= maxChunks * CHUNK - 1 && !ac.signal.aborted) {
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
  `peak RSS, ${f(duration)} s file, model ${f(modelMb)} MB (${model.split('/').pop()}), ${stopped ? `stopped after ${maxChunks} chunk(s) of ${CHUNK} s` : 'whole file'}, ${wall.toFixed(1)} s:`,
);
console.log(`  tree (node + whisper-server, sampled) ${f(treePeak)} MB; node VmHWM ${f(nodeHwm)} MB; whisper-server VmHWM ${f(serverHwm)} MB`);
console.log(`  budget model + 300 MB = ${f(modelMb + 300)} MB -> ${treePeak <= modelMb + 300 ? 'met' : 'NOT met'}`);
