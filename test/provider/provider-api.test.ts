/**
 * The provider's HTTP contract without the engine: parameter errors, 503
 * without workers, 405 hints, key-in-path auth, kept results after a client
 * timeout, and cancel when the client leaves before a worker starts the job.
 * Jobs are completed by hand here; asr.test.ts runs them on a real worker.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { audioPart, jfkPcm, listen, multipart, post, waitFor } from './provider-helpers.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';


const pcmBody = () => multipart([audioPart(jfkPcm())]);

async function providerJobs(t: TestApp) {
  return t.ctx.database.db.selectFrom('jobs').selectAll().where('job_type', 'like', 'provider_%').execute();
}

test('bad parameters are 400s that name the parameter; no file, empty file and junk audio are refused', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  const { body, contentType } = pcmBody();
  const ask = (url: string, payload = body, type = contentType) => app.app.inject({ method: 'POST', url, payload, headers: { 'content-type': type } });
  for (const [query, name] of [['task=dance', 'task'], ['output=docx', 'output'], ['language=klingon', 'language'], ['encode=maybe', 'encode'], ['word_timestamps=2', 'word_timestamps'], ['vad_filter=x', 'vad_filter']]) {
    const r = await ask(`/asr?encode=false&${query}`);
    assert.equal(r.statusCode, 400, query);
    assert.match((r.json() as { detail: string }).detail, new RegExp(name), query);
  }
  const noFile = multipart([{ name: 'other', value: 'x' }]);
  assert.equal((await ask('/asr?encode=false', noFile.body, noFile.contentType)).statusCode, 400);
  const empty = multipart([audioPart(Buffer.alloc(0))]);
  const e = await ask('/asr?encode=false', empty.body, empty.contentType);
  assert.equal(e.statusCode, 400);
  assert.match(e.body, /empty/);
  const notMultipart = await app.app.inject({ method: 'POST', url: '/asr', payload: { a: 1 } });
  assert.equal(notMultipart.statusCode, 400);
  assert.match(notMultipart.body, /multipart/);
  const junk = multipart([audioPart(Buffer.from('this is not audio at all, just text'.repeat(50)))]);
  const j = await ask('/asr?output=srt', junk.body, junk.contentType);
  assert.equal(j.statusCode, 422, j.body);
  assert.doesNotMatch(j.body, /provider-uploads/, 'the server path of the upload is not shown');
  // ISO 639-2 language codes are accepted as well as Whisper's.
  assert.deepEqual(await providerJobs(app), [], 'nothing was queued for bad requests');
  assert.deepEqual(readdirSync(join(app.ctx.config.dataDir, 'provider-uploads')), [], 'refused uploads are removed');
});

test('no worker running: 503 with a message, and nothing queued', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const { body, contentType } = pcmBody();
  for (const url of ['/asr?encode=false&output=srt', '/detect-language?encode=false']) {
    const r = await app.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
    assert.equal(r.statusCode, 503);
    assert.match((r.json() as { detail: string }).detail, /No worker/);
  }
  assert.equal((await providerJobs(app)).length, 0);
});

test('GET on the POST-only paths explains what to send; /status reports engine, queue and workers', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  for (const path of ['/asr', '/detect-language']) {
    const r = await app.app.inject({ method: 'GET', url: path });
    assert.equal(r.statusCode, 405);
    assert.equal(r.headers.allow, 'POST');
    assert.match((r.json() as { detail: string }).detail, /POST.*multipart.*audio_file/);
  }
  const s = await app.app.inject({ method: 'GET', url: '/status' });
  assert.equal(s.statusCode, 200);
  const j = s.json() as Record<string, unknown>;
  assert.equal(j.status, 'no_workers');
  assert.equal(j.engine, 'local');
  assert.equal(j.workers, 0);
  assert.deepEqual(j.queue, { queued: 0, processing: 0, provider_queued: 0, provider_processing: 0 });
  assert.equal(typeof j.version, 'string');
});

test('key in the path: /provider/<api_key>/... works without headers, a wrong key is a 401 JSON', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const key = app.ctx.settings.getString('api_key');
  const remote = { remoteAddress: '10.1.2.3' }; // not loopback: auth applies
  // Without the key /status tells only name and version (what Bazarr's test button shows); the rest needs the key.
  const anon = await app.app.inject({ method: 'GET', url: '/status', ...remote });
  assert.equal(anon.statusCode, 200);
  assert.deepEqual(Object.keys(anon.json() as object).sort(), ['detail', 'name', 'version']);
  assert.equal((await app.app.inject({ method: 'GET', url: '/api/status', ...remote })).statusCode, 401);
  const ok = await app.app.inject({ method: 'GET', url: `/provider/${key}/status`, ...remote });
  assert.equal(ok.statusCode, 200);
  const bad = await app.app.inject({ method: 'GET', url: '/provider/wrong-key/status', ...remote });
  assert.equal(bad.statusCode, 401);
  assert.match((bad.json() as { detail: string }).detail, /Invalid API key/);
  const badAsr = await app.app.inject({ method: 'POST', url: '/provider/wrong-key/asr?encode=false', payload: pcmBody().body, headers: { 'content-type': pcmBody().contentType }, ...remote });
  assert.equal(badAsr.statusCode, 401);
  // With the right key the provider routes answer as at the root (here: 503, no worker).
  const { body, contentType } = pcmBody();
  const asr = await app.app.inject({ method: 'POST', url: `/provider/${key}/asr?encode=false`, payload: body, headers: { 'content-type': contentType }, ...remote });
  assert.equal(asr.statusCode, 503);
  // Auth off: the plain paths work from anywhere.
  await app.ctx.settings.update('auth_enabled', false);
  assert.equal((await app.app.inject({ method: 'GET', url: '/status', ...remote })).statusCode, 200);
});

test('a result that finished after the client timed out is kept and served to the same request at once', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  await app.ctx.settings.bulkUpdate({ provider_timeout_seconds: 1 });
  const { body, contentType } = pcmBody();
  const url = '/asr?encode=false&task=transcribe&language=en&output=srt';
  const first = await app.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
  assert.equal(first.statusCode, 504);
  assert.match((first.json() as { detail: string }).detail, /send the same request again/);
  const [job] = await providerJobs(app);
  assert.equal(job.status, 'queued', 'the job keeps going after the client timed out');
  // A worker finishes it later.
  const result = { segments: [{ start: 0.3, end: 2.2, text: 'And so my fellow Americans' }], language: 'en', duration: 11, task: 'transcribe' };
  await app.ctx.database.db.updateTable('jobs').set({ status: 'completed', completed_at: new Date().toISOString(), result: JSON.stringify(result) }).where('id', '=', job.id).execute();
  const again = await app.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
  assert.equal(again.statusCode, 200);
  assert.equal(again.headers['x-result-kept'], 'true');
  assert.equal(again.body, '1\n00:00:00,300 --> 00:00:02,200\nAnd so my fellow Americans\n');
  // Another output format of the same request is rendered from the same result.
  const txt = await app.app.inject({ method: 'POST', url: url.replace('output=srt', 'output=txt'), payload: body, headers: { 'content-type': contentType } });
  assert.equal(txt.body, 'And so my fellow Americans\n');
  assert.equal((await providerJobs(app)).length, 1, 'no second job');
  // Past the TTL it is not served any more: a new job is queued.
  await app.ctx.settings.bulkUpdate({ provider_result_ttl_minutes: 0, provider_timeout_seconds: 1 });
  assert.equal((await app.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } })).statusCode, 504);
  assert.equal((await providerJobs(app)).length, 2);
});

test('a client that disconnects before a worker starts the job cancels it, unless an identical request still waits', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  const base = await listen(app);
  const { body, contentType } = pcmBody();
  const url = `${base}/asr?encode=false&language=en&output=srt`;
  const a = new AbortController();
  const b = new AbortController();
  const pa = post(url, body, contentType, { signal: a.signal }).catch((e: Error) => e);
  const pb = post(url, body, contentType, { signal: b.signal }).catch((e: Error) => e);
  const job = await waitFor('the job', async () => (await providerJobs(app))[0], 5000);
  await waitFor('two waiting requests', async () => app.ctx.provider.activeWaits() === 2, 5000);
  a.abort();
  await pa;
  // The server has seen the disconnect once only one request waits; the job must then still be queued.
  await waitFor('the first request gone', async () => app.ctx.provider.activeWaits() === 1, 5000);
  assert.equal((await app.ctx.jobs.get(job.id)).status, 'queued', 'the other request still waits for it');
  b.abort();
  await pb;
  const cancelled = await waitFor('cancel', async () => {
    const j = await app.ctx.jobs.get(job.id);
    return j.status === 'cancelled' ? j : null;
  }, 5000);
  assert.match(cancelled.error ?? '', /disconnected/);
  assert.equal((await providerJobs(app)).length, 1);
});

test('video_file outside the library only names the job and the answer; inside it the resolved path is kept with the job', async (t) => {
  const { mkdirSync, writeFileSync, realpathSync } = await import('node:fs');
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  const lib = join(realpathSync(app.ctx.config.dataDir), 'library');
  mkdirSync(join(lib, 'Show'), { recursive: true });
  writeFileSync(join(lib, 'Show', 'ep1.mkv'), '');
  await app.ctx.settings.bulkUpdate({ library_paths: lib });
  const { body, contentType } = pcmBody();
  const result = { segments: [{ start: 0.3, end: 2.2, text: 'And so my fellow Americans' }], language: 'en', duration: 11, task: 'transcribe' };

  /** Sends the request, checks the job while it waits, finishes it by hand and returns the answer. */
  const ask = async (url: string, check: (job: Awaited<ReturnType<typeof providerJobs>>[number]) => void) => {
    const pending = app.app.inject({ method: 'POST', url, payload: body, headers: { 'content-type': contentType } });
    const job = await waitFor('the job', async () => (await providerJobs(app)).find((j) => j.status === 'queued'), 5000);
    check(job);
    await app.ctx.database.db.updateTable('jobs').set({ status: 'completed', completed_at: new Date().toISOString(), result: JSON.stringify(result) }).where('id', '=', job.id).execute();
    return pending;
  };

  for (const [i, path] of ['/etc/passwd', `${lib}/../../../../../etc/passwd`].entries()) {
    const r = await ask(`/asr?encode=false&output=srt&language=${['en', 'es'][i]}&video_file=${encodeURIComponent(path)}`, (job) => {
      assert.match(job.file_path, /^provider:\/\/asr\/[0-9a-f]{64}$/, 'the job keeps its synthetic path');
      assert.equal(job.file_name, 'passwd', 'the base name is only a display name');
      assert.equal((JSON.parse(job.options!) as { media_path?: string }).media_path, undefined, 'no media path from outside the library');
    });
    assert.equal(r.statusCode, 200, 'the request is still answered (Bazarr never checks the status)');
    assert.equal(r.body, '1\n00:00:00,300 --> 00:00:02,200\nAnd so my fellow Americans\n');
    assert.match(String(r.headers['content-disposition']), /filename="passwd\.srt"/);
  }
  const inside = await ask(`/provider/${app.ctx.settings.getString('api_key')}/asr?encode=false&output=srt&language=fr&video_file=${encodeURIComponent(`${lib}/Show/../Show/ep1.mkv`)}`, (job) => {
    assert.match(job.file_path, /^provider:\/\//);
    assert.equal(job.file_name, 'ep1.mkv');
    assert.equal((JSON.parse(job.options!) as { media_path?: string }).media_path, join(lib, 'Show', 'ep1.mkv'));
  });
  assert.equal(inside.statusCode, 200, inside.body);
  assert.deepEqual(readdirSync(join(lib, 'Show')), ['ep1.mkv'], 'nothing is written beside the media');
});
