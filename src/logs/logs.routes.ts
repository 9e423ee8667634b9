import { Type, type FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { badRequest } from '../errors.js';
import { LOG_LEVEL_NAMES } from './logs.service.js';

const Level = Type.Union(
  [Type.Literal('trace'), Type.Literal('debug'), Type.Literal('info'), Type.Literal('warn'), Type.Literal('error'), Type.Literal('fatal')],
  { description: `a log level (${LOG_LEVEL_NAMES.join(', ')})` },
);
const Entry = Type.Object({
  time: Type.String({ description: 'ISO 8601' }),
  level: Level,
  source: Type.String({ description: 'server, or the worker id (worker-cpu-0) of a line a worker process wrote' }),
  message: Type.String(),
  fields: Type.Record(Type.String(), Type.Unknown(), { description: 'the other fields of the line (component, job, err...)' }),
});

/** `since` as an ISO date or epoch milliseconds. */
function parseSince(raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const n = /^\d+$/.test(raw) ? Number(raw) : Date.parse(raw);
  if (!Number.isFinite(n)) throw badRequest(`since must be an ISO date (2026-01-31T12:00:00Z) or epoch milliseconds, got "${raw}"`);
  return n;
}

/** Recent server and worker log lines (the log file under DATA_DIR/logs), keys taken out. */
export const logsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const logs = app.ctx.logs;

  app.get('/', {
    schema: {
      tags: ['System'],
      summary: 'Recent log lines of the server and its workers, newest last',
      querystring: Type.Object({
        level: Type.Optional(Level),
        limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 5000, default: 200, description: 'the newest N matching lines' })),
        since: Type.Optional(Type.String({ description: 'only lines after this moment: ISO date or epoch milliseconds' })),
      }),
      response: {
        200: Type.Object({
          lines: Type.Array(Entry),
          truncated: Type.Boolean({ description: 'older matching lines exist beyond limit' }),
        }),
      },
    },
  }, async (req) => logs.recent({ level: req.query.level, limit: req.query.limit ?? 200, sinceMs: parseSince(req.query.since) }));

  app.get('/download', {
    schema: {
      tags: ['System'],
      summary: 'Every kept log line as a file (readable text, or JSON lines with format=json)',
      querystring: Type.Object({ format: Type.Optional(Type.Union([Type.Literal('text'), Type.Literal('json')], { default: 'text' })) }),
      response: { 200: Type.String() },
    },
  }, async (req, reply) => {
    const format = req.query.format ?? 'text';
    const stamp = new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);
    return reply
      .type(format === 'json' ? 'application/x-ndjson; charset=utf-8' : 'text/plain; charset=utf-8')
      .header('content-disposition', `attachment; filename="transcriptorio-${stamp}.${format === 'json' ? 'jsonl' : 'log'}"`)
      .send(logs.download(format));
  });
};
