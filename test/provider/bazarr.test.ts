/**
 * What Bazarr's whisperai provider does, as its own code does it
 * (morpheus65535/bazarr, custom_libs/subliminal_patch/providers/whisperai.py
 * and the "Test Connection" button: frontend/src/pages/Settings/components/
 * index.tsx ProviderTestButton -> frontend/src/apis/raw/utils.ts
 * providerUrlTest -> bazarr/app/ui.py proxy()):
 *
 * - the test button keeps only the host of the endpoint field
 *   (`new URL(endpoint).host`), always with http, and GETs `<host>/status`
 *   with no key; a 200 JSON with `version` shows as connected, 401 as
 *   "Access Denied. Check API key.", 404 as "Connected but no version found";
 * - /asr waits up to Bazarr's timeout (3600 s by default): the server's own
 *   limit defaults to that, an install on the old 600 moves to it, and a
 *   request that still runs out of time keeps its job and result.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { up as migration011 } from '../../src/db/migrations/011-provider-timeout.js';
import { definitionByKey } from '../../src/settings/definitions/index.js';
import { readSettingRow, writeSettingRow } from '../helpers/settings-rows.js';
import { engineSkip, listen, multipart, post, providerApp, startWorker, waitFor, JFK } from './provider-helpers.js';

const skip = engineSkip();

type ProxyAnswer = { status: true; version: string; code: number } | { status: false; error: string; code: number };

/** bazarr/app/ui.py proxy() on the URL ProviderTestButton builds from the endpoint field. */
async function bazarrTestButton(endpoint: string): Promise<ProxyAnswer & { title: string }> {
  const url = `http://${new URL(endpoint).host}/status`;
  const r = await fetch(url, { redirect: 'manual', headers: { 'user-agent': 'Bazarr/1.5.2' }, signal: AbortSignal.timeout(5000) });
  let answer: ProxyAnswer;
  if (r.status === 200) {
    try {
      answer = { status: true, version: String(((await r.json()) as { version: unknown }).version ?? (() => { throw new Error('no version'); })()), code: 200 };
    } catch {
      answer = { status: false, error: 'Error Occurred. Check your settings.', code: 200 };
    }
  } else if (r.status === 401) answer = { status: false, error: 'Access Denied. Check API key.', code: 401 };
  else if (r.status === 404) answer = { status: false, error: 'Cannot get version. Maybe unsupported legacy API call?', code: 404 };
  else answer = { status: false, error: `HTTP ${r.status}`, code: r.status };
  // What the button shows (ProviderTestButton).
  const title = answer.status ? answer.version : answer.code === 404 ? 'Connected but no version found (possibly whisper-asr?)' : answer.error;
  return { ...answer, title };
}

test("Bazarr's Test Connection button shows the version with auth on, though it drops the key in the provider URL", async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  // As Bazarr in another container sees it: loopback here, so the local exemption is turned off to stand for "remote".
  await app.ctx.settings.bulkUpdate({ auth_enabled: true, auth_exempt_local: false });
  const base = await listen(app);
  const key = app.ctx.settings.getString('api_key');
  const shown = await bazarrTestButton(`${base}/provider/${key}`);
  assert.equal(shown.status, true, JSON.stringify(shown));
  assert.equal(shown.title, JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'package.json'), 'utf8')).version);
  // Without the key nothing about the queue or the library is told.
  const anon = (await (await fetch(`${base}/status`)).json()) as Record<string, unknown>;
  assert.deepEqual(Object.keys(anon).sort(), ['detail', 'name', 'version']);
  // The provider URL itself (what /asr is called on) and the key still give the full status.
  for (const url of [`${base}/provider/${key}/status`, `${base}/status?apikey=${key}`]) {
    const full = (await (await fetch(url)).json()) as Record<string, unknown>;
    assert.equal(full.timeout_seconds, 3600, url);
    assert.ok('queue' in full && 'workers' in full, url);
  }
  const wrong = await fetch(`${base}/provider/not-the-key/status`);
  assert.equal(wrong.status, 401);
  // The rest of the API still needs the key.
  assert.equal((await fetch(`${base}/api/status`)).status, 401);
});

for (const kind of databaseKinds()) {
  test(`provider_timeout_seconds: 3600 by default, an install still on 600 moves to it, a chosen value is kept (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    assert.equal(definitionByKey.get('provider_timeout_seconds')?.default, '3600');
    assert.equal(app.ctx.settings.getNumber('provider_timeout_seconds'), 3600);
    const db = app.ctx.database.db;
    const stored = () => readSettingRow(db, 'provider_timeout_seconds');
    // As an older version left it: the old default.
    await writeSettingRow(db, 'provider_timeout_seconds', '600');
    await migration011(db, kind);
    assert.equal(await stored(), '3600');
    // A value the user chose, even a shorter one, stays.
    for (const chosen of ['900', '6000', '60']) {
      await writeSettingRow(db, 'provider_timeout_seconds', chosen);
      await migration011(db, kind);
      assert.equal(await stored(), chosen);
    }
  });
}

test('a request that runs past provider_timeout_seconds gets a 504, its job runs on and the same request gets the kept result', { skip, timeout: 180_000 }, async (t) => {
  const app = await providerApp({ provider_timeout_seconds: 2 });
  t.after(() => app.close());
  await startWorker(app);
  const base = await listen(app);
  // 44 s of speech: several seconds of work on the test model, longer than the 2 s limit.
  const audio = execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-stream_loop', '3', '-i', JFK, '-f', 's16le', '-ac', '1', '-ar', '16000', '-'], { maxBuffer: 64 << 20 });
  const { body, contentType } = multipart([{ name: 'audio_file', value: audio, filename: 'audio_file' }]);
  const url = `${base}/asr?task=transcribe&language=en&output=srt&encode=false`;
  const first = await post(url, body, contentType);
  assert.equal(first.status, 504, first.body);
  assert.match(JSON.parse(first.body).detail, /keeps running: send the same request again later/);
  const [job] = await app.ctx.database.db.selectFrom('jobs').selectAll().where('job_type', '=', 'provider_asr').execute();
  assert.notEqual(job.status, 'cancelled', 'the job was not given up with its client');
  const done = await waitFor('the job to finish', async () => {
    const row = await app.ctx.database.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirst();
    return row && row.status !== 'queued' && row.status !== 'processing' ? row : null;
  }, 120_000);
  assert.equal(done.status, 'completed', done.error ?? '');
  const again = await post(url, body, contentType);
  assert.equal(again.status, 200, again.body);
  assert.equal(again.headers['x-result-kept'], 'true');
  assert.equal(again.headers['x-job-id'], job.id);
  assert.match(again.body, /^1\n\d\d:\d\d:\d\d,\d{3} --> /);
});
