import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseEmby, parseJellyfin, parsePlex, parseRadarr, parseSonarr, parseTautulli } from './webhooks.parsers.js';

test('Sonarr and Radarr imports carry isUpgrade and the original language (Language {id, name})', () => {
  assert.deepEqual(parseSonarr({ eventType: 'Download', isUpgrade: true, series: { path: '/tv/Show', originalLanguage: { id: 8, name: 'Japanese' } }, episodeFile: { relativePath: 'S01/E01.mkv' } }), {
    kind: 'files', paths: ['/tv/Show/S01/E01.mkv'], upgrade: true, originalLanguage: 'jpn',
  });
  const r = parseRadarr({ eventType: 'Download', movie: { folderPath: '/movies/M', originalLanguage: { id: 0, name: 'Unknown' } }, movieFile: { relativePath: 'M.mkv' } });
  assert.deepEqual(r, { kind: 'files', paths: ['/movies/M/M.mkv'], upgrade: false, originalLanguage: null });
});

test('playback start of each media server is a play intent; other playback events are ignored', () => {
  assert.deepEqual(parsePlex(JSON.stringify({ event: 'media.play', Metadata: { ratingKey: '7' } })), { kind: 'item', itemId: '7', play: true });
  assert.deepEqual(parsePlex({ event: 'playback.started', Metadata: { ratingKey: 8 } }), { kind: 'item', itemId: '8', play: true });
  assert.equal(parsePlex({ event: 'media.stop', Metadata: { ratingKey: '7' } }).kind, 'ignore');
  assert.deepEqual(parseJellyfin({ NotificationType: 'PlaybackStart', ItemId: 'abc' }), { kind: 'item', itemId: 'abc', play: true });
  assert.equal(parseJellyfin({ NotificationType: 'PlaybackStop', ItemId: 'abc' }).kind, 'ignore');
  assert.deepEqual(parseEmby({ Event: 'playback.start', Item: { Path: '/tv/a.mkv', Id: '1' } }), { kind: 'files', paths: ['/tv/a.mkv'], play: true });
  assert.deepEqual(parseTautulli({ action: 'play', file: '/tv/a.mkv' }), { kind: 'files', paths: ['/tv/a.mkv'], play: true });
  assert.deepEqual(parseTautulli({ event: 'media.play', file: '/tv/a.mkv' }), { kind: 'files', paths: ['/tv/a.mkv'], play: true });
  assert.equal(parseTautulli({ action: 'stop' }).kind, 'ignore');
  assert.deepEqual(parseTautulli({ action: 'test' }), { kind: 'test' });
  assert.throws(() => parseTautulli({ action: 'play' }), /file path/);
});
