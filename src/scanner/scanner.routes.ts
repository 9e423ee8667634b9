/** /api/scanner: analysis of one file, manual scans, scheduler and watcher control, status. */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Message, errors } from '../server/schemas.js';
import { getScanner } from './scanner.runtime.js';
import { AnalysisSchema, DecisionSchema, ScanBody, ScanResultSchema, SchedulerBody, StatusSchema, WatcherBody } from './scanner.schemas.js';

export const scannerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const scanner = getScanner(app.ctx);
  const tags = ['Scanner'];

  // The bodies here are optional: clients that send a JSON content type with no body get the defaults,
  // not Fastify's "Body cannot be empty" (this parser is scoped to the scanner routes).
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => {
    const text = String(body).trim();
    if (!text) return done(null, null);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(Object.assign(new Error('Request body is not valid JSON'), { statusCode: 400 }), undefined);
    }
  });
  const optional = <T extends Parameters<typeof Type.Optional>[0]>(schema: T) => Type.Optional(Type.Union([schema, Type.Null()]));

  app.get('/status', { schema: { tags, summary: 'Scanner status: scheduler, watcher, last scan', response: { 200: StatusSchema } } }, async () => scanner.status());

  app.post('/scan', {
    schema: {
      tags,
      summary: 'Scan library folders now (no body: the library_paths setting)',
      body: optional(ScanBody),
      'x-optional-body': true,
      response: { 200: ScanResultSchema, ...errors(400, 403, 404, 409) },
    },
  }, async (req) => {
    const body = req.body ?? {};
    return scanner.service.scan({ paths: body.paths, recursive: body.recursive, dryRun: body.dry_run, trigger: 'manual', guardPaths: true });
  });

  app.get('/last-decisions', {
    schema: { tags, summary: 'Per-file decisions of the last scan in this process (why each file was skipped or queued)', response: { 200: Type.Array(DecisionSchema) } },
  }, async () => scanner.service.lastScanDecisions());

  app.post('/scheduler/start', {
    schema: { tags, summary: 'Start scheduled scans (stored in settings, resumed after a restart)', body: optional(SchedulerBody), 'x-optional-body': true, response: { 200: Message, ...errors(400, 403, 404) } },
  }, async (req) => ({ message: await scanner.startScheduler(req.body ?? {}) }));

  app.post('/scheduler/stop', { schema: { tags, summary: 'Stop scheduled scans', response: { 200: Message } } }, async () => ({ message: await scanner.stopScheduler() }));

  app.post('/watcher/start', {
    schema: { tags, summary: 'Start the file watcher on the library paths', body: optional(WatcherBody), 'x-optional-body': true, response: { 200: Message, ...errors(400, 403, 404) } },
  }, async (req) => ({ message: await scanner.startWatcher(req.body ?? {}) }));

  app.post('/watcher/stop', { schema: { tags, summary: 'Stop the file watcher', response: { 200: Message } } }, async () => ({ message: await scanner.stopWatcher() }));

  app.post('/analyze', {
    schema: {
      tags,
      summary: 'Analyze one file with ffprobe: audio tracks, embedded and external subtitles',
      querystring: Type.Object({ file_path: Type.String({ description: 'Absolute path of the media file' }) }),
      response: { 200: AnalysisSchema, ...errors(400, 403, 404) },
    },
  }, async (req) => scanner.service.analyzeRequest(req.query.file_path));
};
