/** The live event stream: a job change made by another process (here: straight in the database) reaches an SSE client. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { createTestApp } from '../helpers/app.js';
import { updateJob } from '../../src/jobs/jobs.repository.js';

test('GET /api/events streams job.updated and stats when a job changes in the database; closing the server ends the stream', { timeout: 20_000 }, async () => {
  const ta = await createTestApp('sqlite');
  await ta.app.listen({ port: 0, host: '127.0.0.1' });
  const port = (ta.app.server.address() as { port: number }).port;

  const received: string[] = [];
  let ended = false;
  const req = request({ host: '127.0.0.1', port, path: '/api/events' });
  const opened = new Promise<void>((resolve, reject) => {
    req.on('response', (res) => {
      assert.equal(res.statusCode, 200);
      assert.match(String(res.headers['content-type']), /text\/event-stream/);
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => received.push(chunk));
      res.on('end', () => (ended = true));
      resolve();
    });
    req.on('error', reject);
  });
  req.end();
  await opened;

  const job = await ta.ctx.jobs.create({ file_path: '/media/Show/E01.mkv', target_lang: 'spa' });
  // A worker process writes progress to the database only; the server must notice it.
  await updateJob(ta.ctx.database.db, job.id, { progress: 42, current_stage: 'transcribing' });

  const deadline = Date.now() + 5000;
  const text = () => received.join('');
  while (Date.now() < deadline && !/"progress":42/.test(text())) await new Promise((r) => setTimeout(r, 50));
  assert.match(text(), /event: job\.updated\ndata: \{[^\n]*"id":"[0-9a-f]+"/);
  assert.match(text(), /"progress":42[^\n]*"current_stage":"transcribing"|"current_stage":"transcribing"[^\n]*"progress":42/);
  assert.match(text(), /event: stats\ndata: \{"total_jobs":1,"queued":1/);

  // An open stream must not hold up shutdown (SIGTERM with the UI open in a browser).
  const t0 = Date.now();
  await ta.close();
  assert.ok(Date.now() - t0 < 3000, `server closed in ${Date.now() - t0} ms`);
  for (let i = 0; i < 40 && !ended; i++) await new Promise((r) => setTimeout(r, 25));
  assert.ok(ended, 'the client sees its stream end');
  req.destroy();
});
