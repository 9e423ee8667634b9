import { test } from 'node:test';
import assert from 'node:assert/strict';
import fastJson from 'fast-json-stringify';
import { ItemJsonCache, VersionedCache } from './answer-cache.js';
import { toItem, type ItemView } from './item-row.js';
import { itemJson, pageJson } from './library.json.js';
import type { PageRow } from './library.repository.js';
import { LibraryItemSchema } from './library.schemas.js';

const item = (id: number, title: string): ItemView => ({
  id, path: `/media/tv/Show/${title}.mkv`, file_name: `${title}.mkv`, folder: '/media/tv/Show', root: '/media/tv', kind: 'episode', title, show: 'Show', season: 1, episode: id, episode_end: null, year: null,
  size: 1234, modified_at: '2026-01-01T00:00:00.000Z', duration_seconds: 60.5, is_video: true,
  audio_tracks: [{ index: 0, language: 'jpn', codec: 'aac', channels: 2, default: true, title: null }],
  embedded_subtitles: [], external_subtitles: [{ index: 0, path: `/media/tv/Show/${title}.spa.srt`, file_name: `${title}.spa.srt`, language: 'spa', format: 'srt', forced: false, sdh: false, generated: true }],
  wanted: [], decision: 'has Spanish "subtitles"', jobs: [], needs_review: false, ignored: false, ignored_by: null, missing: false, probe_error: null, indexed_at: 'x', updated_at: 'y',
});

test("an item's JSON has exactly the schema's keys, also from stored JSON with keys of its own or fields missing", () => {
  const row: PageRow = {
    id: 7, path: '/media/tv/Show/Show - S01E01.mkv', folder: '/media/tv/Show', root: '/media/tv', file_name: 'Show - S01E01.mkv', kind: 'episode', title: 'Show - S01E01', show: 'Show', season: 1, episode: 1, episode_end: null, year: null,
    size: 1000, mtime_ms: 1_700_000_000_000, duration_seconds: 1400, is_video: 1,
    // an older analysis: a track without title or channels, a key nobody documents
    analysis: JSON.stringify({ audio_tracks: [{ index: 0, stream_index: 1, language: 'jpn', codec: 'aac', default: true }], embedded_subtitles: [], external_subtitles: [{ path: '/media/tv/Show/Show - S01E01.spa.srt', language: 'spa', format: 'srt', forced: false, sdh: false, generated: true, sha256: 'x' }], duration_seconds: 1400, is_video: true, format_name: 'matroska' }),
    probe_error: null,
    wanted: JSON.stringify([{ language: 'eng', rule_id: 2, rule_name: 'To English', reason: 'rule matches', quality_preset: 'fast', action_type: 'transcribe', audio_language: 'jpn', audio_track_index: 0, internal: 1 }]),
    decision: null,
    // stored before quality reports: no needs_review or quality_score yet
    jobs: JSON.stringify([{ target_lang: 'spa', id: 'j1', status: 'completed', error: null, progress: 100, updated_at: 'z', file_path: '/x', seq: 3 }]),
    needs_review: 0,
    ignored_by: null, missing: 0, indexed_at: 'a', updated_at: 'b', updated_ms: 5,
  };
  const schemaJson = fastJson(LibraryItemSchema);
  const it = toItem(row);
  assert.equal(itemJson(it).toString('utf8'), schemaJson(it));
  const parsed = JSON.parse(itemJson(it).toString('utf8'));
  assert.deepEqual(parsed.audio_tracks, [{ index: 0, language: 'jpn', codec: 'aac', channels: null, default: true, title: null }]);
  assert.equal(parsed.wanted[0].internal, undefined);
  assert.deepEqual(parsed.jobs, [{ target_lang: 'spa', id: 'j1', status: 'completed', error: null, error_code: null, progress: 100, updated_at: 'z', needs_review: false, quality_score: null }]);
  assert.equal(parsed.needs_review, false);
  assert.equal(parsed.external_subtitles[0].sha256, undefined);
});

test('a page assembled from serialized items is the JSON of the page object', () => {
  const items = [item(1, 'Épisode 1 – «titre»'), item(2, 'Two')];
  const bytes = pageJson(items.map(itemJson), { total: 7, page: 2, page_size: 2, wanted_pending: true });
  assert.deepEqual(JSON.parse(bytes.toString('utf8')), { items, total: 7, page: 2, page_size: 2, wanted_pending: true });
  assert.deepEqual(JSON.parse(pageJson([], { total: 0, page: 1, page_size: 50, wanted_pending: false }).toString()), { items: [], total: 0, page: 1, page_size: 50, wanted_pending: false });
});

test('an answer is computed once for concurrent callers, again under a new version, and evicted by size', async () => {
  const cache = new VersionedCache<Buffer>({ maxBytes: 100, sizeOf: (b) => b.length });
  let computed = 0;
  const compute = async () => (computed++, Buffer.alloc(40));
  await Promise.all([cache.get('a', 'v1', compute), cache.get('a', 'v1', compute)]);
  assert.equal(computed, 1);
  await cache.get('a', 'v1', compute);
  assert.equal(computed, 1, 'a hit');
  await cache.get('a', 'v2', compute);
  assert.equal(computed, 2, 'another version is a miss');
  await cache.get('b', 'v2', compute);
  await cache.get('c', 'v2', compute);
  await cache.get('a', 'v2', compute);
  assert.equal(computed, 5, 'the least recently used went first when the bytes ran out');
});

test('an item is cached under its last change only', () => {
  const cache = new ItemJsonCache(1 << 20);
  cache.set(1, 100, Buffer.from('{}'));
  assert.ok(cache.get(1, 100));
  assert.equal(cache.get(1, 101), undefined);
});
