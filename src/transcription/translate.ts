/**
 * Machine translation of cues for targets that are neither the audio
 * language nor English. Cues are sent in batches; timings never change.
 */
import { AppError } from '../errors.js';
import type { Segment } from './types.js';
import { withRetries } from '../retry.js';

export type TranslationProviderType = 'libretranslate' | 'deepl' | 'openai';

export interface TranslationConfig {
  provider: TranslationProviderType | '' | null;
  url?: string | null;
  apiKey?: string | null;
  model?: string | null;
  batchSize?: number;
  retries?: number;
  /** first back-off delay in ms (doubles each retry) */
  backoffMs?: number;
  /** limit for one request, seconds (translation_timeout_seconds); default 60 */
  timeoutSeconds?: number;
}

const DEFAULT_TRANSLATION_TIMEOUT_SECONDS = 60;

export interface TranslationProvider {
  readonly name: string;
  /** ISO 639-1 codes */
  translate(texts: string[], from: string, to: string, signal?: AbortSignal): Promise<string[]>;
}

/**
 * One POST with a time limit: a provider that accepts the connection and never
 * answers would otherwise hold the job (and its worker) for ever. A timeout is
 * retryable; the job's own cancel stays an AbortError.
 */
async function postJson(url: string, body: unknown, headers: Record<string, string>, signal: AbortSignal | undefined, timeoutSeconds: number | undefined): Promise<unknown> {
  const seconds = timeoutSeconds && timeoutSeconds > 0 ? timeoutSeconds : DEFAULT_TRANSLATION_TIMEOUT_SECONDS;
  const timeout = AbortSignal.timeout(seconds * 1000);
  const both = signal ? AbortSignal.any([signal, timeout]) : timeout;
  let res: Response;
  let text: string;
  try {
    res = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: JSON.stringify(body), signal: both });
    text = await res.text();
  } catch (err) {
    if (timeout.aborted && !signal?.aborted) {
      throw Object.assign(new AppError(504, 'translation_timeout', `${url} did not answer within ${seconds} s (setting translation_timeout_seconds)`), { retryable: true });
    }
    throw err;
  }
  if (!res.ok) {
    const err = new AppError(502, 'translation_failed', `${url} answered ${res.status}: ${text.slice(0, 200)}`);
    (err as AppError & { retryable?: boolean }).retryable = res.status === 429 || res.status >= 500;
    throw err;
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new AppError(502, 'translation_failed', `${url} returned invalid JSON`);
  }
}

class LibreTranslate implements TranslationProvider {
  readonly name = 'libretranslate';
  constructor(private readonly c: TranslationConfig) {}
  async translate(texts: string[], from: string, to: string, signal?: AbortSignal): Promise<string[]> {
    const url = `${(this.c.url ?? '').replace(/\/+$/, '')}/translate`;
    const body: Record<string, unknown> = { q: texts, source: from, target: to, format: 'text' };
    if (this.c.apiKey) body.api_key = this.c.apiKey;
    const json = (await postJson(url, body, {}, signal, this.c.timeoutSeconds)) as { translatedText?: string | string[] };
    const out = Array.isArray(json.translatedText) ? json.translatedText : [json.translatedText ?? ''];
    return out;
  }
}

class DeepL implements TranslationProvider {
  readonly name = 'deepl';
  constructor(private readonly c: TranslationConfig) {}
  async translate(texts: string[], from: string, to: string, signal?: AbortSignal): Promise<string[]> {
    const base = this.c.url || (this.c.apiKey?.endsWith(':fx') ? 'https://api-free.deepl.com' : 'https://api.deepl.com');
    const url = `${base.replace(/\/+$/, '')}/v2/translate`;
    const json = (await postJson(url, { text: texts, source_lang: from.toUpperCase(), target_lang: to.toUpperCase() }, { Authorization: `DeepL-Auth-Key ${this.c.apiKey ?? ''}` }, signal, this.c.timeoutSeconds)) as {
      translations?: { text: string }[];
    };
    return (json.translations ?? []).map((t) => t.text);
  }
}

class OpenAiChat implements TranslationProvider {
  readonly name = 'openai';
  constructor(private readonly c: TranslationConfig) {}
  async translate(texts: string[], from: string, to: string, signal?: AbortSignal): Promise<string[]> {
    const base = (this.c.url || 'https://api.openai.com/v1').replace(/\/+$/, '');
    const url = base.endsWith('/chat/completions') ? base : `${base}/chat/completions`;
    // Numbered JSON in and out keeps cue boundaries intact.
    const prompt = `Translate each subtitle line from ${from} to ${to}. Answer with only a JSON array of ${texts.length} strings, same order, no merging or splitting.\n${JSON.stringify(texts)}`;
    const json = (await postJson(
      url,
      { model: this.c.model || 'gpt-4o-mini', temperature: 0, messages: [{ role: 'system', content: 'You translate subtitles faithfully.' }, { role: 'user', content: prompt }] },
      this.c.apiKey ? { Authorization: `Bearer ${this.c.apiKey}` } : {},
      signal,
      this.c.timeoutSeconds,
    )) as { choices?: { message?: { content?: string } }[] };
    const content = json.choices?.[0]?.message?.content ?? '';
    const match = /\[[\s\S]*\]/.exec(content);
    let out: unknown;
    try {
      out = match ? JSON.parse(match[0]) : null;
    } catch {
      out = null;
    }
    if (!Array.isArray(out)) throw Object.assign(new AppError(502, 'translation_failed', 'The chat endpoint did not return a JSON array of lines'), { retryable: true });
    return out.map(String);
  }
}

export function isTranslationConfigured(c: TranslationConfig | null | undefined): boolean {
  if (!c?.provider) return false;
  if (c.provider === 'libretranslate') return !!c.url;
  if (c.provider === 'deepl') return !!c.apiKey;
  return !!(c.url || c.apiKey);
}

export function createTranslationProvider(c: TranslationConfig | null | undefined): TranslationProvider {
  if (!c || !isTranslationConfigured(c)) {
    throw new AppError(422, 'translation_not_configured', 'No translation provider is configured (settings translation_provider and translation_url / translation_api_key): this target language needs one');
  }
  switch (c.provider) {
    case 'libretranslate':
      return new LibreTranslate(c);
    case 'deepl':
      return new DeepL(c);
    case 'openai':
      return new OpenAiChat(c);
    default:
      throw new AppError(400, 'translation_not_configured', `Unknown translation provider ${String(c.provider)}`);
  }
}

/** Translates cue texts in batches with retries and exponential back-off; timings are kept. */
export async function translateSegments(
  segments: Segment[],
  from: string,
  to: string,
  config: TranslationConfig,
  hooks: { onProgress?(p: number): void; signal?: AbortSignal; provider?: TranslationProvider } = {},
): Promise<Segment[]> {
  const provider = hooks.provider ?? createTranslationProvider(config);
  const size = Math.max(1, config.batchSize ?? 40);
  const retries = config.retries ?? 3;
  const out: Segment[] = [];
  for (let i = 0; i < segments.length; i += size) {
    const batch = segments.slice(i, i + size);
    const texts = batch.map((s) => s.text.replace(/\s*\n\s*/g, ' ').trim());
    const result = await withRetries(async () => {
      const lines = await provider.translate(texts, from, to, hooks.signal);
      if (lines.length !== texts.length) throw Object.assign(new AppError(502, 'translation_failed', `${provider.name} returned ${lines.length} lines for ${texts.length}`), { retryable: true });
      return lines;
    }, { retries, backoffMs: config.backoffMs ?? 500, signal: hooks.signal, retryable: (err) => (err as { retryable?: boolean }).retryable !== false });
    batch.forEach((s, k) => out.push({ start: s.start, end: s.end, text: result[k] }));
    hooks.onProgress?.(Math.min(100, ((i + batch.length) / segments.length) * 100));
  }
  return out;
}
