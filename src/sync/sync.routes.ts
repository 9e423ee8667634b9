/**
 * Subtitle sync on library items: preview and apply a sync of an external
 * subtitle, what is known of an item's subtitles (measures and fixes, with
 * Undo), and a check run now. Registered under /api/library.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { errors } from '../http/schemas.js';
import { ItemParams } from '../library/library.schemas.js';
import {
  ItemSyncSchema, SyncBody, SyncByPathBody, SyncByPathSchema, SyncCheckRunBody, SyncCheckRunSchema, SyncParams, SyncResultSchema, UndoParams, UndoResultSchema,
} from './sync.schemas.js';

export const syncRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const tags = ['Subtitle sync'];
  const sync = () => app.ctx.syncApi;

  app.post('/items/:id/subtitles/:n/sync', {
    schema: {
      tags,
      summary: 'Sync an external subtitle to the audio (or to another subtitle): preview, or apply with the original kept',
      description: 'Preview (default) answers the plan (shift, frame-rate ratio, parts after a split), its score before and after, and a timeline; nothing is written. '
        + 'apply=true writes the fix only when the quality gate passes (verdict fix): a subtitle in sync or a refused plan is never touched. '
        + 'The original is copied under the data folder first and only the timestamps change (styling, text and encoding stay). '
        + 'Send the preview\'s sha256 with apply to refuse (409) when the file changed since. Image subtitles: 415.',
      params: SyncParams,
      body: SyncBody,
      response: { 200: SyncResultSchema, ...errors(400, 403, 404, 409, 415, 422) },
    },
  }, async (req) => sync().sync(req.params.id, req.params.n, req.body ?? {}));

  app.post('/sync', {
    schema: {
      tags,
      summary: "Sync a subtitle named by its path (Bazarr's custom post-processing): preview, or apply with the original kept",
      description: 'The same plan and gate as the item route. Paths are mapped by the path mappings; the video must lie in the library and the subtitle (and a reference) beside it. '
        + 'Suits a post-processing command: curl -X POST -H "X-Api-Key: KEY" -d \'{"media":"{{episode}}","subtitle":"{{subtitles}}","apply":true}\' (docs/SYNC.md).',
      body: SyncByPathBody,
      response: { 200: SyncByPathSchema, ...errors(400, 403, 404, 409, 415, 422) },
    },
  }, async (req) => sync().syncByPath(req.body));

  app.get('/items/:id/sync', {
    schema: {
      tags,
      summary: "What is known of an item's subtitles against its audio: each measure (in sync, out of sync by N s) and the fixes written, with Undo",
      params: ItemParams,
      response: { 200: ItemSyncSchema, ...errors(403, 404) },
    },
  }, async (req) => sync().itemSync(req.params.id));

  app.post('/items/:id/syncs/:syncId/undo', {
    schema: {
      tags,
      summary: "Undo a sync: put the user's original back",
      description: 'Only while the subtitle is still exactly what the sync wrote; a file edited since is the user\'s and stays (409, with where the original is kept).',
      params: UndoParams,
      response: { 200: UndoResultSchema, ...errors(404, 409) },
    },
  }, async (req) => sync().undo(req.params.id, req.params.syncId));

  app.post('/sync-check', {
    schema: {
      tags,
      summary: 'Measure subtitles against the audio now (read-only): these items, or one background round',
      body: SyncCheckRunBody,
      response: { 200: SyncCheckRunSchema, ...errors(400) },
    },
  }, async (req) => sync().checkNow(req.body ?? {}));
};
