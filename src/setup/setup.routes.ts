import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Message, Nullable, errors } from '../server/schemas.js';
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
});
const BazarrInfo = Type.Object({
  mode: Type.String(), host: Type.String(), port: Type.Integer(), api_key: Type.String(),
  provider_url: Type.String({ description: 'URL to give Bazarr; the key travels in its path' }),
});
const SetupResult = Type.Object({ success: Type.Boolean(), message: Type.String(), bazarr_info: Nullable(BazarrInfo) });

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
  const setup = new SetupService(ctx.database, ctx.settings, ctx.rules);
  const tags = ['Setup Wizard'];

  app.get('/status', {
    schema: {
      tags, summary: 'Setup status (first run: never completed or skipped, and no library folder or rule yet)',
      response: {
        200: Type.Object({
          is_first_run: Type.Boolean(), setup_completed: Type.Boolean(), operation_mode: Type.String(),
          has_library_paths: Type.Boolean(), rules_count: Type.Integer(),
        }),
      },
    },
  }, async () => setup.status());

  app.post('/standalone', {
    schema: { tags, summary: 'Configure standalone mode (all or nothing)', body: StandaloneBody, response: { 200: SetupResult, ...errors(400, 409) } },
  }, async (req) => setup.standalone(req.body));

  app.post('/bazarr-slave', {
    schema: { tags, summary: 'Configure Bazarr provider mode (generates the API key)', response: { 200: SetupResult } },
  }, async (req) => {
    const addr = app.server.address();
    const listenPort = typeof addr === 'object' && addr ? addr.port : ctx.config.port;
    return setup.bazarrSlave(originOf(req, listenPort || ctx.config.port));
  });

  app.post('/skip', { schema: { tags, summary: 'Skip the setup wizard (for advanced users)', response: { 200: Message } } },
    async () => setup.skip());
};
