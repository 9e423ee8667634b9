/**
 * OpenAI-compatible audio API (/v1/audio/transcriptions, /v1/audio/translations,
 * /v1/models) for tools that speak OpenAI's Whisper API. Requests take the
 * same queue/job path as /asr; errors use OpenAI's JSON shape
 * ({"error": {"message", "type", "param", "code"}}) with real status codes.
 * `Authorization: Bearer <api_key>` is accepted by security/request-guard.ts.
 */
import { stat } from 'node:fs/promises';
import { redactUrl } from '../security/request-guard.js';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance } from 'fastify';
import { AppError, badRequest } from '../errors.js';
import { listModels, renderSubtitles } from '../transcription/index.js';
import { parseLanguage, type AsrJobParams } from './provider.params.js';
import type { AsrResult } from './provider.service.js';
import { clientLink, cuesFor, requireAudio, whisperLanguageName } from './provider.render.js';
import { receiveMultipart, removeUpload } from './provider.upload.js';

const FORMATS = ['json', 'text', 'srt', 'vtt', 'verbose_json'] as const;
type Format = (typeof FORMATS)[number];
/** Model names OpenAI clients send by default: they mean "the server's model". */
const DEFAULT_ALIASES = ['whisper-1', 'default', ''];

const OpenAIError = Type.Object({
  error: Type.Object({ message: Type.String(), type: Type.String(), param: Type.Union([Type.String(), Type.Null()]), code: Type.Union([Type.String(), Type.Null()]) }),
});
const Transcription = Type.Object(
  {
    text: Type.String(),
    task: Type.Optional(Type.String()),
    language: Type.Optional(Type.String()),
    duration: Type.Optional(Type.Number()),
    segments: Type.Optional(Type.Array(Type.Object({
      id: Type.Integer(), seek: Type.Integer(), start: Type.Number(), end: Type.Number(), text: Type.String(), tokens: Type.Array(Type.Integer()),
      temperature: Type.Number(), avg_logprob: Type.Number(), compression_ratio: Type.Number(), no_speech_prob: Type.Number(),
    }))),
    words: Type.Optional(Type.Array(Type.Object({ word: Type.String(), start: Type.Number(), end: Type.Number() }))),
  },
  { description: 'json: {text}; verbose_json: with task, language, duration, segments (and words when asked); text, srt and vtt answer text/plain' },
);
const ModelList = Type.Object({ object: Type.String(), data: Type.Array(Type.Object({ id: Type.String(), object: Type.String(), created: Type.Integer(), owned_by: Type.String() })) });

/** Which request parameter an error is about, for OpenAI's `param`. */
function paramOf(message: string): string | null {
  const m = /^(file|model|language|prompt|response_format|temperature|timestamp_granularities\[\])\b/.exec(message);
  return m ? m[1] : null;
}

function openAiError(status: number, message: string, code: string | null) {
  const type = status === 401 ? 'authentication_error' : status === 404 ? 'not_found_error' : status === 429 ? 'rate_limit_error' : status >= 500 ? 'server_error' : 'invalid_request_error';
  return { error: { message, type, param: paramOf(message), code } };
}

function field(fields: Record<string, string | string[]>, name: string): string | undefined {
  const v = fields[name];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) throw badRequest(`${name} was given ${v.length} times; give it once`, 'bad_parameter');
  return v;
}

async function installedModels(modelDir: string) {
  return (await listModels(modelDir)).filter((m) => m.downloaded && m.kind === 'whisper');
}

function toVerbose(r: AsrResult, task: string, words: boolean) {
  return {
    task,
    language: whisperLanguageName(r.language),
    duration: r.duration,
    text: r.segments.map((s) => s.text.trim()).join(' '),
    segments: r.segments.map((s, id) => ({
      id, seek: 0, start: s.start, end: s.end, text: s.text, tokens: [], temperature: 0,
      avg_logprob: s.avgLogprob ?? 0, compression_ratio: 0, no_speech_prob: s.noSpeechProb ?? 0,
    })),
    ...(words ? { words: r.segments.flatMap((s) => (s.words ?? []).map((w) => ({ word: w.text.trim(), start: w.start, end: w.end }))) } : {}),
  };
}

/** The multipart fields -> job parameters; 400 naming the field that is wrong. */
async function parseFields(fields: Record<string, string | string[]>, task: 'transcribe' | 'translate', modelDir: string): Promise<{ format: Format; params: AsrJobParams; words: boolean }> {
  const format = (field(fields, 'response_format') ?? 'json') as Format;
  if (!FORMATS.includes(format)) throw badRequest(`response_format must be one of ${FORMATS.join(', ')}, got "${format}"`, 'bad_response_format');
  const model = (field(fields, 'model') ?? '').trim();
  let chosen: string | null = null;
  if (!DEFAULT_ALIASES.includes(model)) {
    const installed = await installedModels(modelDir);
    const hit = installed.find((m) => m.name === model || m.file === model);
    if (!hit) throw new AppError(400, 'model_not_found', `model "${model}" is not installed: use whisper-1 (the configured model) or one of ${installed.map((m) => m.name).join(', ') || '(none installed)'}`);
    chosen = hit.path;
  }
  const tRaw = field(fields, 'temperature');
  const temperature = tRaw === undefined || tRaw === '' ? null : Number(tRaw);
  if (temperature !== null && (!Number.isFinite(temperature) || temperature < 0 || temperature > 1)) throw badRequest(`temperature must be a number between 0 and 1, got "${tRaw}"`, 'bad_temperature');
  const gran = ([] as string[]).concat(fields['timestamp_granularities[]'] ?? fields.timestamp_granularities ?? []);
  const bad = gran.find((g) => g !== 'word' && g !== 'segment');
  if (bad) throw badRequest(`timestamp_granularities[] must be word or segment, got "${bad}"`, 'bad_granularity');
  // Translation always goes to English; OpenAI's translations endpoint takes no language.
  const language = task === 'translate' ? null : parseLanguage(field(fields, 'language'), 'language');
  const prompt = field(fields, 'prompt');
  return { format, params: { task, language, initialPrompt: prompt?.trim() ? prompt : null, vad: null, temperature, model: chosen }, words: gran.includes('word') };
}

const routes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const tags = ['OpenAI-compatible'];

  for (const task of ['transcribe', 'translate'] as const) {
    const path = task === 'transcribe' ? '/audio/transcriptions' : '/audio/translations';
    app.post(path, {
      schema: {
        tags,
        summary: task === 'transcribe' ? 'Transcribe audio (OpenAI compatible)' : 'Translate audio to English (OpenAI compatible)',
        description: 'multipart/form-data: file, model, language, prompt, response_format (json, text, srt, vtt, verbose_json), temperature, timestamp_granularities[]. Runs as a job in the shared queue like /asr.',
        consumes: ['multipart/form-data'],
        response: { 200: Transcription, 400: OpenAIError, 401: OpenAIError, 413: OpenAIError, 422: OpenAIError, 500: OpenAIError, 503: OpenAIError, 504: OpenAIError },
      },
    }, async (req, reply) => {
      const { upload, fields } = await receiveMultipart(req, ctx.config.dataDir, { fileFields: ['file'], raw: false });
      let format: Format;
      let params: AsrJobParams;
      let words: boolean;
      try {
        ({ format, params, words } = await parseFields(fields, task, ctx.settings.getString('model_path') || './models'));
        await requireAudio(upload, 'file', req);
      } catch (e) {
        await removeUpload(upload.path);
        throw e;
      }
      const ans = await ctx.provider.transcribe(upload, params, clientLink(reply), null);
      const r = ans.result;
      reply.header('x-job-id', ans.jobId);
      if (format === 'json') return { text: r.segments.map((s) => s.text.trim()).join(' ') };
      if (format === 'verbose_json') return toVerbose(r, task, words);
      const text = format === 'text' ? `${r.segments.map((s) => s.text.trim()).join(' ')}\n` : renderSubtitles(cuesFor(r, format, ctx.settings).map(({ words: _w, ...s }) => s), format, { language: r.language, marker: false });
      return reply.type('text/plain; charset=utf-8').send(text as never);
    });
  }

  app.get('/models', {
    schema: { tags, summary: 'Installed Whisper models (OpenAI compatible)', response: { 200: ModelList, 401: OpenAIError } },
  }, async () => {
    const installed = await installedModels(ctx.settings.getString('model_path') || './models');
    const data = [{ id: 'whisper-1', object: 'model', created: 0, owned_by: 'transcriptorio' }];
    for (const m of installed) {
      const st = await stat(m.path).catch(() => null);
      data.push({ id: m.name, object: 'model', created: Math.floor((st?.mtimeMs ?? 0) / 1000), owned_by: 'transcriptorio' });
    }
    return { object: 'list', data };
  });
};

/** The /v1 prefix with its own error handler, so every error there has OpenAI's shape. */
export const openaiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const scoped = app as unknown as FastifyInstance;
  scoped.setErrorHandler((err: FastifyError | AppError | Error, req, reply) => {
    if (err instanceof AppError) {
      if (err.status >= 500) req.log.error({ err, url: redactUrl(req.url) }, err.message);
      return reply.status(err.status).send(openAiError(err.status, err.message, err.code));
    }
    const fe = err as FastifyError;
    if (fe.validation) return reply.status(400).send(openAiError(400, `${fe.validationContext ?? 'request'} ${fe.message}`, 'validation_error'));
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) return reply.status(fe.statusCode).send(openAiError(fe.statusCode, fe.message, fe.code ?? null));
    req.log.error({ err, url: redactUrl(req.url) }, 'unhandled error');
    return reply.status(500).send(openAiError(500, 'Internal server error', 'internal'));
  });
  scoped.setNotFoundHandler((req, reply) => reply.status(404).send(openAiError(404, `Unknown endpoint: ${req.method} ${redactUrl(req.url)}`, 'not_found')));
  // The API-key check (security/request-guard.ts) answers before any handler: give its 401 the same shape.
  scoped.addHook('preSerialization', async (_req, reply, payload) => {
    const p = payload as { detail?: unknown; code?: unknown } | null;
    if (reply.statusCode < 400 || !p || typeof p !== 'object' || typeof p.detail !== 'string') return payload;
    return openAiError(reply.statusCode, p.detail, typeof p.code === 'string' ? p.code : null);
  });
  await app.register(routes);
};
