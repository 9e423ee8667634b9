import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { InjectOptions } from 'fastify';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { multipart } from '../provider/provider-helpers.js';
import { fakeServer } from './fake-server.js';
import { realMedia } from './webhook-media.js';

// Every webhook file is analysed (ffprobe) and judged by the rules engine: the files are real media.
async function media(t: TestApp, rel: string): Promise<string> {
  return realMedia(join(t.ctx.config.dataDir, 'library', rel));
}

const jobsOf = async (t: TestApp) => (await t.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs;

test('Sonarr and Radarr imports queue a job for the new file (default target language without rules); Test events answer 200', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  await app.ctx.settings.bulkUpdate({ webhook_default_target_language: 'spa', library_paths: lib });
  const ep = await media(app, 'Show/Season 01/Show - S01E01.mkv');
  const mv = await media(app, 'Movie (2020)/Movie.mkv');
  const post = (src: string, payload: unknown) => app.app.inject({ method: 'POST', url: `/webhooks/${src}`, payload: payload as object });

  for (const src of ['sonarr', 'radarr']) {
    const r = await post(src, { eventType: 'Test' });
    assert.equal(r.statusCode, 200);
    assert.equal((r.json() as { event: string }).event, 'test');
  }
  const s = await post('sonarr', { eventType: 'Download', series: { path: join(lib, 'Show') }, episodeFile: { relativePath: 'Season 01/Show - S01E01.mkv' } });
  assert.equal(s.statusCode, 200, s.body);
  assert.equal((s.json() as { queued: number }).queued, 1);
  const r = await post('radarr', { eventType: 'Download', isUpgrade: true, movie: { folderPath: join(lib, 'Movie (2020)') }, movieFile: { relativePath: 'Movie.mkv' } });
  assert.equal((r.json() as { queued: number }).queued, 1);
  const jobs = await jobsOf(app);
  assert.deepEqual(jobs.map((j) => j.file_path).sort(), [ep, mv].sort());
  assert.ok(jobs.every((j) => j.target_lang === 'spa' && j.job_type === 'transcription'));
  // Grab is not a new file: nothing queued.
  assert.equal((await post('sonarr', { eventType: 'Grab', series: { path: lib } })).json<{ event: string }>().event, 'ignored');
  // Path mappings: the *arr app sees the library under /tv.
  await app.ctx.settings.bulkUpdate({ path_mappings: JSON.stringify([{ from: '/tv', to: join(lib, 'Show') }]) });
  const ep2 = await media(app, 'Show/Season 01/Show - S01E02.mkv');
  const mapped = await post('sonarr', { eventType: 'Download', series: { path: '/tv' }, episodeFile: { relativePath: 'Season 01/Show - S01E02.mkv' } });
  assert.equal((mapped.json() as { files: { path: string; action: string }[] }).files[0].path, ep2);
  assert.equal((mapped.json() as { queued: number }).queued, 1);
});

test('junk is a 400 for every sender', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const cases: Array<[string, unknown]> = [
    ['sonarr', { hello: 'world' }], ['sonarr', { eventType: 'Download' }], ['radarr', { eventType: 'Download', movie: {} }], ['radarr', [1, 2]],
    ['jellyfin', { foo: 1 }], ['emby', { Item: {} }], ['tautulli', { action: 'created' }], ['jellyfin', { NotificationType: 'ItemAdded' }],
  ];
  for (const [src, body] of cases) {
    const r = await app.app.inject({ method: 'POST', url: `/webhooks/${src}`, payload: body as object });
    assert.equal(r.statusCode, 400, `${src} ${JSON.stringify(body)}: ${r.body}`);
  }
  const plexJson = await app.app.inject({ method: 'POST', url: '/webhooks/plex', payload: { event: 'library.new' } });
  assert.equal(plexJson.statusCode, 400);
  const badPayload = multipart([{ name: 'payload', value: 'not json' }]);
  assert.equal((await app.app.inject({ method: 'POST', url: '/webhooks/plex', payload: badPayload.body, headers: { 'content-type': badPayload.contentType } })).statusCode, 400);
  assert.equal((await jobsOf(app)).length, 0);
});

test('Plex, Jellyfin, Emby and Tautulli: the file comes from the payload or is looked up on the server', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await app.ctx.settings.bulkUpdate({ library_paths: join(app.ctx.config.dataDir, 'library') });
  const plexFile = await media(app, 'Plex Movie/Plex Movie.mkv');
  const jfFile = await media(app, 'JF/Ep.mkv');
  const embyFile = await media(app, 'Emby/Ep.mkv');
  const tauFile = await media(app, 'Tau/Ep.mkv');
  const plex = await fakeServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ MediaContainer: { Metadata: [{ Media: [{ Part: [{ file: plexFile }] }] }] } }));
  });
  const jf = await fakeServer((_req, res) => res.end(JSON.stringify({ Items: [{ Path: jfFile }] })));
  t.after(() => plex.close());
  t.after(() => jf.close());
  // Without plex_url the file cannot be found: a clear 422.
  const body = multipart([{ name: 'payload', value: JSON.stringify({ event: 'library.new', Metadata: { ratingKey: '42', type: 'movie' } }) }, { name: 'thumb', value: Buffer.from('jpeg'), filename: 'thumb.jpg' }]);
  const noServer = await app.app.inject({ method: 'POST', url: '/webhooks/plex', payload: body.body, headers: { 'content-type': body.contentType } });
  assert.equal(noServer.statusCode, 422);
  await app.ctx.settings.bulkUpdate({ plex_url: plex.url, plex_token: 'ptok', jellyfin_url: jf.url, jellyfin_api_key: 'jkey' });
  const p = await app.app.inject({ method: 'POST', url: '/webhooks/plex', payload: body.body, headers: { 'content-type': body.contentType } });
  assert.equal(p.statusCode, 200, p.body);
  assert.match(plex.calls[0].url, /^\/library\/metadata\/42\?X-Plex-Token=ptok/);
  const play = multipart([{ name: 'payload', value: JSON.stringify({ event: 'media.play', Metadata: { ratingKey: '1' } }) }]);
  assert.equal((await app.app.inject({ method: 'POST', url: '/webhooks/plex', payload: play.body, headers: { 'content-type': play.contentType } })).json<{ event: string }>().event, 'play');
  const j = await app.app.inject({ method: 'POST', url: '/webhooks/jellyfin', payload: { NotificationType: 'ItemAdded', ItemId: 'abc', ItemType: 'Episode' } });
  assert.equal(j.statusCode, 200, j.body);
  assert.equal(jf.calls[0].headers['x-emby-token'], 'jkey');
  // Jellyfin's Generic Form destination posts the template's fields form-encoded (GenericFormClient.cs: FormUrlEncodedContent).
  const form = await app.app.inject({ method: 'POST', url: '/webhooks/jellyfin', payload: 'NotificationType=ItemAdded&ItemId=abc&ItemType=Episode&Name=Ep+One', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  assert.equal(form.statusCode, 200, form.body);
  assert.deepEqual(form.json<{ event: string; skipped: Array<{ path: string; reason: string }> }>().skipped.map((x) => x.path), [jfFile], 'parsed, looked up, and judged (its job is already queued)');
  const e = await app.app.inject({ method: 'POST', url: '/webhooks/emby', payload: { Event: 'library.new', Item: { Path: embyFile, Id: '7' } } });
  assert.equal(e.statusCode, 200, e.body);
  assert.equal((await app.app.inject({ method: 'POST', url: '/webhooks/emby', payload: { Event: 'system.webhooktest' } })).json<{ event: string }>().event, 'test');
  const ta = await app.app.inject({ method: 'POST', url: '/webhooks/tautulli', payload: { action: 'recently_added', file: tauFile } });
  assert.equal(ta.statusCode, 200, ta.body);
  assert.deepEqual((await jobsOf(app)).map((x) => x.file_path).sort(), [plexFile, jfFile, embyFile, tauFile].sort());
});

test('a path outside the library folders is never queued, from any sender: 200, queued 0, listed in skipped, nothing written', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const lib = join(app.ctx.config.dataDir, 'library');
  const outside = join(app.ctx.config.dataDir, 'outside');
  mkdirSync(outside, { recursive: true });
  writeFileSync(join(outside, 'secret.mkv'), 'not in the library');
  const inside = await media(app, 'Show/Season 01/Show - S01E01.mkv');
  symlinkSync(outside, join(lib, 'escape'));
  await app.ctx.settings.bulkUpdate({ library_paths: lib, webhook_default_target_language: 'spa' });
  const plex = await fakeServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ MediaContainer: { Metadata: [{ Media: [{ Part: [{ file: '/etc/shadow' }] }] }] } }));
  });
  t.after(() => plex.close());
  await app.ctx.settings.bulkUpdate({ plex_url: plex.url, plex_token: 'ptok' });
  const plexBody = multipart([{ name: 'payload', value: JSON.stringify({ event: 'library.new', Metadata: { ratingKey: '42' } }) }]);

  type Answer = { queued: number; files: Array<{ path: string; action: string }>; skipped: Array<{ path: string; reason: string }> };
  const refused = async (what: string, req: InjectOptions, paths: string[], reason = 'outside the library folders') => {
    const r = await app.app.inject(req);
    assert.equal(r.statusCode, 200, `${what}: ${r.body}`);
    const body = r.json() as Answer;
    assert.equal(body.queued, 0, what);
    assert.deepEqual(body.skipped, paths.map((path) => ({ path, reason })), what);
    assert.deepEqual(body.files.map((f) => [f.path, f.action]), paths.map((p) => [p, 'skip']), what);
  };
  const json = (src: string, payload: object): InjectOptions => ({ method: 'POST', url: `/webhooks/${src}`, payload });

  await refused('jellyfin', json('jellyfin', { NotificationType: 'ItemAdded', Path: '/etc/shadow' }), ['/etc/shadow']);
  await refused('jellyfin, a system folder', json('jellyfin', { NotificationType: 'ItemAdded', ItemPath: '/proc/self/environ' }), ['/proc/self/environ'], 'a system folder, not media');
  await refused('sonarr relativePath', json('sonarr', { eventType: 'Download', series: { path: join(lib, 'Show') }, episodeFile: { relativePath: '../../../etc/passwd' } }), [`${join(lib, 'Show')}/../../../etc/passwd`]);
  await refused('sonarr path', json('sonarr', { eventType: 'Download', series: { path: '/srv/tv' }, episodeFile: { path: '/etc/passwd' } }), ['/etc/passwd']);
  await refused('radarr', json('radarr', { eventType: 'Download', movie: { folderPath: outside }, movieFile: { relativePath: 'secret.mkv' } }), [join(outside, 'secret.mkv')]);
  await refused('radarr through a symlink in the library', json('radarr', { eventType: 'Download', movie: { folderPath: join(lib, 'escape') }, movieFile: { relativePath: 'secret.mkv' } }), [join(lib, 'escape', 'secret.mkv')]);
  await refused('emby', json('emby', { Event: 'library.new', Item: { Path: join(outside, 'secret.mkv'), Id: '7' } }), [join(outside, 'secret.mkv')]);
  await refused('tautulli', json('tautulli', { action: 'recently_added', file: '/etc/passwd' }), ['/etc/passwd']);
  await refused('plex', { method: 'POST', url: '/webhooks/plex', payload: plexBody.body, headers: { 'content-type': plexBody.contentType } }, ['/etc/shadow']);
  // After the path mappings: the sender's /tv is mapped outside the library.
  await app.ctx.settings.bulkUpdate({ path_mappings: JSON.stringify([{ from: '/tv', to: outside }]) });
  await refused('sonarr, mapped', json('sonarr', { eventType: 'Download', series: { path: '/tv' }, episodeFile: { relativePath: 'secret.mkv' } }), [join(outside, 'secret.mkv')]);
  // With scan rules on, the file is refused before any analysis.
  expectOk(await app.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name: 'All to Spanish', conditions: {}, action: { target_language: 'spa' } } }));
  await refused('jellyfin with rules', json('jellyfin', { NotificationType: 'ItemAdded', Path: '/etc/shadow' }), ['/etc/shadow']);

  assert.deepEqual(await jobsOf(app), [], 'no job was created');
  assert.deepEqual(readdirSync(outside), ['secret.mkv'], 'nothing was written beside the outside file');

  // The same webhook lists a file inside among the queued ones and the outside one in skipped.
  await app.ctx.database.db.deleteFrom('scan_rules').execute();
  const mixed = await app.app.inject({ method: 'POST', url: '/webhooks/sonarr', payload: { eventType: 'Download', series: { path: join(lib, 'Show') }, episodeFiles: [{ relativePath: 'Season 01/Show - S01E01.mkv' }, { path: '/etc/passwd' }], episodeFile: { relativePath: 'Season 01/Show - S01E01.mkv' } } });
  const m = mixed.json() as Answer;
  assert.equal(m.queued, 1, mixed.body);
  assert.deepEqual(m.skipped, [{ path: '/etc/passwd', reason: 'outside the library folders' }]);
  assert.deepEqual((await jobsOf(app)).map((j) => j.file_path), [inside]);
  // Files not queued for other reasons are in skipped too, with their reason.
  const again = (await app.app.inject({ method: 'POST', url: '/webhooks/tautulli', payload: { action: 'recently_added', file: inside } })).json() as Answer;
  assert.equal(again.queued, 0);
  assert.equal(again.skipped.length, 1);
  assert.match(again.skipped[0].reason, /already queued or running/);
  const missing = (await app.app.inject({ method: 'POST', url: '/webhooks/tautulli', payload: { action: 'recently_added', file: join(lib, 'gone.mkv') } })).json() as Answer;
  assert.match(missing.skipped[0].reason, /not found/i);
});

function expectOk(r: { statusCode: number; body: string }): void {
  assert.ok(r.statusCode < 300, r.body);
}
