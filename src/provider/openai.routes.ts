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
import { parseBool, parseLanguage, type AsrJobParams } from './provider.params.js';
import type { AsrResult } from './provider.service.js';
import { clientLink, cuesFor, ms, requireAudio, resultText, whisperLanguageName, whisperSegments } from './provider.render.js';
import { receiveMultipart, removeUpload, type StoredUpload } from './provider.upload.js';
import { admitUpload } from './upload-admission.js';
import { streamTranscription } from './openai.stream.js';
import { openAiError } from './openai.errors.js';
import { knownError } from '../system/disk-full.js';

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
const Model = Type.Object({ id: Type.String(), object: Type.String(), created: Type.Integer(), owned_by: Type.String() });
const ModelList = Type.Object({ object: Type.String(), data: Type.Array(Model) });

/**
 * The upload must be audio or video ffmpeg reads: OpenAI answers a file that
 * is not with 400 invalid_request_error (where /asr answers 422).
 */
async function requireAudioFile(upload: StoredUpload, req: Parameters<typeof requireAudio>[2]): Promise<void> {
  try {
    await requireAudio(upload, 'file', req);
  } catch (e) {
    if (!(e instanceof AppError) || e.status !== 422) throw e;
    const why = e.message.replace(/^The file in file /, '');
    throw new AppError(400, 'invalid_file_format', `file ${why}: send audio or video such as flac, m4a, mp3, mp4, mpeg, mpga, oga, ogg, wav or webm`);
  }
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
    // A translation's language is its output's, English, as OpenAI reports it.
    language: task === 'translate' ? 'english' : whisperLanguageName(r.language),
    duration: ms(r.duration),
    text: resultText(r),
    segments: whisperSegments(r.segments, false),
    ...(words ? { words: r.segments.flatMap((s) => (s.words ?? []).map((w) => ({ word: w.text.trim(), start: ms(w.start), end: ms(w.end) }))) } : {}),
  };
}

/** The multipart fields -> job parameters; 400 naming the field that is wrong. */
async function parseFields(fields: Record<string, string | string[]>, task: 'transcribe' | 'translate', modelDir: string): Promise<{ format: Format; params: AsrJobParams; words: boolean; stream: boolean }> {
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
  // OpenAI streams transcriptions only; its translations endpoint takes no `stream`.
  const stream = task === 'transcribe' && parseBool({ stream: field(fields, 'stream') }, 'stream', false);
  return { format, params: { task, language, initialPrompt: prompt?.trim() ? prompt : null, vad: null, temperature, model: chosen }, words: gran.includes('word'), stream };
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
        description: `multipart/form-data: file, model, language, prompt, response_format (json, text, srt, vtt, verbose_json), temperature, timestamp_granularities[]${task === 'transcribe' ? ', stream (true: server-sent events transcript.text.delta per decoded segment, then transcript.text.done)' : ''}. Runs as a job in the shared queue like /asr.`,
        consumes: ['multipart/form-data'],
        response: { 200: Transcription, 400: OpenAIError, 401: OpenAIError, 413: OpenAIError, 422: OpenAIError, 500: OpenAIError, 503: OpenAIError, 504: OpenAIError, 507: OpenAIError },
      },
      // A declared size over the limit, no worker or no room: refused before the body (and its fields) is read.
      preHandler: admitUpload({ ctx, maxBytes: () => ctx.provider.maxUploadBytes() }),
    }, async (req, reply) => {
      const { upload, fields } = await receiveMultipart(req, ctx.config.dataDir, { fileFields: ['file'], raw: false, maxBytes: ctx.provider.maxUploadBytes() });
      let format: Format;
      let params: AsrJobParams;
      let words: boolean;
      let stream: boolean;
      try {
        ({ format, params, words, stream } = await parseFields(fields, task, ctx.settings.getString('model_path') || './models'));
        await requireAudioFile(upload, req);
      } catch (e) {
        await removeUpload(upload.path);
        throw e;
      }
      if (stream) return streamTranscription(reply, (link) => ctx.provider.transcribe(upload, params, link, null));
      const ans = await ctx.provider.transcribe(upload, params, clientLink(reply), null);
      const r = ans.result;
      reply.header('x-job-id', ans.jobId);
      if (format === 'json') return { text: resultText(r) };
      if (format === 'verbose_json') return toVerbose(r, task, words);
      const text = format === 'text' ? `${resultText(r)}\n` : renderSubtitles(cuesFor(r, format, ctx.settings).map(({ words: _w, ...s }) => s), format, { language: r.language, marker: false });
      return reply.type('text/plain; charset=utf-8').send(text as never);
    });
  }

  const models = async () => {
    const installed = await installedModels(ctx.settings.getString('model_path') || './models');
    const data = [{ id: 'whisper-1', object: 'model', created: 0, owned_by: 'transcriptorio' }];
    for (const m of installed) {
      const st = await stat(m.path).catch(() => null);
      data.push({ id: m.name, object: 'model', created: Math.floor((st?.mtimeMs ?? 0) / 1000), owned_by: 'transcriptorio' });
    }
    return data;
  };

  app.get('/models', {
    schema: { tags, summary: 'Installed Whisper models (OpenAI compatible)', response: { 200: ModelList, 401: OpenAIError } },
  }, async () => ({ object: 'list', data: await models() }));

  app.get('/models/:model', {
    schema: {
      tags, summary: 'One model (OpenAI compatible)',
      description: 'whisper-1 (the configured model) or an installed model name, as GET /v1/models lists them; 404 with OpenAI\'s error for any other id.',
      params: Type.Object({ model: Type.String() }),
      response: { 200: Model, 401: OpenAIError, 404: OpenAIError },
    },
  }, async (req, reply) => {
    const { model } = req.params;
    const hit = (await models()).find((m) => m.id === model);
    if (hit) return hit;
    // OpenAI's answer for a model that does not exist.
    return reply.status(404).send(openAiError(404, `The model '${model}' does not exist: GET /v1/models lists the models this server has`, 'model_not_found', { type: 'invalid_request_error', param: 'model' }));
  });
};

/** The /v1 prefix with its own error handler, so every error there has OpenAI's shape. */
export const openaiRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const scoped = app as unknown as FastifyInstance;
  scoped.setErrorHandler(async (raw: FastifyError | AppError | Error, req, reply) => {
    // A full disk is a 507 naming the folder here too (system/disk-full.ts knownError decides).
    const err = (await knownError(raw, scoped.ctx)) ?? raw;
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
