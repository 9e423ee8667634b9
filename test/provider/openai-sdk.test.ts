/**
 * The /v1 API through the official `openai` npm package, against the real
 * server (listening on a port) and a real worker on the generated test model:
 * what the SDK calls, sends and parses is what OpenAI clients get.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import OpenAI, { toFile } from 'openai';
import { engineSkip, listen, providerApp, startWorker, JFK } from './provider-helpers.js';
import { createTestApp } from '../helpers/app.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';

const skip = engineSkip();

test('models.retrieve answers the ids models.list gives, and a 404 in OpenAI\'s shape for others; a non-audio upload is a 400; a wrong key\'s 401 names Bearer', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  // Local requests would pass without a key: make this one count as any other machine's.
  await app.ctx.settings.bulkUpdate({ auth_enabled: true, auth_exempt_local: false });
  const base = await listen(app);
  const client = new OpenAI({ apiKey: app.ctx.settings.getString('api_key'), baseURL: `${base}/v1`, maxRetries: 0 });

  const listed = [];
  for await (const m of client.models.list()) listed.push(m.id);
  assert.ok(listed.includes('whisper-1'));
  const one = await client.models.retrieve('whisper-1');
  assert.deepEqual({ id: one.id, object: one.object }, { id: 'whisper-1', object: 'model' });

  await assert.rejects(client.models.retrieve('gpt-99'), (e: unknown) => {
    assert.ok(e instanceof OpenAI.NotFoundError, String(e));
    assert.equal(e.status, 404);
    assert.deepEqual(Object.keys(e.error as object).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(e.code, 'model_not_found');
    assert.equal(e.param, 'model');
    assert.equal(e.type, 'invalid_request_error');
    return true;
  });

  // A text file where audio is expected: OpenAI's 400, checked before anything is queued. (With no worker alive at
  // all the upload is refused with a 503 before its body is read: a worker row lets this one be read and judged.)
  await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
  await assert.rejects(client.audio.transcriptions.create({ file: await toFile(Buffer.from('just some notes, not audio\n'.repeat(40)), 'notes.txt', { type: 'text/plain' }), model: 'whisper-1' }), (e: unknown) => {
    assert.ok(e instanceof OpenAI.BadRequestError, String(e));
    assert.equal(e.status, 400);
    assert.deepEqual(Object.keys(e.error as object).sort(), ['code', 'message', 'param', 'type']);
    assert.equal(e.type, 'invalid_request_error');
    assert.equal(e.param, 'file');
    assert.match(e.message, /not audio/);
    return true;
  });
  assert.equal((await app.ctx.database.db.selectFrom('jobs').select('id').execute()).length, 0);

  const wrong = new OpenAI({ apiKey: 'not-the-key', baseURL: `${base}/v1`, maxRetries: 0 });
  await assert.rejects(wrong.models.list(), (e: unknown) => {
    assert.ok(e instanceof OpenAI.AuthenticationError, String(e));
    assert.equal(e.status, 401);
    assert.equal(e.type, 'authentication_error');
    assert.match(e.message, /Authorization: Bearer/);
    assert.doesNotMatch(e.message, /X-Api-Key/);
    return true;
  });
});

test('through the SDK on a real worker: translations report English, stream=true sends the segments as transcript.text.delta events and ends with transcript.text.done', { skip, timeout: 180_000 }, async (t) => {
  const app = await providerApp();
  t.after(() => app.close());
  await startWorker(app);
  const base = await listen(app);
  const client = new OpenAI({ apiKey: app.ctx.settings.getString('api_key'), baseURL: `${base}/v1`, maxRetries: 0 });

  // The SDK's TranslationCreateParams ignores its response-format parameter, so the
  // overload for verbose_json is never the one chosen: the answer is typed here.
  const tr = (await client.audio.translations.create({ file: createReadStream(JFK), model: 'whisper-1', response_format: 'verbose_json' })) as OpenAI.Audio.TranslationVerbose;
  assert.equal(tr.language, 'english');
  assert.equal(typeof tr.text, 'string');

  const verbose = await client.audio.transcriptions.create({ file: createReadStream(JFK), model: 'whisper-1', language: 'en', response_format: 'verbose_json', timestamp_granularities: ['segment'] });
  assert.equal(verbose.language, 'english');
  for (const s of verbose.segments ?? []) {
    for (const x of [s.start, s.end]) assert.equal(x, Math.round(x * 1000) / 1000, `${x} is in whole milliseconds`);
    assert.ok(s.tokens.length > 0 && s.tokens.every((id) => Number.isInteger(id)), 'the engine\'s token ids');
    assert.ok(s.compression_ratio > 0);
  }

  const stream = await client.audio.transcriptions.create({ file: await toFile(readFileSync(JFK), 'jfk.wav', { type: 'audio/wav' }), model: 'whisper-1', language: 'en', stream: true });
  const events: Array<{ type: string; delta?: string; text?: string }> = [];
  for await (const ev of stream) events.push(ev as (typeof events)[number]);
  assert.ok(events.length >= 2, JSON.stringify(events));
  const done = events.at(-1)!;
  assert.equal(done.type, 'transcript.text.done');
  const deltas = events.slice(0, -1);
  assert.ok(deltas.length > 0 && deltas.every((e) => e.type === 'transcript.text.delta'), JSON.stringify(events));
  assert.equal(deltas.map((e) => e.delta).join(''), done.text, 'the deltas add up to the text');
  assert.equal(done.text, verbose.text, 'the same text as without streaming');
  assert.equal(deltas.length, verbose.segments!.filter((s) => s.text.trim()).length, 'one delta per segment');
});
