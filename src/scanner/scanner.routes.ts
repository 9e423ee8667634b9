/** /api/scanner: analysis of one file, manual scans, scheduler and watcher control, status. */
import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import { Message, errors } from '../http/schemas.js';
import { AnalysisSchema, DecisionSchema, ScanBody, ScanIdParams, ScanQuery, ScanResultSchema, ScanRunSchema, ScanStartedSchema, SchedulerBody, StatusSchema, WatcherBody } from './scanner.schemas.js';

export const scannerRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const scanner = app.ctx.scanner;
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
      description: 'Waits for the end and answers the result (header x-scan-id names the run); with ?wait=false answers 202 at once. Paths must lie inside library_paths or allowed_media_roots (403 outside_library).',
      querystring: ScanQuery,
      body: optional(ScanBody),
      'x-optional-body': true,
      response: { 200: ScanResultSchema, 202: ScanStartedSchema, ...errors(400, 403, 404, 409) },
    },
  }, async (req, reply) => {
    const body = req.body ?? {};
    const { scan_id, done } = await scanner.service.start({ paths: body.paths, recursive: body.recursive, dryRun: body.dry_run, trigger: 'manual', guardPaths: true });
    reply.header('x-scan-id', scan_id);
    if (req.query.wait !== false) return done;
    // The run records a failure (GET /scans/{scan_id}); nobody awaits it here.
    done.catch(() => {});
    return reply.status(202).send({ scan_id, status: 'running' as const, message: `Scan started: follow it at GET /api/scanner/scans/${scan_id}, stop it with POST /api/scanner/scans/${scan_id}/cancel` });
  });

  const unknownScan = (id: string) => new AppError(404, 'not_found', `Scan ${id} not found: this server keeps its last 20 scans until it restarts; GET /api/scanner/scans lists them`);

  app.get('/scans', {
    schema: { tags, summary: 'The recent scan runs of this server process, newest first', response: { 200: Type.Array(ScanRunSchema) } },
  }, async () => scanner.service.runs.list());

  app.get('/scans/:scan_id', {
    schema: { tags, summary: 'One scan run: status, progress and, once finished, its result', params: ScanIdParams, response: { 200: ScanRunSchema, ...errors(404) } },
  }, async (req) => {
    const run = scanner.service.runs.get(req.params.scan_id);
    if (!run) throw unknownScan(req.params.scan_id);
    return run;
  });

  app.post('/scans/:scan_id/cancel', {
    schema: {
      tags,
      summary: 'Cancel a running scan: it stops within seconds, jobs already created stay',
      params: ScanIdParams,
      response: { 200: ScanRunSchema, ...errors(404) },
    },
  }, async (req) => {
    const run = await scanner.service.cancel(req.params.scan_id);
    if (!run) throw unknownScan(req.params.scan_id);
    return run;
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
