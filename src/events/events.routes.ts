import type { FastifyPluginAsync } from 'fastify';
import type { HubEvent } from './event-hub.js';

/** Server-sent events: job, worker, scan and download updates for the UI. */
export const eventsRoutes: FastifyPluginAsync = async (app) => {
  const hub = app.ctx.events;
  // Open streams never go idle, so closing the server ends them itself rather than waiting for browsers.
  const open = new Set<import('node:http').ServerResponse>();
  app.addHook('preClose', async () => {
    for (const res of open) res.end();
    open.clear();
  });
  app.get('/events', {
    schema: {
      tags: ['System'],
      summary: 'Live updates (text/event-stream): job.updated, stats, worker.updated, workers.removed, scan.progress, scan.completed, model.download, library.item, library.changed',
      description: 'job.updated carries the job as GET /api/jobs/{job_id} shows it (needs_review and quality_score included, so an Accept shows at once); stats the counts of GET /api/jobs/stats (needs_review included).',
    },
  }, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, {
      'content-type': 'text/event-stream',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.write(': connected\nretry: 3000\n\n');
    open.add(res);
    const send = (e: HubEvent) => res.write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`);
    hub.on('event', send);
    hub.start();
    const ping = setInterval(() => res.write(': ping\n\n'), 15000);
    const done = () => {
      clearInterval(ping);
      hub.off('event', send);
      open.delete(res);
    };
    req.raw.on('close', done);
  });
};
