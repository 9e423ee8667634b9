/**
 * What the server does when a provider client leaves while its job waits in
 * the queue, observed through the service itself (its `disconnect-cleanup`
 * event and activeWaits(), the status page's waiting_requests) rather than
 * by waiting some time: once it says the clean-up is done, the job is
 * cancelled and no audio is left, neither in the database nor on disk.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { DisconnectCleanup } from '../../src/provider/provider.service.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { audioPart, jfkPcm, listen, multipart, post, waitFor } from './provider-helpers.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';


async function blobChunks(t: TestApp, jobId: string): Promise<number> {
  const r = await t.ctx.database.db.selectFrom('job_blobs').select((eb) => eb.fn.countAll<number>().as('n')).where('job_id', '=', jobId).executeTakeFirst();
  return Number(r?.n ?? 0);
}

/** A request whose job waits in the queue (a worker row, no worker process): its client can leave at any time. */
async function waitingRequest(app: TestApp, query = '') {
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  const base = await listen(app);
  const { body, contentType } = multipart([audioPart(jfkPcm())]);
  const ac = new AbortController();
  const pending = post(`${base}/asr?encode=false&language=en${query}`, body, contentType, { signal: ac.signal }).catch((e: Error) => e);
  await waitFor('the request waiting on its job', async () => app.ctx.provider.activeWaits() === 1, 20_000);
  const [job] = await app.ctx.database.db.selectFrom('jobs').selectAll().where('job_type', '=', 'provider_asr').execute();
  return { base, job, leave: async () => (ac.abort(), await pending) };
}

const uploads = (t: TestApp) => readdirSync(join(t.ctx.config.dataDir, 'provider-uploads'));

test('a client that leaves while its job is queued: the disconnect-cleanup event comes once the job is cancelled and its audio gone; a waiting request holds no upload file', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const { job, leave } = await waitingRequest(app);
  assert.equal(job.status, 'queued');
  assert.ok((await blobChunks(app, job.id)) > 0, 'the job has its audio in the database');
  assert.deepEqual(uploads(app), [], 'the upload file went as soon as the job had its copy');

  const cleaned = once(app.ctx.provider, 'disconnect-cleanup') as Promise<[DisconnectCleanup]>;
  await leave();
  const [event] = await cleaned;
  assert.deepEqual(event, { jobId: job.id, cancelled: true });
  // Nothing left to wait for: the state is final when the event comes.
  assert.equal((await app.ctx.jobs.get(job.id)).status, 'cancelled');
  assert.equal(await blobChunks(app, job.id), 0, 'its audio removed');
  assert.deepEqual(uploads(app), []);
  assert.equal(app.ctx.provider.activeWaits(), 0);
});

test('activeWaits() counts a request until its disconnect clean-up is done, so another process can watch waiting_requests', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const { base, job, leave } = await waitingRequest(app, '&initial_prompt=watched');
  // Every change of the count, read where it changes: it never reads 0 while the job is still queued.
  const seen: Array<{ waits: number; status: string }> = [];
  const cleaned = once(app.ctx.provider, 'disconnect-cleanup');
  await leave();
  await waitFor('waiting_requests back to 0', async () => {
    const waits = app.ctx.provider.activeWaits();
    const status = (await app.ctx.jobs.get(job.id)).status;
    seen.push({ waits, status });
    return waits === 0;
  }, 20_000);
  for (const s of seen) if (s.waits === 0) assert.equal(s.status, 'cancelled', JSON.stringify(seen));
  await cleaned;
  const status = (await (await fetch(`${base}/status`)).json()) as { waiting_requests: number };
  assert.equal(status.waiting_requests, 0);
});
