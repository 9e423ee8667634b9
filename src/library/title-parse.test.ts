import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMediaPath, searchTextOf, searchWords, seasonOfFolder, sortKeyOf } from './title-parse.js';

const root = '/media/tv';
const pick = (p: ReturnType<typeof parseMediaPath>) => [p.kind, p.show, p.season, p.episode, p.episode_end, p.title, p.year];

test('Sonarr layout: the show folder names the show, the file the episode', () => {
  assert.deepEqual(pick(parseMediaPath('/media/tv/The Expanse (2015)/Season 02/The.Expanse.S02E03.1080p.WEB-DL.x264-GRP.mkv', root, true)), [
    'episode', 'The Expanse (2015)', 2, 3, null, 'The.Expanse.S02E03.1080p.WEB-DL.x264-GRP', null,
  ]);
});

test('a season folder gives the season a file name lacks', () => {
  assert.deepEqual(pick(parseMediaPath('/media/tv/Show/Season 3/Show - 1x05 - Title.mkv', root, true)).slice(0, 4), ['episode', 'Show', 1, 5]);
  assert.equal(seasonOfFolder('Specials'), 0);
  assert.equal(seasonOfFolder('S04'), 4);
  assert.equal(seasonOfFolder('Staffel 2'), 2);
  assert.equal(seasonOfFolder('Extras'), null);
});

test('multi-episode files and release names without folders', () => {
  assert.deepEqual(pick(parseMediaPath('/media/tv/Beta.Show.S01E01E02.720p.mkv', root, true)).slice(0, 5), ['episode', 'Beta Show', 1, 1, 2]);
});

test('Radarr layout: title and year, from the folder when the file lacks them', () => {
  assert.deepEqual(pick(parseMediaPath('/media/movies/Blade Runner 2049 (2017)/Blade.Runner.2049.2017.2160p.UHD.BluRay.mkv', '/media/movies', true)).slice(-2), ['Blade Runner 2049', 2017]);
  assert.deepEqual(pick(parseMediaPath('/media/movies/Alien (1979)/movie.mkv', '/media/movies', true)).slice(-2), ['Alien', 1979]);
  assert.equal(parseMediaPath('/media/music/song.mp3', '/media/music', false).kind, 'other');
});

test('the title order puts episodes by season and episode; search words are letters and digits', () => {
  const a = parseMediaPath('/media/tv/Show/Season 01/Show S01E10.mkv', root, true);
  const b = parseMediaPath('/media/tv/Show/Season 02/Show S02E01.mkv', root, true);
  const c = parseMediaPath('/media/tv/Show/Season 01/Show S01E02.mkv', root, true);
  const keys = [['a', sortKeyOf(a, 'a')], ['b', sortKeyOf(b, 'b')], ['c', sortKeyOf(c, 'c')]].sort((x, y) => (x[1] < y[1] ? -1 : 1)).map((x) => x[0]);
  assert.deepEqual(keys, ['c', 'a', 'b']);
  assert.deepEqual(searchWords('Show - S01E02 (Ünïcode)!'), ['show', 's01e02', 'ünïcode']);
  assert.match(searchTextOf(a, '/media/tv/Show/Season 01/Show S01E10.mkv'), /^show s01e10 show media tv show season 01 show s01e10 mkv$/);
});
