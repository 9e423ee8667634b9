/**
 * A remote Whisper server as the engine: another whisper-asr-webservice
 * (`/asr?output=json`, `/detect-language`) or an OpenAI-compatible server
 * (`/v1/audio/transcriptions`, `response_format=verbose_json`), for users who
 * already run one on a GPU box.
 *
 * It implements the pipeline's TranscriptionEngine
 * (../engine.types.ts), like the local WhisperEngine, so audio
 * extraction, chunking, language detection windows, regrouping, translation,
 * file writing and the job's progress stages stay the pipeline's: only the
 * decoding of each chunk (at most `chunkSeconds` of 16 kHz WAV) goes over
 * the network. It holds no model here (`capabilities.vad` false: the server
 * does its own VAD). Each request has a timeout and is retried with back-off
 * on network errors, 429 and 5xx.
 */
import { AppError } from '../../errors.js';
import { toWhisperCode } from '../../languages.js';
import { remoteEngineLabel } from '../resolve.js';
import type { EngineCapabilities, EngineResult, EngineRunHooks, LanguageDetection, TranscriptionEngine } from '../engine.types.js';
import type { DecodeOptions, Segment, Word } from '../types.js';
import type { Span } from '../vad.js';
import type { SettingKey } from '../../settings/definitions/index.js';
import { abortError, withRetries } from '../../retry.js';

type RemoteBackend = 'remote_asr' | 'remote_openai';

export interface RemoteEngineSettings {
  backend: RemoteBackend;
  url: string;
  apiKey: string | null;
  model: string;
  timeoutSeconds: number;
  retries: number;
  /** first back-off delay; doubles per retry */
  backoffMs?: number;
}

type Get = (key: SettingKey) => unknown;

/**
 * How to reach the remote server of `backend` (the resolver's engine kind,
 * src/transcription/resolve.ts): URL, key, model, timeout and retries from
 * the settings; a missing or malformed URL fails as remote_engine_unconfigured.
 */
export function remoteEngineSettings(backend: RemoteBackend, get: Get): RemoteEngineSettings {
  const url = String(get('remote_engine_url') ?? '').trim();
  if (!url) throw new AppError(422, 'remote_engine_unconfigured', `engine_backend is ${backend} but remote_engine_url is empty: set the URL of the remote server`);
  if (!/^https?:\/\//i.test(url)) throw new AppError(422, 'remote_engine_unconfigured', `remote_engine_url must start with http:// or https://, got "${url}"`);
  return {
    backend,
    url,
    apiKey: String(get('remote_engine_api_key') ?? '') || null,
    model: String(get('remote_engine_model') ?? '') || 'whisper-1',
    timeoutSeconds: Number(get('remote_engine_timeout_seconds')) || 3600,
    retries: Math.max(0, Number(get('remote_engine_retries') ?? 2) || 0),
  };
}

interface WhisperJson {
  text?: string;
  language?: string;
  duration?: number;
  segments?: { start?: number; end?: number; text?: string; no_speech_prob?: number; avg_logprob?: number; words?: { word?: string; start?: number; end?: number; probability?: number }[] }[];
  /** OpenAI puts words at the top level with timestamp_granularities[]=word */
  words?: { word?: string; start?: number; end?: number; probability?: number }[];
}

const cancelled = () => abortError('transcription cancelled');

/** A failed attempt worth another (no answer, a 5xx or 429), with what it said for the final message. */
class Unanswered extends Error {}

export class RemoteEngine implements TranscriptionEngine {
  /** model_used of its jobs: the resolver's label (remoteEngineLabel) unless one is given */
  readonly label: string;
  readonly capabilities: EngineCapabilities;
  /** no model is held here, and no process runs here */
  readonly loadedModel = null;
  readonly pid = null;

  constructor(
    readonly settings: RemoteEngineSettings,
    label?: string,
  ) {
    this.label = label ?? remoteEngineLabel(settings.backend, settings.url, settings.model);
    this.capabilities = { vad: false, wordTimestamps: true, translate: true, device: `${settings.backend}:${new URL(settings.url).host}` };
  }

  async unload(): Promise<void> {}
  async close(): Promise<void> {}

  /** The remote server does its own VAD: no local spans. */
  async speechSpans(): Promise<Span[]> {
    return [];
  }

  /** One WAV chunk -> segments (times relative to the chunk). */
  transcribeWav(wav: Buffer, opts: DecodeOptions, hooks: EngineRunHooks = {}): Promise<EngineResult> {
    return this.run(wav, opts, hooks);
  }

  /** The language of one WAV window (/detect-language, or the language of a verbose_json answer). */
  async detectLanguage(wav: Buffer, hooks: Pick<EngineRunHooks, 'signal'> = {}): Promise<LanguageDetection> {
    const r = await this.run(wav, { detectOnly: true }, hooks);
    return { language: r.language, probabilities: r.languageProbabilities ?? {} };
  }

  private async run(wav: Buffer, opts: DecodeOptions & { detectOnly?: boolean }, hooks: EngineRunHooks): Promise<EngineResult> {
    if (hooks.signal?.aborted) throw cancelled();
    const s = this.settings;
    let result: EngineResult;
    if (s.backend === 'remote_asr') {
      if (opts.detectOnly) {
        const body = (await this.request('/detect-language', { encode: 'true' }, 'audio_file', wav, {}, hooks.signal)) as { language_code?: string; detected_language?: string; confidence?: number };
        const code = toWhisperCode(body.language_code ?? body.detected_language) ?? body.language_code ?? null;
        if (!code) throw new AppError(502, 'remote_engine_bad_answer', 'The remote /detect-language answer has no language_code');
        result = { segments: [], language: code, languageProbabilities: { [code]: typeof body.confidence === 'number' ? body.confidence : 1 } };
      } else {
        const query: Record<string, string> = { encode: 'true', output: 'json', task: opts.task ?? 'transcribe', word_timestamps: String(opts.wordTimestamps !== false) };
        if (opts.language && opts.language !== 'auto') query.language = opts.language;
        if (opts.initialPrompt) query.initial_prompt = opts.initialPrompt;
        if (opts.vad) query.vad_filter = 'true';
        const body = (await this.request('/asr', query, 'audio_file', wav, {}, hooks.signal)) as WhisperJson;
        result = toEngineResult(body, opts);
      }
    } else {
      const path = opts.task === 'translate' && !opts.detectOnly ? '/v1/audio/translations' : '/v1/audio/transcriptions';
      const fields: Record<string, string | string[]> = { model: s.model, response_format: 'verbose_json', 'timestamp_granularities[]': ['segment', 'word'] };
      if (!opts.detectOnly && opts.language && opts.language !== 'auto' && path.endsWith('transcriptions')) fields.language = opts.language;
      if (!opts.detectOnly && opts.initialPrompt) fields.prompt = opts.initialPrompt;
      if (opts.temperature !== undefined) fields.temperature = String(opts.temperature);
      const body = (await this.request(path, {}, 'file', wav, fields, hooks.signal)) as WhisperJson;
      result = toEngineResult(body, opts);
      if (opts.detectOnly) {
        if (!result.language) throw new AppError(502, 'remote_engine_bad_answer', 'The remote verbose_json answer names no language');
        result = { segments: [], language: result.language, languageProbabilities: { [result.language]: 1 } };
      }
    }
    hooks.onProgress?.(100);
    return result;
  }

  /** POST multipart with timeout and retries; JSON answer. */
  private async request(path: string, query: Record<string, string>, fileField: string, wav: Buffer, fields: Record<string, string | string[]>, signal?: AbortSignal): Promise<unknown> {
    const s = this.settings;
    let base = s.url.replace(/\/+$/, '');
    if (s.backend === 'remote_openai') base = base.replace(/\/v1$/, ''); // accept the URL with or without /v1
    const url = new URL(base + path);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    if (s.apiKey) {
      headers.authorization = `Bearer ${s.apiKey}`;
      headers['x-api-key'] = s.apiKey;
    }
    let lastError = '';
    const once = async (): Promise<unknown> => {
      const form = new FormData();
      for (const [k, v] of Object.entries(fields)) for (const one of Array.isArray(v) ? v : [v]) form.append(k, one);
      form.append(fileField, new Blob([wav], { type: 'audio/wav' }), 'audio.wav');
      const timeout = AbortSignal.timeout(s.timeoutSeconds * 1000);
      let res: Response;
      try {
        res = await fetch(url, { method: 'POST', body: form, headers, signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
      } catch (e) {
        if (signal?.aborted) throw cancelled();
        lastError = timeout.aborted ? `no answer within ${s.timeoutSeconds} s (remote_engine_timeout_seconds)` : `${(e as Error).message}${(e as { cause?: Error }).cause ? ` (${(e as { cause?: Error }).cause!.message})` : ''}`;
        throw new Unanswered(lastError);
      }
      const text = await res.text().catch(() => '');
      if (res.ok) {
        try {
          return JSON.parse(text) as unknown;
        } catch {
          throw new AppError(502, 'remote_engine_bad_answer', `The remote engine at ${url.origin}${path} answered with something that is not JSON: ${text.slice(0, 200)}`);
        }
      }
      lastError = `HTTP ${res.status}: ${text.slice(0, 300)}`;
      if (res.status !== 429 && res.status < 500) {
        // The server refuses this request (bad key, bad parameters): retrying will not help.
        throw new AppError(424, 'remote_engine_rejected', `The remote engine at ${url.origin}${path} refused the request: ${lastError}`);
      }
      throw new Unanswered(lastError);
    };
    try {
      return await withRetries(once, { retries: s.retries, backoffMs: s.backoffMs ?? 1000, maxBackoffMs: 30_000, signal, retryable: (e) => e instanceof Unanswered });
    } catch (e) {
      if (signal?.aborted) throw cancelled();
      if (!(e instanceof Unanswered)) throw e;
    }
    throw new AppError(502, 'remote_engine_failed', `The remote engine at ${url.origin}${path} failed after ${s.retries + 1} attempt(s): ${lastError}`);
  }
}

function toEngineResult(body: WhisperJson, opts: DecodeOptions): EngineResult {
  const segments: Segment[] = [];
  const topWords = (body.words ?? []).filter((w) => typeof w.start === 'number' && typeof w.end === 'number');
  for (const s of body.segments ?? []) {
    const text = (s.text ?? '').trim();
    if (!text) continue;
    const start = Math.max(0, Number(s.start ?? 0));
    const end = Math.max(start, Number(s.end ?? start));
    const rawWords = s.words ?? topWords.filter((w) => w.start! >= start - 0.01 && w.end! <= end + 0.01);
    let words: Word[] | undefined;
    if (opts.wordTimestamps !== false && rawWords.length) {
      words = rawWords
        .filter((w) => (w.word ?? '').trim() && typeof w.start === 'number' && typeof w.end === 'number')
        .map((w) => ({ text: w.word!.startsWith(' ') ? w.word! : ` ${w.word!}`, start: w.start!, end: Math.max(w.start!, w.end!), probability: w.probability }));
    }
    segments.push({ start, end, text, words, noSpeechProb: s.no_speech_prob, avgLogprob: s.avg_logprob });
  }
  if (!segments.length && body.text?.trim() && !body.segments) {
    // A server that answers only text: one cue over the whole chunk.
    segments.push({ start: 0, end: Number(body.duration ?? 0) || 0, text: body.text.trim() });
  }
  const language = toWhisperCode(body.language) ?? (opts.language && opts.language !== 'auto' ? opts.language : null);
  return { segments, language };
}
