/**
 * "Configure Bazarr for me" against the fake Bazarr's settings API (built
 * from bazarr/api/system/settings.py and bazarr/app/config.py, see
 * fake-bazarr-settings.ts): a dry run reads Bazarr's settings and answers the
 * diff without writing; confirm writes it through Bazarr's own settings API,
 * with the provider key in the endpoint, and reads it back; the Test then
 * finds nothing left to change. The minimum scores change only when asked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { fakeBazarr, type FakeBazarr } from './fake-bazarr.js';

interface Change { setting: string; from: unknown; to: unknown; why: string }
interface Result { applied: boolean; changes: Change[]; verified: boolean | null; mismatches: string[]; provider_url: string | null; new_provider_key: boolean; notes: string[] }

async function configure(t: TestApp, body: object): Promise<Result> {
  const r = await t.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure', payload: body });
  assert.equal(r.statusCode, 200, r.body);
  return r.json<Result>();
}

const posts = (b: FakeBazarr) => b.calls.filter((c) => c.method === 'POST' && c.url.startsWith('/api/system/settings'));

test('configure: dry run answers the diff and writes nothing; confirm writes it through Bazarr\'s settings API and reads it back; the Test is clean', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());

  // Not connected: a 400 that names the settings.
  const unset = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure', payload: {} });
  assert.equal(unset.statusCode, 400);
  assert.match(unset.body, /bazarr_url/);
  await app.ctx.settings.bulkUpdate({ bazarr_url: bazarr.url, bazarr_sync_api_key: bazarr.apiKey, public_url: 'http://tio.lan:8000' });

  const dry = await configure(app, {});
  assert.equal(dry.applied, false);
  assert.equal(posts(bazarr).length, 0, 'a dry run writes nothing');
  const bySetting = Object.fromEntries(dry.changes.map((c) => [c.setting, c]));
  assert.deepEqual(bySetting['general.enabled_providers'].to, ['opensubtitlescom', 'whisperai'], "Whisper is added to Bazarr's providers, the others kept");
  assert.equal(bySetting['whisperai.endpoint'].from, 'http://127.0.0.1:9000');
  assert.equal(bySetting['whisperai.endpoint'].to, 'http://tio.lan:8000/provider/<new provider key>');
  assert.equal(dry.new_provider_key, true, 'a fresh install has no provider key yet: confirm makes one');
  assert.equal(bySetting['whisperai.timeout'].to, 3660, 'a minute over provider_timeout_seconds');
  assert.equal(bySetting['whisperai.pass_video_name'].to, true);
  assert.equal(bySetting['whisperai.response'], undefined, "Bazarr's connection timeout (5 s) is already right");
  assert.equal(bySetting['general.minimum_score'], undefined, 'the scores change only when asked');
  assert.ok(dry.notes.some((n) => /minimum scores \(90 % for episodes, 70 % for movies\) are above what a Whisper subtitle scores \(66 %, 50 %\)/.test(n)), dry.notes.join('\n'));
  assert.ok(dry.notes.some((n) => /10 minutes .* an hour after a read timeout/.test(n)), 'the throttling advice');
  assert.equal(app.ctx.settings.getString('bazarr_api_key'), '', 'a dry run makes no key');

  const withScores = await configure(app, { scores: true });
  const scores = Object.fromEntries(withScores.changes.map((c) => [c.setting, c.to]));
  assert.equal(scores['general.minimum_score'], 66);
  assert.equal(scores['general.minimum_score_movie'], 50);

  const done = await configure(app, { scores: true, confirm: true });
  assert.equal(done.applied, true);
  assert.equal(done.verified, true, done.mismatches.join('; '));
  assert.equal(done.new_provider_key, true);
  const providerKey = app.ctx.settings.getString('bazarr_api_key');
  assert.ok(providerKey && providerKey !== app.ctx.settings.getString('api_key'), 'the endpoint carries a provider key, not the API key');
  assert.equal(done.provider_url, `http://tio.lan:8000/provider/${providerKey}`);
  assert.equal(posts(bazarr).length, 1, 'one write');
  const form = new URLSearchParams(posts(bazarr)[0].body.toString());
  assert.deepEqual(form.getAll('settings-general-enabled_providers'), ['opensubtitlescom', 'whisperai'], 'a list is the field repeated');
  assert.equal(form.get('settings-whisperai-endpoint'), done.provider_url);
  // Bazarr's own settings now hold it (the fake keeps them as Bazarr's save_settings does).
  assert.equal(bazarr.config.whisperai.endpoint, done.provider_url);
  assert.equal(bazarr.config.whisperai.timeout, 3660);
  assert.equal(bazarr.config.whisperai.pass_video_name, true);
  assert.equal(bazarr.config.general.minimum_score, 66);
  assert.equal(bazarr.config.general.minimum_score_movie, 50);
  assert.equal(app.ctx.settings.getBoolean('bazarr_provider_enabled'), true);
  // The endpoint Bazarr got answers Bazarr's requests.
  const path = new URL(done.provider_url!).pathname;
  assert.equal((await app.app.inject({ url: `${path}/status`, remoteAddress: '10.0.0.9' })).statusCode, 200);

  const check = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure/test', payload: { scores: true } });
  assert.equal(check.statusCode, 200, check.body);
  assert.equal(check.json<Result>().verified, true);
  assert.deepEqual(check.json<Result>().changes, []);
  // Again: nothing to change, nothing written, the provider key kept.
  const again = await configure(app, { scores: true, confirm: true });
  assert.deepEqual(again.changes, []);
  assert.equal(again.new_provider_key, false);
  assert.equal(posts(bazarr).length, 1);
  assert.equal(app.ctx.settings.getString('bazarr_api_key'), providerKey);

  // Someone changes Bazarr by hand: the Test says what differs.
  bazarr.config.whisperai.timeout = 600;
  const drift = (await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure/test', payload: {} })).json<Result>();
  assert.equal(drift.verified, false);
  assert.match(drift.mismatches.join('\n'), /Transcription\/translation timeout in seconds is 600, expected 3660/);
});

test("configure: Bazarr's validator refusing a value is a 502 that says so; a wrong Bazarr key names the setting", async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  await app.ctx.settings.bulkUpdate({ bazarr_url: bazarr.url, bazarr_sync_api_key: 'wrong' });
  const bad = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure', payload: {} });
  assert.equal(bad.statusCode, 502);
  assert.match(bad.body, /bazarr_sync_api_key/);

  await app.ctx.settings.bulkUpdate({ bazarr_sync_api_key: bazarr.apiKey });
  // A Bazarr whose score settings are out of range (a hand edit): its validators refuse the whole write.
  bazarr.config.general.minimum_score_movie = 150;
  const refused = await app.app.inject({ method: 'POST', url: '/api/integrations/bazarr/configure', payload: { confirm: true } });
  assert.equal(refused.statusCode, 502, refused.body);
  assert.equal(refused.json<{ code: string }>().code, 'bazarr_settings_refused');
  assert.match(refused.json<{ detail: string }>().detail, /Bazarr refused the settings: general.minimum_score_movie must be gte 0 and lte 100/);
  assert.equal(bazarr.config.whisperai.endpoint, 'http://127.0.0.1:9000', 'Bazarr kept its settings');
});

test('configure: the endpoint keeps the address Bazarr already reaches this server at, when no public_url is set', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const bazarr = await fakeBazarr();
  t.after(() => bazarr.close());
  await app.ctx.settings.bulkUpdate({ bazarr_url: bazarr.url, bazarr_sync_api_key: bazarr.apiKey });
  const apiKey = app.ctx.settings.getString('api_key');
  bazarr.config.whisperai.endpoint = `http://192.168.1.20:8000/provider/${apiKey}`;
  const done = await configure(app, { confirm: true });
  const providerKey = app.ctx.settings.getString('bazarr_api_key');
  assert.equal(bazarr.config.whisperai.endpoint, `http://192.168.1.20:8000/provider/${providerKey}`);
  assert.equal(done.verified, true);
  const loop = await configure(app, { public_url: 'http://localhost:8000' });
  assert.ok(loop.notes.some((n) => /loopback address/.test(n)), 'a loopback address is pointed out');
});
