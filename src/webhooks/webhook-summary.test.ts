import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countByReason, reasonKind, webhookSummary } from './webhook-summary.js';

describe('webhook summary', () => {
  it('a reason without the file it names', () => {
    assert.equal(reasonKind('English subtitle already exists: Movie (2020).eng.srt'), 'English subtitle already exists');
    assert.equal(reasonKind('external subtitle exists: a.srt (skip_if_external_subtitles_exist is on)'), 'external subtitle exists');
    assert.equal(reasonKind('outside the library folders'), 'outside the library folders');
    assert.equal(reasonKind('File not found on this server: /x.mkv (check path_mappings)'), 'File not found on this server');
  });

  it('counts by reason, most frequent first, the tail as "other reasons"', () => {
    const skipped = [
      ...Array.from({ length: 3 }, (_, i) => ({ path: `/a${i}`, reason: `English subtitle already exists: a${i}.eng.srt` })),
      { path: '/b', reason: 'outside the library folders' },
      ...Array.from({ length: 12 }, (_, i) => ({ path: `/c${i}`, reason: `reason number ${i}` })),
    ];
    const counts = countByReason(skipped);
    assert.deepEqual(Object.entries(counts)[0], ['English subtitle already exists', 3]);
    assert.equal(Object.keys(counts).length, 11);
    assert.equal(counts['other reasons'], 4, 'the 4 least frequent of 14 kinds');
    assert.equal(Object.values(counts).reduce((a, b) => a + b, 0), skipped.length);
  });

  it('one line with named, queued, skipped by reason and left out', () => {
    const s = webhookSummary({ source: 'sonarr', named: 500, acted: 300, queued: 2, skipped: 298, skippedByReason: { 'a job is already queued or running for this file': 298 }, leftOut: 200, max: 300, outside: 0 });
    assert.equal(s.message, 'sonarr webhook: 500 file(s) named, 2 queued, 298 skipped (298 a job is already queued or running for this file), 200 left out by webhook_max_files (300)');
    assert.equal(s.fields.left_out, 200);
    const none = webhookSummary({ source: 'radarr', named: 1, acted: 1, queued: 1, skipped: 0, skippedByReason: {}, leftOut: 0, max: 300, outside: 0 });
    assert.equal(none.message, 'radarr webhook: 1 file(s) named, 1 queued, 0 skipped');
  });
});
