/**
 * Bazarr Wanted sync: `GET /status` (settings, last sync, state of the
 * wanted subtitles) and `POST /sync` ("Sync now": runs a sync and answers
 * its result). Under /api/integrations/bazarr, with the API key.
 */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors, Nullable } from '../http/schemas.js';
import { bazarrConfigureRoutes } from './bazarr-configure.routes.js';

const SyncResultSchema = Type.Object({
  trigger: Type.String({ description: 'manual (Sync now) or scheduled' }),
  started_at: Type.String(),
  finished_at: Type.String(),
  wanted: Type.Integer({ description: "wanted subtitles read from Bazarr's Wanted lists (after the tag filter)" }),
  queued: Type.Integer({ description: 'jobs queued by this sync' }),
  uploaded: Type.Integer({ description: 'finished subtitles handed to Bazarr during this sync' }),
  held_for_review: Type.Integer({ description: 'finished subtitles not handed to Bazarr because they need review (quality_block_bazarr_sync): accept them on the item page and the next round uploads them' }),
  skipped_count: Type.Integer(),
  skipped: Type.Array(Type.Object({ title: Type.String(), language: Type.String(), reason: Type.String() }), { description: 'the first wanted subtitles not queued, each with its reason' }),
  error: Nullable(Type.String()),
});

const StatusSchema = Type.Object({
  configured: Type.Boolean({ description: 'bazarr_url and bazarr_sync_api_key are set' }),
  interval_minutes: Type.Integer({ description: 'bazarr_sync_interval_minutes; 0: only Sync now' }),
  running: Type.Boolean(),
  last_sync: Nullable(SyncResultSchema),
  items: Type.Record(Type.String(), Type.Integer(), { description: 'wanted subtitles by state: queued (job not finished), uploaded, upload_failed, job_failed, held_for_review (made, waiting for a person to accept it)' }),
});

export const bazarrSyncRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['Integrations'];
  // "Configure Bazarr for me" shares the prefix: /api/integrations/bazarr/configure.
  await app.register(bazarrConfigureRoutes);
  app.get('/status', { schema: { tags, summary: "Bazarr Wanted sync: settings, last sync and the wanted subtitles' state", response: { 200: StatusSchema } } },
    async () => app.ctx.bazarr.status());
  app.post('/sync', {
    schema: { tags, summary: "Sync now: read Bazarr's wanted episodes and movies, queue jobs for what this server can make, upload what finished", response: { 200: SyncResultSchema, ...errors(400, 409, 502) } },
  }, async () => app.ctx.bazarr.sync('manual'));
};
