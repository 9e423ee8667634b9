/**
 * The whisper-asr-webservice API that Bazarr's whisperai provider calls:
 * POST /asr, POST /detect-language, GET /status. Served at the root (API key
 * in a header or ?apikey=, see security/request-guard.ts) and under /provider/<api_key>/
 * for clients that cannot send headers (Bazarr takes only a URL).
 */
import { basename } from 'node:path';
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { markRoutes } from '../http/route-access.js';
import { keyIsOneOf } from '../security/request-guard.js';
import { errors } from '../http/schemas.js';
import { packageVersion } from '../paths.js';
import { listStatus, mayReadFullStatus, publicStatus } from './provider.status.js';
import { parseAsrQuery, parseDetectQuery } from './provider.params.js';
import { clientLink, renderAsr, requireAudio, whisperLanguageName } from './provider.render.js';
import { receiveMultipart } from './provider.upload.js';
import { admitUpload } from './upload-admission.js';

const AUDIO_FIELDS = ['audio_file', 'video_file'];

const AsrQuery = Type.Object({
  encode: Type.Optional(Type.String({ description: 'true (default): any container or codec, decoded with ffmpeg; false: the body is raw s16le mono 16 kHz PCM without a header' })),
  task: Type.Optional(Type.String({ description: 'transcribe (default) or translate (to English)' })),
  language: Type.Optional(Type.String({ description: "Audio language: Whisper's two-letter code (en, es, ja) or ISO 639-2 (eng, spa, jpn); absent: detected" })),
  initial_prompt: Type.Optional(Type.String({ description: 'Text that primes the decoder (names, spelling, style)' })),
  output: Type.Optional(Type.String({ description: 'txt (default), vtt, srt, tsv or json' })),
  word_timestamps: Type.Optional(Type.String({ description: 'true: word timings in the json output' })),
  vad_filter: Type.Optional(Type.String({ description: 'true/false: gate decoding with voice activity detection (default: the vad_enabled setting)' })),
  video_file: Type.Optional(Type.String({ description: 'Name of the media the audio comes from: names the answer and the job' })),
  apikey: Type.Optional(Type.String()),
});
const DetectQuery = Type.Object({ encode: Type.Optional(Type.String({ description: 'as for /asr' })), apikey: Type.Optional(Type.String()) });
const Detected = Type.Object({ detected_language: Type.String(), language_code: Type.String(), confidence: Type.Number() });
const MethodHint = Type.Object({ detail: Type.String(), code: Type.String() });
const ProviderStatus = Type.Object({
  status: Type.String(),
  name: Type.String(),
  version: Type.String(),
  engine: Type.String(),
  model: Type.String({ description: 'the model provider requests run with (the resolver: provider_quality_preset, its preset model or whisper_model)' }),
  preset: Type.String({ description: 'the quality preset provider requests run with' }),
  models: Type.Object({ fast: Type.String(), balanced: Type.String(), best: Type.String() }, { description: 'the model each quality preset resolves to' }),
  provider_enabled: Type.Boolean(),
  workers: Type.Integer(),
  queue: Type.Object({ queued: Type.Integer(), processing: Type.Integer(), provider_queued: Type.Integer(), provider_processing: Type.Integer() }),
  waiting_requests: Type.Integer(),
  result_ttl_minutes: Type.Integer(),
  timeout_seconds: Type.Integer(),
});
const PublicStatus = Type.Object({ name: Type.String(), version: Type.String(), detail: Type.String() }, { description: 'GET /status without the API key' });

const endpoints: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const tags = ['Bazarr Provider'];

  app.post('/asr', {
    schema: {
      tags, summary: 'Transcribe or translate audio (whisper-asr-webservice compatible)',
      description: 'multipart/form-data with the audio in `audio_file`. Answers the subtitle text (text/plain) as an attachment. Runs as a job in the shared queue; identical requests share one job and a finished result is kept for provider_result_ttl_minutes.',
      consumes: ['multipart/form-data'],
      querystring: AsrQuery,
      response: { 200: Type.String({ description: 'The subtitle or transcript in the requested output format' }), ...errors(400, 401, 413, 422, 500, 503, 504, 507) },
    },
    // Bad parameters, a declared size over the limit, no worker or no room: refused before the body is read.
    preHandler: admitUpload({ ctx, maxBytes: () => ctx.provider.maxUploadBytes(), validate: (req) => void parseAsrQuery(req.query as Record<string, unknown>) }),
  }, async (req, reply) => {
    const q = parseAsrQuery(req.query as Record<string, unknown>);
    const { upload } = await receiveMultipart(req, ctx.config.dataDir, { fileFields: AUDIO_FIELDS, raw: !q.encode, maxBytes: ctx.provider.maxUploadBytes() });
    if (q.encode) await requireAudio(upload, 'audio_file', req);
    const name = q.videoFile ?? upload.filename;
    const ans = await ctx.provider.transcribe(upload, q, clientLink(reply), q.videoFile);
    const body = renderAsr(ans.result, q.output, q.wordTimestamps, ctx.settings);
    return reply
      .header('content-type', 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="${encodeURIComponent(basename(name.replace(/\\/g, '/')))}.${q.output}"`)
      .header('asr-engine', 'transcriptorio')
      .header('x-job-id', ans.jobId)
      .header('x-result-kept', String(ans.kept))
      .send(body);
  });

  app.post('/detect-language', {
    schema: {
      tags, summary: 'Detect the spoken language (whisper-asr-webservice compatible)',
      description: 'multipart/form-data with the audio in `audio_file`. Detection runs on speech windows found by VAD when a VAD model is installed.',
      consumes: ['multipart/form-data'],
      querystring: DetectQuery,
      response: { 200: Detected, ...errors(400, 401, 413, 422, 500, 503, 504, 507) },
    },
    preHandler: admitUpload({ ctx, maxBytes: () => ctx.provider.maxUploadBytes(), validate: (req) => void parseDetectQuery(req.query as Record<string, unknown>) }),
  }, async (req, reply) => {
    const q = parseDetectQuery(req.query as Record<string, unknown>);
    const { upload } = await receiveMultipart(req, ctx.config.dataDir, { fileFields: AUDIO_FIELDS, raw: !q.encode, maxBytes: ctx.provider.maxUploadBytes() });
    if (q.encode) await requireAudio(upload, 'audio_file', req);
    const ans = await ctx.provider.detect(upload, clientLink(reply));
    reply.header('x-job-id', ans.jobId);
    return { detected_language: whisperLanguageName(ans.result.language), language_code: ans.result.language, confidence: ans.result.confidence };
  });

  app.get('/status', {
    // The handler decides what a caller without the key sees (provider.status.ts): Bazarr's test button sends none.
    config: { access: 'provider-key' },
    schema: {
      tags, summary: 'Provider status: engine, model, queue and workers',
      description: 'With the API key (or through /provider/<api_key>/status) the full status; without it only name and version, which is what Bazarr\'s "Test Connection" button reads as connected.',
      querystring: Type.Object({ apikey: Type.Optional(Type.String()) }),
      response: { 200: Type.Union([ProviderStatus, PublicStatus]), ...errors(401) },
    },
  }, async (req) => {
    if (!mayReadFullStatus(req, ctx.settings)) return publicStatus(packageVersion());
    return { ...(await listStatus(ctx)), version: packageVersion(), waiting_requests: ctx.provider.activeWaits() };
  });

  // A browser or a misconfigured client that GETs a POST-only path learns what to send.
  for (const path of ['/asr', '/detect-language']) {
    app.get(path, {
      schema: { tags, summary: `Explains that ${path} takes POST`, response: { 405: MethodHint } },
    }, async (_req, reply) =>
      reply.status(405).header('allow', 'POST').send({
        detail: `Method Not Allowed: ${path} takes POST with multipart/form-data, the audio in the audio_file field (query: encode, ${path === '/asr' ? 'task, language, initial_prompt, output, word_timestamps, vad_filter' : ''}). See /docs.`.replace(', )', ')'),
        code: 'method_not_allowed',
      }),
    );
  }
};

export const providerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  await app.register(endpoints);
  // Bazarr cannot send headers: the key travels in the path and is checked here (the routes are marked provider-key).
  await app.register(async (scoped: FastifyInstance) => {
    markRoutes(scoped, 'provider-key');
    scoped.addHook('onRequest', async (req, reply) => {
      const key = (req.params as { apiKey?: string }).apiKey ?? '';
      const s = scoped.ctx.settings;
      if (!keyIsOneOf(key, [s.getString('api_key'), s.getString('bazarr_api_key')])) return reply.status(401).send({ detail: 'Invalid API key in the provider URL: use http://<host>:<port>/provider/<api_key> with the key shown in the settings', code: 'unauthorized' });
    });
    await scoped.register(endpoints);
  }, { prefix: '/provider/:apiKey' });
};
