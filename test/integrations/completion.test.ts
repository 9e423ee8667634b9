import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../helpers/app.js';
import { CompletionNotifier } from '../../src/integrations/completion-notifier.js';
import { fakeServer } from './fake-server.js';

test('a finished library job refreshes Plex, Jellyfin and Emby and POSTs the completion webhook, once', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const plex = await fakeServer();
  const jf = await fakeServer();
  const emby = await fakeServer();
  const hook = await fakeServer();
  for (const s of [plex, jf, emby, hook]) t.after(() => s.close());
  await app.ctx.settings.bulkUpdate({
    plex_url: plex.url, plex_token: 'ptok', jellyfin_url: jf.url, jellyfin_api_key: 'jkey', emby_url: emby.url, emby_api_key: 'ekey', completion_webhook_url: `${hook.url}/done`,
  });
  const notifier = new CompletionNotifier(app.ctx);
  await notifier.init(Date.now() - 1000);
  const job = await app.ctx.jobs.create({ file_path: '/media/Movies/Film (2020)/Film.mkv', target_lang: 'spa' });
  const provider = await app.ctx.jobs.create({ file_path: 'provider://asr/x', target_lang: 'und', synthetic_path: true, job_type: 'provider_asr' });
  assert.equal(await notifier.poll(), 0, 'queued jobs are not notified');
  const done = (id: string, patch: object) => app.ctx.database.db.updateTable('jobs').set({ status: 'completed', completed_at: new Date().toISOString(), updated_ms: Date.now(), ...patch }).where('id', '=', id).execute();
  await done(job.id, { output_path: '/media/Movies/Film (2020)/Film.spa.srt' });
  await done(provider.id, {});
  assert.equal(await notifier.poll(), 1, 'provider jobs are not library jobs');
  assert.equal(await notifier.poll(), 0, 'notified once');

  assert.equal(plex.calls.length, 1);
  const u = new URL(plex.calls[0].url, plex.url);
  assert.equal(u.pathname, '/library/sections/all/refresh');
  assert.equal(u.searchParams.get('path'), '/media/Movies/Film (2020)');
  assert.equal(u.searchParams.get('X-Plex-Token'), 'ptok');
  for (const [s, key] of [[jf, 'jkey'], [emby, 'ekey']] as const) {
    assert.equal(s.calls.length, 1);
    assert.equal(s.calls[0].method, 'POST');
    assert.equal(s.calls[0].url, '/Library/Media/Updated');
    assert.equal(s.calls[0].headers['x-emby-token'], key);
    assert.equal(s.calls[0].headers['x-mediabrowser-token'], key);
    assert.deepEqual(JSON.parse(s.calls[0].body.toString()), { Updates: [{ Path: '/media/Movies/Film (2020)/Film.mkv', UpdateType: 'Modified' }] });
  }
  assert.equal(hook.calls.length, 1);
  assert.equal(hook.calls[0].url, '/done');
  const payload = JSON.parse(hook.calls[0].body.toString()) as Record<string, unknown>;
  assert.deepEqual({ file: payload.file, subtitle: payload.subtitle, language: payload.language, job_id: payload.job_id, status: payload.status }, {
    file: '/media/Movies/Film (2020)/Film.mkv', subtitle: '/media/Movies/Film (2020)/Film.spa.srt', language: 'spa', job_id: job.id, status: 'completed',
  });

  // A failed job: the webhook says so; no refresh (no subtitle was written).
  const failed = await app.ctx.jobs.create({ file_path: '/media/Movies/Other.mkv', target_lang: 'spa' });
  await app.ctx.database.db.updateTable('jobs').set({ status: 'failed', error: 'corrupt', completed_at: new Date().toISOString(), updated_ms: Date.now() + 5 }).where('id', '=', failed.id).execute();
  assert.equal(await notifier.poll(), 1);
  assert.equal(plex.calls.length, 1);
  assert.equal(JSON.parse(hook.calls[1].body.toString()).status, 'failed');
  // A restarted notifier continues from the stored mark: nothing is sent twice.
  const again = new CompletionNotifier(app.ctx);
  await again.init();
  assert.equal(await again.poll(), 0);
});
