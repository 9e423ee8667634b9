/**
 * WhisperEngine: the local TranscriptionEngine (engine.types.ts), one
 * whisper.cpp `whisper-server` child process per engine.
 *
 * Why a server process: the model is loaded once and stays loaded across
 * chunks and jobs (a worker's engine cache keeps its engine between jobs and
 * unloads it when idle); inference runs with the native build's full speed outside Node's
 * event loop; a crash or runaway allocation kills the child, not the worker;
 * cancel kills the child (instant, no half-aborted native state). Audio is
 * sent as WAV chunks of bounded length, so memory stays bounded on long films.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { existsSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { AppError } from '../errors.js';
import { toWhisperCode } from '../languages.js';
import { DEFAULT_WHISPER_DIR, requireWhisperBinary } from './binaries.js';
import { DEFAULT_VAD_MODEL, resolveModel } from './models.js';
import { detectSpeech, type Span } from './vad.js';
import type { EngineCapabilities, EngineResult, EngineRunHooks, LanguageDetection, SegmentDetails, TranscriptionEngine } from './engine.types.js';
import type { DecodeOptions, Device, Segment, Word } from './types.js';

export type { EngineResult } from './engine.types.js';

export interface EngineConfig {
  /** path to a ggml model file (resolve names with resolveModel first) */
  modelPath: string;
  device?: Device;
  gpuDevice?: number;
  threads?: number;
  /** path to a ggml Silero VAD model; VAD requests need it */
  vadModelPath?: string | null;
  /** model_used: the model as the resolver or the user named it; default the file name */
  label?: string;
  /** the whisper.cpp builds (Config.tools.whisperDir); default vendor/whisper in the package */
  whisperDir?: string;
}

type RequestOptions = DecodeOptions & { detectOnly?: boolean; languageProbabilities?: boolean };

const STARTUP_TIMEOUT_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => res(port));
    });
  });
}

function abortError(): Error {
  const err = new Error('transcription cancelled');
  err.name = 'AbortError';
  return err;
}

export class WhisperEngine implements TranscriptionEngine {
  readonly config: Required<Omit<EngineConfig, 'vadModelPath' | 'label'>> & { vadModelPath: string | null };
  readonly label: string;
  private child: ChildProcess | null = null;
  private port = 0;
  private stderrTail = '';
  private progressListener: ((p: number) => void) | null = null;
  private loading: Promise<void> | null = null;
  private busy = false;
  /** set by the ready check: how long the last model load took */
  loadMs = 0;
  /** the GPU the Vulkan build announced for this engine's device while loading (`ggml_vulkan: N = NAME (DRIVER)`); null otherwise */
  gpuName: string | null = null;
  /** whisper.cpp found no GPU for `-dev` and fell back to the CPU */
  private noGpu = false;

  constructor(config: EngineConfig) {
    this.config = {
      modelPath: config.modelPath,
      device: config.device ?? 'cpu',
      gpuDevice: config.gpuDevice ?? 0,
      threads: Math.max(1, config.threads ?? 4),
      vadModelPath: config.vadModelPath ?? null,
      whisperDir: config.whisperDir ?? DEFAULT_WHISPER_DIR,
    };
    this.label = config.label ?? basename(config.modelPath);
  }

  /** Creates an engine and loads its model. */
  static async create(config: EngineConfig): Promise<WhisperEngine> {
    const engine = new WhisperEngine(config);
    await engine.load();
    return engine;
  }

  get loaded(): boolean {
    return this.child !== null && this.child.exitCode === null && this.loading === null;
  }

  get deviceLabel(): string {
    return this.config.device === 'cpu' ? 'cpu' : `${this.config.device}:${this.config.gpuDevice}`;
  }

  get capabilities(): EngineCapabilities {
    return { vad: this.config.vadModelPath !== null, wordTimestamps: true, translate: true, device: this.deviceLabel };
  }

  get loadedModel(): string | null {
    return this.loaded ? basename(this.config.modelPath) : null;
  }

  /** Starts the server and waits until the model is loaded. Idempotent. */
  async load(): Promise<void> {
    if (this.child && this.child.exitCode === null && !this.loading) return;
    if (!this.loading) this.loading = this.start().finally(() => (this.loading = null));
    return this.loading;
  }

  private async start(): Promise<void> {
    const { modelPath, device, gpuDevice, threads, vadModelPath } = this.config;
    const bin = requireWhisperBinary('whisper-server', device, this.config.whisperDir);
    if (!existsSync(modelPath)) throw new AppError(422, 'model_missing', `Model file ${modelPath} does not exist`);
    if (statSync(modelPath).size < 1024) throw new AppError(422, 'model_corrupt', `Model file ${modelPath} is truncated`);
    this.port = await freePort();
    const args = ['-m', modelPath, '-t', String(threads), '--host', '127.0.0.1', '--port', String(this.port), '-pp'];
    if (device === 'cpu') args.push('-ng');
    else args.push('-dev', String(gpuDevice));
    if (vadModelPath) args.push('-vm', vadModelPath);
    const started = Date.now();
    this.stderrTail = '';
    this.gpuName = null;
    this.noGpu = false;
    const child = spawn(bin, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    this.child = child;
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-8000);
      if (this.loading) this.readStartupLines(this.stderrTail);
      if (!this.progressListener) return;
      for (const m of chunk.matchAll(/progress =\s*(\d+)%/g)) this.progressListener(Number(m[1]));
    });
    child.on('exit', () => {
      if (this.child === child) this.child = null;
    });
    const deadline = Date.now() + STARTUP_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (child.exitCode !== null || child.signalCode !== null) throw this.startupError();
      if (await this.healthy()) {
        if (this.noGpu) {
          this.kill();
          throw new AppError(503, 'gpu_unavailable', `The ${this.config.device} engine found no GPU ${this.config.gpuDevice} and would run on the CPU: check the device's driver, or use the cpu device.`);
        }
        this.loadMs = Date.now() - started;
        return;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    this.kill();
    throw new AppError(500, 'engine_start_failed', `whisper-server did not start within ${STARTUP_TIMEOUT_MS / 1000} s`);
  }

  /** `text`: the output so far (a line may come in two chunks). */
  private readStartupLines(text: string): void {
    if (this.config.device !== 'cpu' && /whisper_backend_init_gpu: no GPU found/.test(text)) this.noGpu = true;
    if (this.config.device !== 'vulkan' || this.gpuName) return;
    this.gpuName = new RegExp(`^ggml_vulkan: ${this.config.gpuDevice} = (.+?) \\| uma`, 'm').exec(text)?.[1] ?? null;
  }

  private startupError(): AppError {
    const tail = this.stderrTail;
    if (this.config.device === 'cuda' && /no CUDA-capable device|CUDA error|cudaGetDevice|no GPU found|ggml_cuda_init/i.test(tail)) {
      return new AppError(503, 'gpu_unavailable', `The CUDA engine could not use GPU ${this.config.gpuDevice}: no working NVIDIA driver or device. ${lastLines(tail, 3)}`);
    }
    if (/failed to (load|initialize) whisper|invalid model|bad magic|wrong (shape|size)|not all tensors/i.test(tail)) {
      return new AppError(422, 'model_corrupt', `whisper.cpp cannot load ${this.config.modelPath}: ${lastLines(tail, 3)}`);
    }
    return new AppError(500, 'engine_start_failed', `whisper-server exited during start-up: ${lastLines(tail, 5)}`);
  }

  private healthy(): Promise<boolean> {
    return new Promise((res) => {
      const req = request({ host: '127.0.0.1', port: this.port, path: '/health', method: 'GET', timeout: 1000 }, (r) => {
        r.resume();
        res(r.statusCode === 200);
      });
      req.on('error', () => res(false));
      req.on('timeout', () => {
        req.destroy();
        res(false);
      });
      req.end();
    });
  }

  /**
   * Transcribes one WAV buffer (16 kHz mono s16). Times in the result are
   * relative to the buffer's start. One request at a time per engine.
   */
  transcribeWav(wav: Buffer, opts: DecodeOptions & { languageProbabilities?: boolean }, hooks: EngineRunHooks = {}): Promise<EngineResult> {
    return this.infer(wav, opts, hooks);
  }

  /** The language of one WAV window, with the probabilities of every language. */
  async detectLanguage(wav: Buffer, hooks: Pick<EngineRunHooks, 'signal'> = {}): Promise<LanguageDetection> {
    const r = await this.infer(wav, { detectOnly: true }, hooks);
    return { language: r.language, probabilities: r.languageProbabilities ?? {} };
  }

  /** Speech spans of a WAV file with this engine's VAD model (whisper-vad-speech-segments). */
  async speechSpans(wavPath: string, hooks: Pick<EngineRunHooks, 'signal'> = {}): Promise<Span[]> {
    if (!this.config.vadModelPath) return [];
    return detectSpeech(wavPath, this.config.vadModelPath, { threads: this.config.threads, signal: hooks.signal, whisperDir: this.config.whisperDir });
  }

  private async infer(wav: Buffer, opts: RequestOptions, hooks: EngineRunHooks): Promise<EngineResult> {
    if (hooks.signal?.aborted) throw abortError();
    if (this.busy) throw new Error('WhisperEngine runs one transcription at a time');
    this.busy = true;
    try {
      await this.load();
      // A cancel that came while the model was loading: the abort listener below
      // would never fire for it, and the whole chunk would be decoded first.
      if (hooks.signal?.aborted) throw abortError();
      const fields = requestFields(opts, this.config.vadModelPath !== null);
      this.progressListener = hooks.onProgress ?? null;
      const body = await this.post(fields, wav, hooks.signal);
      return parseVerboseJson(body, opts);
    } finally {
      this.progressListener = null;
      this.busy = false;
    }
  }

  private post(fields: Record<string, string>, wav: Buffer, signal?: AbortSignal): Promise<string> {
    const boundary = `----transcriptorio${Date.now().toString(16)}`;
    const parts: Buffer[] = [];
    for (const [k, v] of Object.entries(fields)) {
      parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`));
    }
    parts.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="audio.wav"\r\nContent-Type: audio/wav\r\n\r\n`));
    const head = Buffer.concat(parts);
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    // Written in three pieces, not concatenated: a chunk is 32 kB per second and a
    // joined copy would double Node's share of the job's peak memory.
    const length = head.length + wav.length + tail.length;
    return new Promise((res, rej) => {
      const onAbort = () => {
        req.destroy();
        // Killing is the only cancel that is immediate whatever whisper is doing;
        // the next job reloads the model.
        this.kill();
        rej(abortError());
      };
      const req = request(
        {
          host: '127.0.0.1',
          port: this.port,
          path: '/inference',
          method: 'POST',
          headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': length },
        },
        (r) => {
          let text = '';
          r.setEncoding('utf8');
          r.on('data', (c: string) => (text += c));
          r.on('end', () => {
            signal?.removeEventListener('abort', onAbort);
            if (r.statusCode !== 200) rej(new AppError(500, 'engine_failed', `whisper-server answered ${r.statusCode}: ${text.slice(0, 300)} ${lastLines(this.stderrTail, 3)}`));
            else res(text);
          });
        },
      );
      req.on('error', (err) => {
        signal?.removeEventListener('abort', onAbort);
        if (signal?.aborted) return;
        const crashed = !this.child;
        rej(new AppError(500, crashed ? 'engine_crashed' : 'engine_failed', `whisper-server ${crashed ? 'crashed' : 'failed'}: ${err.message}. ${lastLines(this.stderrTail, 5)}`));
      });
      signal?.addEventListener('abort', onAbort, { once: true });
      if (signal?.aborted) return onAbort();
      req.write(head);
      req.write(wav);
      req.end(tail);
    });
  }

  private kill(): void {
    const child = this.child;
    this.child = null;
    if (child && child.exitCode === null) child.kill('SIGKILL');
  }

  /** Frees the model (the process ends). A later transcription loads it again. */
  async unload(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const exited = new Promise<void>((r) => (child.exitCode !== null ? r() : child.once('exit', () => r())));
    this.child = null;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
    await exited;
    clearTimeout(timer);
  }

  async close(): Promise<void> {
    await this.unload();
  }

  /** Process id of the server, for resource readings (RSS, VRAM). */
  get pid(): number | null {
    return this.child?.pid ?? null;
  }
}

/** What a local engine is built from: the model and VAD settings of a job or of the CLI's flags. */
export interface LocalEngineOptions {
  /** a catalogue name (resolved against modelDir) or a path to a ggml file */
  model: string;
  modelDir: string;
  threads?: number;
  device?: Device;
  gpuDevice?: number;
  vad?: boolean;
  /** VAD model name or path; default `silero-v6.2.0` (bundled); null: no VAD */
  vadModelPath?: string | null;
  /** the whisper.cpp builds (Config.tools.whisperDir); default vendor/whisper in the package */
  whisperDir?: string;
}

/** The VAD model file a local engine loads: none with VAD off or null, the bundled default when none is named. */
export function vadModelFile(o: Pick<LocalEngineOptions, 'vad' | 'vadModelPath' | 'modelDir'>): string | null {
  const name = o.vadModelPath === undefined ? DEFAULT_VAD_MODEL : o.vadModelPath;
  return o.vad === false || !name ? null : resolveModel(name, o.modelDir);
}

/** The local engine's configuration for these options: model and VAD model resolved to files (model_missing when absent). */
export function localEngineConfig(o: LocalEngineOptions): EngineConfig {
  return { modelPath: resolveModel(o.model, o.modelDir), vadModelPath: vadModelFile(o), device: o.device, gpuDevice: o.gpuDevice, threads: o.threads, label: o.model, whisperDir: o.whisperDir };
}

/**
 * Runs `fn` with a local engine built for these options and closes it after:
 * for callers without a worker's engine cache (the CLI, tests, benchmarks).
 *
 * @example
 * await withLocalEngine(opts, (engine) => transcribeMedia(file, opts, { engine }));
 */
export async function withLocalEngine<T>(o: LocalEngineOptions, fn: (engine: WhisperEngine) => Promise<T>): Promise<T> {
  const engine = new WhisperEngine(localEngineConfig(o));
  try {
    return await fn(engine);
  } finally {
    await engine.close();
  }
}

function lastLines(text: string, n: number): string {
  return text.trim().split('\n').slice(-n).join(' | ');
}

/**
 * whisper-server keeps every parameter a request sets for the requests after
 * it, so each request states all of them.
 */
function requestFields(opts: RequestOptions, vadAvailable: boolean): Record<string, string> {
  const lang = opts.language && opts.language !== 'auto' ? opts.language : 'auto';
  const beam = Math.max(1, opts.beamSize ?? 1);
  return {
    response_format: 'verbose_json',
    language: opts.detectOnly ? 'auto' : lang,
    detect_language: String(!!opts.detectOnly),
    translate: String(opts.task === 'translate'),
    beam_size: String(beam > 1 ? beam : -1),
    best_of: String(Math.max(1, opts.bestOf ?? 1)),
    temperature: String(opts.temperature ?? 0),
    temperature_inc: String(opts.temperatureFallback === false ? 0 : 0.2),
    prompt: opts.initialPrompt ?? '',
    token_timestamps: String(opts.wordTimestamps !== false),
    split_on_word: 'true',
    no_timestamps: 'false',
    vad: String(!!opts.vad && vadAvailable && !opts.detectOnly),
    vad_threshold: String(opts.vadThreshold ?? 0.5),
    // The server runs an extra encoder pass for these: only when asked.
    no_language_probabilities: String(!(opts.detectOnly || opts.languageProbabilities)),
  };
}

interface VerboseJson {
  language?: string;
  duration?: number;
  detected_language?: string;
  detected_language_probability?: number;
  language_probabilities?: Record<string, number>;
  segments?: {
    start?: number;
    end?: number;
    text?: string;
    no_speech_prob?: number;
    avg_logprob?: number;
    tokens?: number[];
    temperature?: number;
    words?: { word: string; start?: number; end?: number; probability?: number }[];
  }[];
}

const SPECIAL_TOKEN = /\[_[A-Z]+_?\d*\]|\[_(?:BEG|SOT|EOT|TT_\d+)_?\]|<\|[^|]*\|>/g;

function parseVerboseJson(body: string, opts: DecodeOptions): EngineResult {
  let json: VerboseJson;
  try {
    json = JSON.parse(body) as VerboseJson;
  } catch {
    throw new AppError(500, 'engine_failed', `whisper-server returned an unreadable answer: ${body.slice(0, 200)}`);
  }
  const segments: Segment[] = [];
  // Timestamp tokens can point past the audio (badly trained or confused models): keep cues inside it.
  const limit = json.duration ?? Infinity;
  const clamp = (x: number) => Math.min(limit, Math.max(0, x));
  for (const s of json.segments ?? []) {
    const text = (s.text ?? '').replace(SPECIAL_TOKEN, '').trim();
    const start = clamp(s.start ?? 0);
    const end = Math.max(start, clamp(s.end ?? start));
    if (end - start <= 0 && start >= limit) continue;
    let words: Word[] | undefined;
    if (opts.wordTimestamps !== false && s.words) {
      words = [];
      for (const w of s.words) {
        const t = w.word.replace(SPECIAL_TOKEN, '');
        if (!t.trim() || w.start === undefined || w.end === undefined) continue;
        const ws = Math.min(end, Math.max(start, w.start));
        words.push({ text: t, start: ws, end: Math.min(end, Math.max(ws, w.end)), probability: w.probability });
      }
    }
    if (!text) continue;
    const details: SegmentDetails = {
      ...(Array.isArray(s.tokens) ? { tokens: s.tokens.filter((t) => Number.isInteger(t)) } : {}),
      ...(typeof s.temperature === 'number' ? { temperature: s.temperature } : {}),
    };
    const segment: Segment & SegmentDetails = { start, end, text, words, noSpeechProb: s.no_speech_prob, avgLogprob: s.avg_logprob, ...details };
    segments.push(segment);
  }
  let language: string | null = null;
  const probs = json.language_probabilities;
  if (probs && Object.keys(probs).length) {
    language = Object.entries(probs).sort((a, b) => b[1] - a[1])[0][0];
  } else if (opts.language && opts.language !== 'auto') {
    language = opts.language;
  } else if (json.language) {
    language = toWhisperCode(json.language) ?? json.language;
  }
  return { segments, language, languageProbabilities: probs };
}
