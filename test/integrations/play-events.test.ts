/**
 * Playback start moves the file's job to the front of the queue (or queues
 * it when the rules want it), and play_queue_next_episodes queues the next
 * episodes of the season right behind it, in order; the order is checked by
 * the job life cycle's own claim. Test events answer 200 and queue nothing.
 *
 * Payloads as the senders build them:
 *   Plex: multipart/form-data, JSON in the `payload` field, event `media.play`, Metadata.ratingKey
 *     (support.plex.tv/articles/115002267687-webhooks, the article's example payload).
 *   Jellyfin: jellyfin-plugin-webhook Destinations/GenericForm/GenericFormClient.cs (the template's
 *     JSON, each value as a string, sent as FormUrlEncodedContent), NotificationType.cs (PlaybackStart),
 *     Helpers/DataObjectHelpers.cs (ItemId, ItemType, Name, SeriesName, SeasonNumber00, EpisodeNumber00).
 *   Emby: Webhooks (emby.media/support/articles/Webhooks.html): JSON {Title, Date, Event: playback.start,
 *     User, Item {Name, Id, Path, Type, IndexNumber, ParentIndexNumber, SeriesName}, Server, Session};
 *     the Send Test button posts Event system.notificationtest.
 *   Tautulli: the Webhook agent posts the user's JSON data with its parameters filled in; {action}
 *     is `play` for Playback Start and `test` from Test Notifications; {file} is the file path.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { multipart } from '../provider/provider-helpers.js';
import { claim } from '../../src/jobs/job-lifecycle.repository.js';
import { episodeOf } from '../../src/webhooks/play-events.js';
import { fakeServer } from './fake-server.js';
import { realMedia } from './webhook-media.js';

type Answer = { event: string; queued: number; files: Array<{ path: string; action: string; reason: string | null; job_id: string | null }>; skipped: Array<{ path: string; reason: string }> };

function plexPlay(ratingKey: string, event = 'media.play') {
  return multipart([
    {
      name: 'payload',
      value: JSON.stringify({
        event, user: true, owner: true,
        Account: { id: 1, thumb: 'https://plex.tv/users/1022b120ffbaa/avatar?c=1465525047', title: 'elan' },
        Server: { title: 'Office', uuid: '54664a3d8acc39983675640ec9ce00b70af9cc36' },
        Player: { local: true, publicAddress: '200.200.200.200', title: 'Plex Web (Safari)', uuid: 'r6yfkdnfggbh2bdnvkffwbms' },
        Metadata: {
          librarySectionType: 'show', ratingKey, key: `/library/metadata/${ratingKey}`, parentRatingKey: '1936544', grandparentRatingKey: '1936543',
          guid: 'com.plexapp.agents.thetvdb://78874/1/1?lang=en', librarySectionID: 1, type: 'episode', title: 'Pilot', grandparentKey: '/library/metadata/1936543',
          parentKey: '/library/metadata/1936544', grandparentTitle: 'Show', parentTitle: 'Season 1', summary: '', index: 1, parentIndex: 1, ratingCount: 6,
          thumb: `/library/metadata/${ratingKey}/thumb/1465519593`, addedAt: 1465519522, updatedAt: 1465519593,
        },
      }),
    },
    { name: 'thumb', value: Buffer.from([0xff, 0xd8, 0xff, 0xe0]), filename: 'image.jpg' },
  ]);
}

/** Jellyfin Generic Form: the template's fields, form-encoded as .NET's FormUrlEncodedContent does (spaces as +). */
function jellyfinForm(fields: Record<string, string>): string {
  return new URLSearchParams(fields).toString();
}

function embyEvent(event: string, item?: { id: string; path: string; index: number }): string {
  return JSON.stringify({
    Title: event === 'playback.start' ? 'alice started playing Show - S01E05' : 'Test Notification',
    Date: '2026-12-01T12:00:00.0000000Z',
    Event: event,
    Severity: 'Info',
    User: { Name: 'alice', Id: 'f1d2d2f924e986ac86fdf7b36c94bcdf' },
    ...(item ? {
      Item: { Name: 'Episode Five', ServerId: 'a1b2c3', Id: item.id, Path: item.path, Type: 'Episode', IsFolder: false, IndexNumber: item.index, ParentIndexNumber: 1, SeriesName: 'Show', MediaType: 'Video' },
      Session: { RemoteEndPoint: '192.168.1.20', Client: 'Emby Web', DeviceName: 'Firefox', Id: 'sess1', ApplicationVersion: '4.8.0.0' },
      PlaybackInfo: { PositionTicks: 0, PlaylistIndex: 0, PlaylistLength: 1 },
    } : {}),
    Server: { Name: 'Emby', Id: 'a1b2c3', Version: '4.8.0.0' },
  });
}

async function send(t: TestApp, src: string, payload: string | Buffer, contentType: string): Promise<Answer> {
  const r = await t.app.inject({ method: 'POST', url: `/webhooks/${src}`, payload, headers: { 'content-type': contentType } });
  assert.equal(r.statusCode, 200, `${src}: ${r.body}`);
  return r.json() as Answer;
}

const jobCount = async (t: TestApp) => (await t.ctx.jobs.list({ page: 1, pageSize: 100 })).total;

test('episode numbers are read from the usual names', () => {
  assert.deepEqual(episodeOf('Show - S01E03 - Title.mkv'), { season: 1, episode: 3 });
  assert.deepEqual(episodeOf('show.s02e10.1080p.mkv'), { season: 2, episode: 10 });
  assert.deepEqual(episodeOf('Show 1x04.mkv'), { season: 1, episode: 4 });
  assert.equal(episodeOf('Movie (2020).mkv'), null);
});

for (const kind of databaseKinds()) {
  test(`playback start moves the file's job to the front and queues the next episodes in order; test events queue nothing (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    const season = join(lib, 'Show', 'Season 01');
    const ep = [1, 2, 3, 4, 5, 6].map((n) => realMedia(join(season, `Show - S01E0${n}.mkv`), ['jpn']));
    const other = realMedia(join(lib, 'Other', 'Other.mkv'), ['jpn']);
    await app.ctx.settings.bulkUpdate({ library_paths: lib, webhook_default_target_language: 'eng', play_queue_next_episodes: '2' });

    const plex = await fakeServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      const key = /\/library\/metadata\/(\d+)/.exec(req.url)?.[1];
      res.end(JSON.stringify({ MediaContainer: { Metadata: [{ Media: [{ Part: [{ file: key === '101' ? ep[0] : other }] }] }] } }));
    });
    const jf = await fakeServer((req, res) => {
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ Items: req.url.includes('Ids=5e7d') ? [{ Path: ep[3] }] : [] }));
    });
    t.after(() => plex.close());
    t.after(() => jf.close());
    await app.ctx.settings.bulkUpdate({ plex_url: plex.url, plex_token: 'ptok', jellyfin_url: jf.url, jellyfin_api_key: 'jkey' });

    // The queue before anyone watches: a busy other file at priority 50, and E01 and E03 waiting at 10.
    const busy = await app.ctx.jobs.create({ file_path: other, target_lang: 'eng', priority: 50, is_manual_request: false });
    const e01 = await app.ctx.jobs.create({ file_path: ep[0], target_lang: 'eng', priority: 10, is_manual_request: false });
    const e03 = await app.ctx.jobs.create({ file_path: ep[2], target_lang: 'eng', priority: 10, is_manual_request: false });

    // Test events of each system: 200, nothing queued or moved.
    const before = await jobCount(app);
    assert.equal((await send(app, 'emby', embyEvent('system.notificationtest'), 'application/json')).event, 'test');
    assert.equal((await send(app, 'jellyfin', jellyfinForm({ NotificationType: 'Generic', Name: 'Test Notification', ServerName: 'Jellyfin' }), 'application/x-www-form-urlencoded')).event, 'test');
    assert.equal((await send(app, 'tautulli', JSON.stringify({ action: 'test', file: '{file}' }), 'application/json')).event, 'test');
    // Plex sends no test event; a pause is answered 200 and changes nothing.
    const pause = plexPlay('101', 'media.pause');
    assert.equal((await send(app, 'plex', pause.body, pause.contentType)).event, 'ignored');
    assert.equal(await jobCount(app), before);
    assert.equal((await app.ctx.jobs.get(e01.id)).priority, 10);

    // Plex media.play for E01: its job goes first, E02 (new) and E03 (moved) follow, E04 is left alone.
    const play = plexPlay('101');
    const p = await send(app, 'plex', play.body, play.contentType);
    assert.equal(p.event, 'play');
    assert.deepEqual(p.files.map((f) => [f.path, f.action]), [[ep[0], 'job'], [ep[1], 'job'], [ep[2], 'job']], JSON.stringify(p));
    assert.equal(p.files[0].job_id, e01.id);
    assert.match(p.files[0].reason!, /playback started: job \w+ moved to the front of the queue/);
    assert.equal(p.files[2].job_id, e03.id);
    assert.match(p.files[1].reason!, /next episode after Show - S01E01\.mkv/);
    const e02row = await app.ctx.jobs.getRow(p.files[1].job_id!);
    const e02opts = JSON.parse(e02row!.options!);
    assert.equal(e02opts.source, 'webhook:plex');
    assert.equal(e02opts.play, 'next_episode');
    // The life cycle's claim takes them in that order, before the job at priority 50.
    const order: string[] = [];
    for (let i = 0; i < 4; i++) order.push((await claim(app.ctx.database.db, app.ctx.database.kind, { workerId: 'w1', leaseMs: 60_000 }))!.file_path);
    assert.deepEqual(order, [ep[0], ep[1], ep[2], other]);
    assert.ok(busy.id);

    // Jellyfin Generic Form PlaybackStart for E04 (no job yet): queued at the front, E05 and E06 behind it.
    const j = await send(app, 'jellyfin', jellyfinForm({
      NotificationType: 'PlaybackStart', ItemId: '5e7d1f0c-7a3b-4d6a-9c51-2b8e6f3a9d10', ItemType: 'Episode', Name: 'Episode Four', SeriesName: 'Show',
      SeasonNumber00: '01', EpisodeNumber00: '04', NotificationUsername: 'alice', ServerName: 'Jellyfin',
    }), 'application/x-www-form-urlencoded');
    assert.equal(j.event, 'play', JSON.stringify(j));
    assert.equal(jf.calls[0].headers['x-emby-token'], 'jkey');
    assert.deepEqual(j.files.map((f) => [f.path, f.action]), [[ep[3], 'job'], [ep[4], 'job'], [ep[5], 'job']]);
    const pr = await Promise.all(j.files.map(async (f) => (await app.ctx.jobs.get(f.job_id!)).priority));
    assert.ok(pr[0] > pr[1] && pr[1] > pr[2], `strictly decreasing: ${pr}`);

    // Emby playback.start for E05, whose job is queued: moved up again; E06 follows; nothing new.
    await app.ctx.settings.bulkUpdate({ play_queue_next_episodes: '0' });
    const countBefore = await jobCount(app);
    const e = await send(app, 'emby', embyEvent('playback.start', { id: '55', path: ep[4], index: 5 }), 'application/json');
    assert.equal(e.queued, 1);
    assert.equal(e.files[0].job_id, j.files[1].job_id);
    assert.equal(await jobCount(app), countBefore);

    // Tautulli play for a file whose job is already running: nothing to do, the reason says so.
    const tau = await send(app, 'tautulli', JSON.stringify({ action: 'play', file: ep[1], title: 'Show - S01E02', media_type: 'episode' }), 'application/json');
    assert.equal(tau.queued, 0);
    assert.match(tau.skipped[0].reason, /playback started: its job \w+ is already running/);

    // Tautulli play for a movie that has the user's subtitle: the rules say no.
    const movie = realMedia(join(lib, 'Film', 'Film.mkv'), ['jpn']);
    writeFileSync(join(lib, 'Film', 'Film.en.srt'), '1\n00:00:00,100 --> 00:00:01,000\nMine\n');
    const tm = await send(app, 'tautulli', JSON.stringify({ action: 'play', file: movie }), 'application/json');
    assert.equal(tm.queued, 0);
    assert.match(tm.skipped[0].reason, /^playback started: English subtitle already exists: Film\.en\.srt/);
  });
}
