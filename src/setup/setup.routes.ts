import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Message, Nullable, errors } from '../http/schemas.js';
import { FilesystemService } from '../filesystem/filesystem.service.js';
import { BazarrConfigureService } from '../integrations/bazarr-configure.service.js';
import { SetupService } from './setup.service.js';

const OptStr = Type.Optional(Nullable(Type.String()));
const FlatRule = Type.Object({
  name: Type.String({ minLength: 1 }),
  enabled: Type.Optional(Type.Boolean()),
  priority: Type.Optional(Type.Integer()),
  audio_language_is: OptStr,
  audio_language_not: OptStr,
  audio_track_count_min: Type.Optional(Nullable(Type.Integer())),
  has_embedded_subtitle_lang: OptStr,
  missing_embedded_subtitle_lang: OptStr,
  missing_external_subtitle_lang: OptStr,
  file_extension: OptStr,
  action_type: Type.Optional(Type.String({ description: 'transcribe or translate' })),
  target_language: Type.String({ minLength: 1, description: 'ISO 639-2' }),
  quality_preset: Type.Optional(Type.String({ description: 'fast, balanced or best' })),
  job_priority: Type.Optional(Type.Integer()),
});
const StandaloneBody = Type.Object({
  library_paths: Type.Array(Type.String(), { description: 'Absolute library folders' }),
  scan_rules: Type.Optional(Type.Array(FlatRule)),
  worker_config: Type.Optional(Type.Object({
    count: Type.Integer({ minimum: 0, maximum: 64 }),
    type: Type.String({ description: 'cpu or gpu' }),
  })),
  scanner_config: Type.Optional(Type.Object({
    interval_minutes: Type.Integer({ minimum: 1, maximum: 525600 }),
    enabled: Type.Optional(Type.Boolean({ description: 'Scheduled scans on (default true)' })),
  })),
  model: Type.Optional(Nullable(Type.String({
    description: 'Whisper model for every preset (whisper_model): a catalogue name (small, large-v3-turbo, ...), a file in the model folder, or an absolute path to a ggml file inside the browsable folders. Absent: the model in use when it is installed, else the installed model closest to GET /api/models/recommendation, else that recommendation',
  }))),
  translation: Type.Optional(Nullable(Type.Object({
    provider: Type.String({ description: 'libretranslate, deepl or openai' }),
    url: Type.Optional(Nullable(Type.String())),
    api_key: Type.Optional(Nullable(Type.String())),
    model: Type.Optional(Nullable(Type.String({ description: 'chat model of an OpenAI-compatible provider' }))),
  }, { description: 'Machine translation for rules whose target is neither the audio language nor English' }))),
});
const BazarrBody = Type.Object({
  public_url: Type.Optional(Nullable(Type.String({ description: 'Where Bazarr reaches this server (http://nas.local:8000); stored as the public_url setting. Absent: the setting, else the address this request reached' }))),
  rotate_key: Type.Optional(Type.Boolean({ description: 'Make a new provider key (Bazarr then needs the new URL; when Bazarr is connected its endpoint is updated). Absent or false: the provider key in use is kept, and one is made when there is none' })),
}, { description: 'Optional: the contract\'s empty request is the same as {}' });
const BazarrInfo = Type.Object({
  mode: Type.String(), host: Type.String(), port: Type.Integer(),
  api_key: Type.String({ description: 'The provider key inside the URL: it opens the provider routes (/provider/<key>/..., and /asr, /detect-language with it as a header) and nothing else. Never the API key' }),
  provider_url: Type.String({ description: 'URL to give Bazarr (its Whisper provider\'s Endpoint field); the key travels in its path' }),
  public_url: Type.Optional(Type.String({ description: 'The base address the URL was built from' })),
  public_url_source: Type.Optional(Type.String({ description: 'request (given now), setting (public_url) or request_host (the address this request reached)' })),
  loopback: Type.Optional(Type.Boolean({ description: 'The address is a loopback one: Bazarr reaches it only when it runs on this machine, outside a container' })),
  key_rotated: Type.Optional(Type.Boolean({ description: 'Whether this call made a new provider key' })),
  bazarr_update: Type.Optional(Nullable(Type.Object({
    updated: Type.Boolean({ description: "Bazarr's Whisper endpoint was moved to the new key through Bazarr's settings API" }),
    message: Type.String({ description: 'what happened, or what to do by hand' }),
  }, { description: 'After a new provider key: what became of Bazarr\'s endpoint; null when Bazarr is not connected here' }))),
});
const SetupResult = Type.Object({
  success: Type.Boolean(), message: Type.String(), bazarr_info: Nullable(BazarrInfo),
  model: Type.Optional(Type.Object({
    name: Type.String({ description: 'whisper_model after setup' }),
    source: Type.String({ description: 'request, kept (already installed and in use), installed (the best installed model) or recommended (to be downloaded)' }),
    installed: Type.Boolean(),
  })),
  warnings: Type.Optional(Type.Array(Type.String(), { description: 'What will not work as set up, in words' })),
});

/**
 * Where clients reach this server: the Host the request was sent to (so the
 * URL works from where the user is), else the address the socket listens on.
 */
function originOf(req: FastifyRequest, fallbackPort: number): { host: string; port: number } {
  const header = req.headers.host ?? '';
  const m = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(header);
  const local = req.socket?.localAddress;
  const localPort = req.socket?.localPort;
  let host = m?.[1]?.replace(/^\[|\]$/g, '') || (local && local !== '0.0.0.0' && local !== '::' ? local.replace(/^::ffff:/, '') : '127.0.0.1');
  if (host === '0.0.0.0' || host === '::') host = '127.0.0.1';
  const port = m?.[2] ? Number(m[2]) : localPort || fallbackPort;
  return { host, port };
}

export const setupRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  const fs = new FilesystemService(() => ctx.settings.getList('browse_roots'), () => ctx.settings.getList('library_paths'));
  const setup = new SetupService(ctx.database, ctx.settings, ctx.rules, ctx.models, (p) => fs.resolveAllowed(p), ctx.config.tools.nvidiaSmi, new BazarrConfigureService(ctx.settings));
  const listenOrigin = (req: FastifyRequest) => {
    const addr = app.server.address();
    const listenPort = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
    return originOf(req, listenPort || ctx.config.port);
  };
  const tags = ['Setup Wizard'];

  app.get('/status', {
    schema: {
      tags, summary: 'Setup status (first run: never completed or skipped, and no library folder or rule yet)',
      response: {
        200: Type.Object({
          is_first_run: Type.Boolean(), setup_completed: Type.Boolean(), operation_mode: Type.String(),
          has_library_paths: Type.Boolean(), rules_count: Type.Integer(),
          library_paths: Type.Array(Type.String()),
          translation_configured: Type.Boolean({ description: 'A translation provider is set up (rules whose target is neither the audio language nor English need one)' }),
          bazarr_provider_enabled: Type.Boolean(),
          public_url: Type.String({ description: 'The public_url setting (empty: not set)' }),
          worker_cpu_count: Type.Integer(),
          worker_gpu_count: Type.Integer(),
        }),
      },
    },
  }, async () => setup.status());

  app.post('/standalone', {
    schema: { tags, summary: 'Configure standalone mode (all or nothing)', body: StandaloneBody, response: { 200: SetupResult, ...errors(400, 409) } },
  }, async (req) => setup.standalone(req.body));

  app.post('/bazarr-slave', {
    schema: {
      tags, summary: 'Configure Bazarr provider mode (keeps the key in use; makes one when there is none or rotate_key is true)',
      body: Type.Optional(Type.Union([BazarrBody, Type.Null()])),
      'x-optional-body': true,
      response: { 200: SetupResult, ...errors(400) },
    },
  }, async (req) => setup.bazarrSlave(listenOrigin(req), req.body ?? {}));

  app.post('/provider-key', {
    schema: {
      tags,
      summary: 'Make a separate provider key: Bazarr\'s URL stops carrying the API key',
      description: 'A new provider key for /provider/<key>/ (the API key is left alone; from now on it no longer opens the provider URL). When Bazarr is connected (bazarr_url, bazarr_sync_api_key) and its Whisper endpoint used the old key, the endpoint is moved to the new one through Bazarr\'s settings API in the same step; bazarr_update says what happened.',
      response: { 200: BazarrInfo, ...errors(400) },
    },
  }, async (req) => setup.separateProviderKey(listenOrigin(req)));

  app.post('/skip', { schema: { tags, summary: 'Skip the setup wizard (for advanced users)', response: { 200: Message } } },
    async () => setup.skip());
};
