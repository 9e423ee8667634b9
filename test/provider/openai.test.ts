import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { engineSkip, multipart, providerApp, startWorker, JFK } from './provider-helpers.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';

const skip = engineSkip();


test('OpenAI errors have OpenAI\'s shape and real status codes, the API key may be a Bearer token', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const ask = (parts: Parameters<typeof multipart>[0], headers: Record<string, string> = {}, extra: object = {}) => {
    const { body, contentType } = multipart(parts);
    return app.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: body, headers: { 'content-type': contentType, ...headers }, ...extra });
  };
  const file = { name: 'file', value: readFileSync(JFK), filename: 'jfk.wav' };
  // No worker: refused before the body is read (upload-admission.ts), so it comes first; the field errors need a worker to be reached.
  const cases: Array<[Parameters<typeof multipart>[0], number, string]> = [
    [[file], 503, 'no_workers'],
    [[{ name: 'model', value: 'whisper-1' }], 400, 'file'],
    [[{ name: 'response_format', value: 'docx' }, file], 400, 'response_format'],
    [[{ name: 'model', value: 'gpt-99' }, file], 400, 'model'],
    [[{ name: 'temperature', value: '7' }, file], 400, 'temperature'],
    [[{ name: 'language', value: 'xx-nope' }, file], 400, 'language'],
    [[{ name: 'timestamp_granularities[]', value: 'char' }, file], 400, 'timestamp_granularities[]'],
  ];
  for (const [parts, status, what] of cases) {
    if (status === 400) await insertLiveWorkerRow(app.ctx.database.db, { node: app.ctx.config.nodeName });
    const r = await ask(parts);
    assert.equal(r.statusCode, status, `${what}: ${r.body}`);
    const e = (r.json() as { error: { message: string; type: string; param: string | null; code: string | null } }).error;
    assert.equal(typeof e.message, 'string');
    assert.equal(e.type, status >= 500 ? 'server_error' : 'invalid_request_error');
    if (status === 400) assert.ok(e.param === what || e.message.includes(what), `${what}: ${JSON.stringify(e)}`);
    else assert.equal(e.code, what);
  }
  const remote = { remoteAddress: '10.9.8.7' };
  const noKey = await app.app.inject({ method: 'GET', url: '/v1/models', ...remote });
  assert.equal(noKey.statusCode, 401);
  assert.equal((noKey.json() as { error: { type: string } }).error.type, 'authentication_error');
  const bearer = await app.app.inject({ method: 'GET', url: '/v1/models', headers: { authorization: `Bearer ${app.ctx.settings.getString('api_key')}` }, ...remote });
  assert.equal(bearer.statusCode, 200);
  const unknown = await app.app.inject({ method: 'GET', url: '/v1/nothing' });
  assert.equal(unknown.statusCode, 404);
  assert.equal((unknown.json() as { error: { type: string } }).error.type, 'not_found_error');
});

test('GET /v1/models lists the installed models', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const dir = join(app.ctx.config.dataDir, 'models');
  mkdirSync(dir, { recursive: true });
  copyFileSync(await ensureTestModel('minimal'), join(dir, 'ggml-tiny.bin'));
  await app.ctx.settings.update('model_path', dir);
  const r = await app.app.inject({ method: 'GET', url: '/v1/models' });
  assert.equal(r.statusCode, 200);
  const ids = (r.json() as { object: string; data: { id: string; object: string }[] }).data.map((m) => m.id);
  assert.deepEqual(ids, ['whisper-1', 'tiny']);
});

test('POST /v1/audio/transcriptions and /translations run through the queue on a real worker in every response_format', { skip, timeout: 120_000 }, async (t) => {
  const app = await providerApp();
  t.after(() => app.close());
  await startWorker(app);
  const call = async (path: string, format: string, extra: Parameters<typeof multipart>[0] = []) => {
    const { body, contentType } = multipart([...extra, { name: 'response_format', value: format }, { name: 'language', value: 'en' }, { name: 'file', value: readFileSync(JFK), filename: 'jfk.wav', contentType: 'audio/wav' }]);
    return app.app.inject({ method: 'POST', url: path, payload: body, headers: { 'content-type': contentType } });
  };
  const json = await call('/v1/audio/transcriptions', 'json');
  assert.equal(json.statusCode, 200, json.body);
  assert.equal(typeof (json.json() as { text: string }).text, 'string');
  const verbose = await call('/v1/audio/transcriptions', 'verbose_json', [{ name: 'timestamp_granularities[]', value: 'word' }, { name: 'timestamp_granularities[]', value: 'segment' }]);
  const v = verbose.json() as { task: string; language: string; duration: number; segments: { start: number; end: number }[]; words?: unknown[] };
  assert.equal(v.task, 'transcribe');
  assert.equal(v.language, 'english');
  assert.ok(Math.abs(v.duration - 11) < 0.5);
  assert.ok(v.segments.length > 0 && v.segments.every((s) => s.end <= 11.01));
  assert.ok(Array.isArray(v.words));
  const srt = await call('/v1/audio/transcriptions', 'srt');
  assert.match(String(srt.headers['content-type']), /^text\/plain/);
  assert.match(srt.body, /^1\n00:00:\d\d,\d{3} --> /);
  const vtt = await call('/v1/audio/transcriptions', 'vtt');
  assert.match(vtt.body, /^WEBVTT/);
  const text = await call('/v1/audio/transcriptions', 'text');
  assert.equal(text.body, `${(json.json() as { text: string }).text}\n`);
  const tr = await call('/v1/audio/translations', 'verbose_json');
  assert.equal(tr.statusCode, 200, tr.body);
  assert.equal((tr.json() as { task: string }).task, 'translate');
  // json, verbose_json, srt, vtt and text share one transcription job; the translation is another.
  const jobs = await app.ctx.database.db.selectFrom('jobs').select(['transcribe_or_translate']).where('job_type', '=', 'provider_asr').execute();
  assert.deepEqual(jobs.map((j) => j.transcribe_or_translate).sort(), ['transcribe', 'translate']);
});
