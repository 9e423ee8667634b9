/**
 * POST /webhooks/{plex,jellyfin,emby,tautulli,sonarr,radarr}: new media from
 * the media servers and *arr apps becomes jobs, and playback that starts
 * moves its file to the front of the queue. Test events answer 200;
 * anything that is not the sender's format is a 400. Bodies: JSON, text/plain
 * JSON, multipart (Plex, Emby) and form-encoded (Jellyfin's Generic Form).
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError, badRequest } from '../errors.js';
import { errors, Nullable } from '../http/schemas.js';
import { parseEmby, parseJellyfin, parsePlex, parseRadarr, parseSonarr, parseTautulli, type WebhookIntent, type WebhookSource } from './webhooks.parsers.js';
import { handleWebhook } from './webhooks.service.js';

const WebhookResult = Type.Object({
  source: Type.String(),
  event: Type.String({ description: 'test, ignored, files (new media) or play (playback started)' }),
  message: Type.String(),
  queued: Type.Integer(),
  named: Type.Integer({ description: 'Files the webhook named' }),
  left_out: Type.Integer({ description: 'Named files beyond webhook_max_files: not acted on and not listed in files' }),
  files: Type.Array(Type.Object({ path: Type.String(), action: Type.String(), reason: Nullable(Type.String()), job_id: Nullable(Type.String()) })),
  skipped: Type.Array(Type.Object({ path: Type.String(), reason: Type.String() }), { description: 'Every file not queued and why (outside the library folders, not found, already queued, no rule matched)' }),
  skipped_by_reason: Type.Record(Type.String(), Type.Integer(), { description: 'The skipped files counted by reason (the reason without the file it names), most frequent first' }),
});

/** The fields of a multipart webhook (Plex's `payload`, Emby's `data`); attached thumbnails are drained. */
async function multipartFields(req: FastifyRequest): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for await (const part of req.parts()) {
    if (part.type === 'file') part.file.resume();
    else out[part.fieldname] = String(part.value ?? '');
  }
  return out;
}

const PARSERS: Record<WebhookSource, (req: FastifyRequest) => Promise<WebhookIntent>> = {
  plex: async (req) => {
    if (!req.isMultipart()) throw badRequest('Not a Plex webhook: Plex sends multipart/form-data with a payload field', 'bad_webhook');
    const f = await multipartFields(req);
    if (!f.payload) throw badRequest('Not a Plex webhook: the payload field is missing', 'bad_webhook');
    return parsePlex(f.payload);
  },
  jellyfin: async (req) => parseJellyfin(req.body),
  emby: async (req) => (req.isMultipart() ? parseEmby((await multipartFields(req)).data ?? '') : parseEmby(req.body)),
  tautulli: async (req) => parseTautulli(req.body),
  sonarr: async (req) => parseSonarr(req.body),
  radarr: async (req) => parseRadarr(req.body),
};

export const webhooksRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const ctx = app.ctx;
  // Some senders post JSON as text/plain (Jellyfin's plugin can); parse it as JSON too.
  app.addContentTypeParser('text/plain', { parseAs: 'string' }, (_req, body, done) => {
    try {
      done(null, JSON.parse(String(body)));
    } catch {
      done(badRequest('The body is not JSON', 'bad_webhook'));
    }
  });
  // Jellyfin's webhook plugin, Generic Form destination: its template's JSON fields, form-encoded as strings.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    const fields: Record<string, string> = {};
    for (const [k, v] of new URLSearchParams(String(body))) fields[k] = v;
    done(null, fields);
  });
  for (const source of Object.keys(PARSERS) as WebhookSource[]) {
    app.post(`/${source}`, {
      schema: {
        tags: ['Webhooks'],
        summary: `Webhook from ${source[0].toUpperCase()}${source.slice(1)}: queue jobs for new media${['sonarr', 'radarr'].includes(source) ? '' : ', move playing media to the front'}`,
        response: { 200: WebhookResult, ...errors(400, 401, 422, 502, 503) },
      },
    }, async (req) => {
      if (!ctx.settings.getBoolean('webhooks_enabled')) throw new AppError(503, 'webhooks_disabled', 'Webhooks are turned off (setting webhooks_enabled)');
      const intent = await PARSERS[source](req);
      return handleWebhook(ctx, source, intent);
    });
  }
};
