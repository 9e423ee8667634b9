/** /api/library: the index of every media file the scanner has seen, its tree, and actions on items. */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply } from 'fastify';
import { errors } from '../http/schemas.js';
import {
  ActionBody, ActionResultSchema, ItemParams, ItemsPageSchema, ItemsQuery, LibraryItemDetailSchema, SubtitleParams, SubtitlePreviewSchema, TreeQuery, TreeSchema,
} from './library.schemas.js';
import { LibraryAnswers } from './library.answers.js';

export const libraryRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const library = () => app.ctx.library;
  const tags = ['Library'];
  // Pages and the tree come as JSON bytes written from the documented schemas (library.json.ts), kept here (library.answers.ts).
  const answers = new LibraryAnswers(library);
  const sendJson = (reply: FastifyReply, bytes: Buffer) => reply.type('application/json; charset=utf-8').send(bytes);

  app.get('/items', {
    schema: {
      tags,
      summary: 'Media files of the library, paginated, with tracks, subtitles, wanted languages and latest jobs',
      description: 'Answered from the library index (kept current by scans, the watcher and finished jobs); nothing is probed for a page. Unknown filter, kind, sort or language, and a folder outside the library folders, are a 400/403 naming it.',
      querystring: ItemsQuery,
      response: { 200: ItemsPageSchema, ...errors(400, 403) },
    },
  }, async (req, reply) => {
    return sendJson(reply, await answers.page(req.query));
  });

  app.get('/items/:id', {
    schema: { tags, summary: 'One media file with everything the list shows, the quality of its subtitles and its job history', params: ItemParams, response: { 200: LibraryItemDetailSchema, ...errors(404) } },
  }, async (req) => library().getItem(req.params.id));

  app.get('/items/:id/subtitles/:n', {
    schema: {
      tags,
      summary: "The first cues of one of the item's external subtitles (a preview)",
      description: 'Only the subtitle files listed for the item can be read, and only while they lie inside the library folders. Image subtitles (VobSub, PGS) have no text: 415.',
      params: SubtitleParams,
      response: { 200: SubtitlePreviewSchema, ...errors(403, 404, 415) },
    },
  }, async (req) => library().subtitlePreview(req.params.id, req.params.n));

  app.get('/tree', {
    schema: {
      tags,
      summary: 'Navigation: library folders, shows with their seasons, movies, and subfolders, each with counts (files, wanted, generated, failed, missing, needs_review)',
      querystring: TreeQuery,
      response: { 200: TreeSchema, ...errors(400, 403) },
    },
  }, async (req, reply) => {
    return sendJson(reply, await answers.tree(req.query.folder));
  });

  app.post('/actions', {
    schema: {
      tags,
      summary: 'Act on items (item_ids) or on everything a filter matches: transcribe, redo, delete_generated, ignore, unignore',
      description: 'Answers what was done and what was refused, with a reason per item. Jobs are created like POST /api/jobs (inside the library only, one live job per file). redo and delete_generated touch only subtitles that TranscriptorIO provably wrote and that were not edited since; a user\'s subtitle is never replaced or deleted. ignore keeps the scanner from queuing the file; unignore takes it back. Name either item_ids or filter (at most 5000 items per call).',
      body: ActionBody,
      response: { 200: ActionResultSchema, ...errors(400, 403, 404) },
    },
  }, async (req) => library().act(req.body));

  // Kept for clients that want to know whether the index has been built at all.
  app.get('/status', {
    schema: {
      tags,
      summary: 'Index status: item count, files needing review, and whether wanted is being recomputed after a rule or skip setting changed',
      response: {
        200: Type.Object({
          items: Type.Integer(),
          missing: Type.Integer(),
          needs_review: Type.Integer({ description: 'Files with a subtitle that needs review (filter needs_review)' }),
          wanted_pending: Type.Boolean(),
          last_indexed_at: Type.Union([Type.String(), Type.Null()]),
        }),
      },
    },
  }, async () => library().status());
};
