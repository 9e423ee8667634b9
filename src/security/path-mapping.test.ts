import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyPathMappings, mappingsFromSettings, parsePathMappings } from './path-mapping.js';

test('maps a prefix anchored at the start of the path, on whole components only', () => {
  const m = [{ from: '/tv', to: '/mnt/tv' }];
  assert.equal(applyPathMappings('/tv/Show/S01E01.mkv', m), '/mnt/tv/Show/S01E01.mkv');
  assert.equal(applyPathMappings('/tv', m), '/mnt/tv');
  assert.equal(applyPathMappings('/tvshows/a.mkv', m), '/tvshows/a.mkv');
  assert.equal(applyPathMappings('/data/tv/a.mkv', m), '/data/tv/a.mkv');
});

test('the longest matching from wins whatever the order', () => {
  const m = [
    { from: '/media', to: '/mnt/media' },
    { from: '/media/anime', to: '/srv/anime' },
  ];
  assert.equal(applyPathMappings('/media/anime/ep1.mkv', m), '/srv/anime/ep1.mkv');
  assert.equal(applyPathMappings('/media/movies/m.mkv', m), '/mnt/media/movies/m.mkv');
});

test('trailing separators on from and to do not matter', () => {
  const m = [{ from: '/tv/', to: '/mnt/tv/' }];
  assert.equal(applyPathMappings('/tv/a.mkv', m), '/mnt/tv/a.mkv');
});

test('POSIX to Windows drive and UNC paths use the separator of the destination', () => {
  assert.equal(applyPathMappings('/tv/Show/a.mkv', [{ from: '/tv', to: 'T:\\' }]), 'T:\\Show\\a.mkv');
  assert.equal(applyPathMappings('/tv/Show/a.mkv', [{ from: '/tv', to: '\\\\nas\\tv' }]), '\\\\nas\\tv\\Show\\a.mkv');
});

test('Windows and UNC sources match with either separator and any case', () => {
  const m = [{ from: '\\\\NAS\\Media', to: '/mnt/media' }];
  assert.equal(applyPathMappings('\\\\nas\\media\\Movies\\x.mkv', m), '/mnt/media/Movies/x.mkv');
  assert.equal(applyPathMappings('//nas/media/Movies/x.mkv', m), '/mnt/media/Movies/x.mkv');
  assert.equal(applyPathMappings('C:\\Media\\a.mkv', [{ from: 'c:/media', to: '/data' }]), '/data/a.mkv');
  assert.equal(applyPathMappings('\\\\nas\\mediaextra\\x.mkv', m), '\\\\nas\\mediaextra\\x.mkv');
});

test('POSIX matching stays case-sensitive', () => {
  assert.equal(applyPathMappings('/TV/a.mkv', [{ from: '/tv', to: '/mnt/tv' }]), '/TV/a.mkv');
});

test('no mapping leaves the path unchanged', () => {
  assert.equal(applyPathMappings('/movies/a.mkv', []), '/movies/a.mkv');
});

test('settings: the JSON list always, the legacy pair only when use_path_mapping is on', () => {
  const values: Record<string, unknown> = {
    path_mappings: '[{"from":"/a","to":"/b"},{"from":"","to":"/x"},{"nope":1}]',
    use_path_mapping: false,
    path_mapping_from: '/tv',
    path_mapping_to: '/Volumes/TV',
  };
  assert.deepEqual(mappingsFromSettings((k) => values[k]), [{ from: '/a', to: '/b' }]);
  values.use_path_mapping = 'true';
  assert.deepEqual(mappingsFromSettings((k) => values[k]), [
    { from: '/a', to: '/b' },
    { from: '/tv', to: '/Volumes/TV' },
  ]);
  assert.deepEqual(parsePathMappings('not json'), []);
  assert.deepEqual(parsePathMappings([{ from: '/x', to: '/y' }]), [{ from: '/x', to: '/y' }]);
});
