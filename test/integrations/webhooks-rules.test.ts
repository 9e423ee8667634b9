/**
 * Webhooks go through the same decision as a scan: the rules engine, the skip
 * settings, existing and generated subtitles, live jobs; an upgrade redoes
 * only our own subtitles; Sonarr/Radarr's originalLanguage picks the audio
 * track and feeds the audio_is_original_language condition.
 *
 * Payloads as Sonarr and Radarr build them (JSON, camelCase, indented):
 *   Sonarr src/NzbDrone.Core/Notifications/Webhook/WebhookBase.cs BuildOnDownloadPayload,
 *     WebhookImportPayload.cs, WebhookSeries.cs (originalLanguage: Language {id, name}),
 *     WebhookEpisode.cs, WebhookEpisodeFile.cs, WebhookEventType.cs ("Download"), WebhookProxy.cs
 *     (POST, Content-Type application/json, body.ToJson()).
 *   Radarr src/NzbDrone.Core/Notifications/Webhook/WebhookImportPayload.cs, WebhookMovie.cs
 *     (folderPath, originalLanguage), WebhookMovieFile.cs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { generatedSubtitle, realMedia } from './webhook-media.js';

type Answer = { queued: number; event: string; files: Array<{ path: string; action: string; reason: string | null; job_id: string | null }>; skipped: Array<{ path: string; reason: string }> };

const LANG = { Japanese: { id: 8, name: 'Japanese' }, English: { id: 1, name: 'English' } };

/** Sonarr's Download (import) event for one episode file. */
function sonarrDownload(seriesPath: string, relativePath: string, o: { isUpgrade?: boolean; originalLanguage?: { id: number; name: string } } = {}): string {
  return JSON.stringify({
    series: {
      id: 1, title: 'Show', titleSlug: 'show', path: seriesPath, tvdbId: 81189, tvMazeId: 169, tmdbId: 1396, imdbId: 'tt0903747',
      type: 'standard', year: 2008, genres: ['Drama'], images: [], tags: [], originalLanguage: o.originalLanguage ?? LANG.English, originalCountry: 'us',
    },
    episodes: [{ id: 11, episodeNumber: 1, seasonNumber: 1, title: 'Pilot', overview: 'First.', airDate: '2008-01-20', airDateUtc: '2008-01-21T02:00:00Z', seriesId: 1, tvdbId: 349232 }],
    episodeFile: {
      id: 21, relativePath, path: join(seriesPath, relativePath), quality: 'WEBDL-1080p', qualityVersion: 1, releaseGroup: 'GRP', sceneName: 'Show.S01E01.1080p.WEB-DL',
      size: 1234567, dateAdded: '2026-12-01T10:00:00Z', languages: [LANG.English], sourcePath: '/downloads/Show.S01E01.mkv',
    },
    release: { releaseTitle: 'Show.S01E01.1080p.WEB-DL', indexer: 'Indexer', size: 1234567 },
    isUpgrade: o.isUpgrade ?? false,
    downloadClient: 'qBittorrent',
    downloadClientType: 'qBittorrent',
    downloadId: 'ABCDEF',
    customFormatInfo: { customFormats: [], customFormatScore: 0 },
    eventType: 'Download',
    instanceName: 'Sonarr',
    applicationUrl: '',
  }, null, 2);
}

/** Radarr's Download (import) event. */
function radarrDownload(folderPath: string, relativePath: string, o: { isUpgrade?: boolean; originalLanguage?: { id: number; name: string } } = {}): string {
  return JSON.stringify({
    movie: {
      id: 5, title: 'Movie', year: 2020, filePath: join(folderPath, relativePath), releaseDate: '2020-05-01', folderPath, tmdbId: 603, imdbId: 'tt0133093',
      overview: 'A movie.', genres: ['Action'], images: [], tags: [], originalLanguage: o.originalLanguage ?? LANG.English,
    },
    remoteMovie: { tmdbId: 603, imdbId: 'tt0133093', title: 'Movie', year: 2020 },
    movieFile: {
      id: 9, relativePath, path: join(folderPath, relativePath), quality: 'Bluray-1080p', qualityVersion: 1, releaseGroup: 'GRP', sceneName: 'Movie.2020.1080p',
      indexerFlags: '0', size: 2345678, dateAdded: '2026-12-01T10:00:00Z', languages: [LANG.English],
    },
    isUpgrade: o.isUpgrade ?? false,
    downloadClient: 'SABnzbd',
    downloadClientType: 'SABnzbd',
    downloadId: 'SAB_1',
    customFormatInfo: { customFormats: [], customFormatScore: 0 },
    eventType: 'Download',
    instanceName: 'Radarr',
    applicationUrl: '',
  }, null, 2);
}

async function post(t: TestApp, src: 'sonarr' | 'radarr', body: string): Promise<Answer> {
  const r = await t.app.inject({ method: 'POST', url: `/webhooks/${src}`, payload: body, headers: { 'content-type': 'application/json', 'user-agent': src === 'sonarr' ? 'Sonarr/4.0.0' : 'Radarr/5.0.0' } });
  assert.equal(r.statusCode, 200, r.body);
  return r.json() as Answer;
}

async function jobRow(t: TestApp, id: string) {
  const row = await t.ctx.jobs.getRow(id);
  assert.ok(row, `job ${id}`);
  return { ...row, opts: JSON.parse(row.options ?? '{}') as Record<string, unknown> };
}

const liveJobs = async (t: TestApp) => (await t.ctx.jobs.list({ page: 1, pageSize: 100 })).jobs.filter((j) => j.status === 'queued' || j.status === 'processing');

for (const kind of databaseKinds()) {
  test(`without rules the webhook defaults are judged like a rule: the user's subtitle, our subtitle and a live job are honoured (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    await app.ctx.settings.bulkUpdate({ library_paths: lib, webhook_default_target_language: 'eng' });

    // A Radarr Download for a file that already has the user's English subtitle: no job, the reason says why.
    const folder = join(lib, 'Movie (2020)');
    const movie = realMedia(join(folder, 'Movie (2020).mkv'), ['jpn']);
    writeFileSync(join(folder, 'Movie (2020).eng.srt'), '1\n00:00:00,100 --> 00:00:01,000\nMine\n');
    const a = await post(app, 'radarr', radarrDownload(folder, 'Movie (2020).mkv'));
    assert.equal(a.queued, 0);
    assert.equal(a.skipped.length, 1);
    assert.equal(a.skipped[0].path, movie);
    assert.match(a.skipped[0].reason, /English subtitle already exists: Movie \(2020\)\.eng\.srt/);
    assert.equal((await liveJobs(app)).length, 0);

    // A repeated non-upgrade Download for an episode that has our generated subtitle: nothing queued.
    const show = join(lib, 'Show');
    const ep = realMedia(join(show, 'Season 01', 'Show - S01E01.mkv'), ['jpn']);
    generatedSubtitle(join(show, 'Season 01', 'Show - S01E01.eng.srt'));
    const b = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E01.mkv'));
    assert.equal(b.queued, 0);
    assert.match(b.skipped[0].reason, /English subtitle already generated/);

    // A file without subtitles is queued, and the job says who asked and why.
    const ep2 = realMedia(join(show, 'Season 01', 'Show - S01E02.mkv'), ['jpn']);
    const c = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E02.mkv'));
    assert.equal(c.queued, 1, JSON.stringify(c));
    assert.deepEqual(c.skipped, []);
    const job = await jobRow(app, c.files[0].job_id!);
    assert.equal(job.file_path, ep2);
    assert.equal(job.target_lang, 'eng');
    assert.equal(job.opts.source, 'webhook:sonarr');
    assert.equal(job.opts.webhook_defaults, true);
    assert.equal(job.opts.rule_name, undefined);
    assert.equal(job.opts.rule_id, undefined, 'the implicit rule has no id to link to');
    assert.match(String(job.opts.reason), /Japanese audio → English subtitles/);
    // The same Download again while its job waits: the live job is the reason.
    const again = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E02.mkv'));
    assert.equal(again.queued, 0);
    assert.match(again.skipped[0].reason, /already queued or running/);
    assert.equal((await liveJobs(app)).length, 1);
    assert.ok(existsSync(ep));
  });

  test(`an upgrade redoes our subtitle, never the user's; a file changed since its last look counts as one (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    await app.ctx.settings.bulkUpdate({ library_paths: lib, webhook_default_target_language: 'eng' });
    const show = join(lib, 'Show');
    const season = join(show, 'Season 01');

    // isUpgrade with our own (unedited) subtitle beside it: queued again, and the answer says so.
    realMedia(join(season, 'Show - S01E01.mkv'), ['jpn']);
    generatedSubtitle(join(season, 'Show - S01E01.eng.srt'));
    const up = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E01.mkv', { isUpgrade: true }));
    assert.equal(up.queued, 1, JSON.stringify(up));
    assert.match(up.files[0].reason!, /the file was replaced: our earlier subtitle is made again/);
    assert.equal((await jobRow(app, up.files[0].job_id!)).opts.upgrade, true);

    // isUpgrade with the user's subtitle: still skipped.
    realMedia(join(season, 'Show - S01E02.mkv'), ['jpn']);
    writeFileSync(join(season, 'Show - S01E02.en.srt'), '1\n00:00:00,100 --> 00:00:01,000\nMine\n');
    const user = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E02.mkv', { isUpgrade: true }));
    assert.equal(user.queued, 0);
    assert.match(user.skipped[0].reason, /already exists: Show - S01E02\.en\.srt/);

    // isUpgrade with our subtitle that the user edited since (hash no longer matches): theirs now, skipped.
    realMedia(join(season, 'Show - S01E03.mkv'), ['jpn']);
    generatedSubtitle(join(season, 'Show - S01E03.eng.srt'));
    writeFileSync(join(season, 'Show - S01E03.eng.srt'), '1\n00:00:00,100 --> 00:00:01,000\nCorrected by hand\n');
    const edited = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E03.mkv', { isUpgrade: true }));
    assert.equal(edited.queued, 0, JSON.stringify(edited));

    // No isUpgrade flag, but the file was replaced since the last webhook saw it (new size and mtime).
    const ep4 = realMedia(join(season, 'Show - S01E04.mkv'), ['jpn']);
    generatedSubtitle(join(season, 'Show - S01E04.eng.srt'));
    const first = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E04.mkv'));
    assert.equal(first.queued, 0);
    realMedia(ep4, ['jpn', 'eng']);
    const replaced = await post(app, 'sonarr', sonarrDownload(show, 'Season 01/Show - S01E04.mkv'));
    assert.equal(replaced.queued, 1, JSON.stringify(replaced));
  });

  test(`originalLanguage picks the original audio track; audio_is_original_language skips dubs (${kind})`, async (t) => {
    const app = await createTestApp(kind);
    t.after(() => app.close());
    const lib = join(app.ctx.config.dataDir, 'library');
    await app.ctx.settings.bulkUpdate({ library_paths: lib, webhook_default_target_language: 'eng' });

    // Two tracks, English dub as default, Japanese second: Sonarr says the series is Japanese.
    const show = join(lib, 'Anime');
    realMedia(join(show, 'Anime - S01E01.mkv'), ['eng', 'jpn']);
    const r = await post(app, 'sonarr', sonarrDownload(show, 'Anime - S01E01.mkv', { originalLanguage: LANG.Japanese }));
    assert.equal(r.queued, 1, JSON.stringify(r));
    const job = await jobRow(app, r.files[0].job_id!);
    assert.equal(job.source_lang, 'jpn');
    assert.equal(job.opts.audio_language, 'jpn');
    assert.equal(job.opts.original_language, 'jpn');
    assert.notEqual(job.opts.audio_track_index, undefined);

    // A rule that wants the original language only, through the rules API.
    const created = await app.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name: 'Originals to English', conditions: { audio_is_original_language: true }, action: { target_language: 'eng' } } });
    assert.equal(created.statusCode, 201, created.body);
    assert.equal(created.json<{ conditions: { audio_is_original_language: boolean | null } }>().conditions.audio_is_original_language, true);
    const bad = await app.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name: 'Bad', conditions: { audio_is_original_language: 'maybe' }, action: { target_language: 'eng' } } });
    assert.equal(bad.statusCode, 400);

    // A Radarr movie whose only track is an English dub of a Japanese film: skipped, the reason names the dub.
    const dubFolder = join(lib, 'Dubbed Film (2001)');
    realMedia(join(dubFolder, 'Dubbed Film (2001).mkv'), ['eng']);
    const dub = await post(app, 'radarr', radarrDownload(dubFolder, 'Dubbed Film (2001).mkv', { originalLanguage: LANG.Japanese }));
    assert.equal(dub.queued, 0);
    assert.match(dub.skipped[0].reason, /no audio track in the original language \(Japanese\)/);
    // The same film in Japanese: the rule matches.
    const origFolder = join(lib, 'Original Film (2001)');
    realMedia(join(origFolder, 'Original Film (2001).mkv'), ['jpn']);
    const orig = await post(app, 'radarr', radarrDownload(origFolder, 'Original Film (2001).mkv', { originalLanguage: LANG.Japanese }));
    assert.equal(orig.queued, 1, JSON.stringify(orig));
    const oj = await jobRow(app, orig.files[0].job_id!);
    assert.equal(oj.opts.source, 'webhook:radarr');
    assert.equal(oj.opts.rule_name, 'Originals to English');
    // Turned off again (false clears the condition): the dub matches now.
    const id = created.json<{ id: number }>().id;
    const off = await app.app.inject({ method: 'PUT', url: `/api/scan-rules/${id}`, payload: { conditions: { audio_is_original_language: false } } });
    assert.equal(off.json<{ conditions: { audio_is_original_language: boolean | null } }>().conditions.audio_is_original_language, null);
    assert.equal((await post(app, 'radarr', radarrDownload(dubFolder, 'Dubbed Film (2001).mkv', { originalLanguage: LANG.Japanese }))).queued, 1);
  });
}
