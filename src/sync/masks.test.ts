import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildMask, cleanSpans, countOnes, extentBins, overlap, paddedPrefix, shareOf, toBin } from './masks.js';

test('a mask has 100 bins a second and sets each covered bin once, overlapping spans included', () => {
  const mask = buildMask([{ start: 0.5, end: 1.0 }, { start: 0.8, end: 1.2 }], 200);
  assert.equal(countOnes(mask), 70);
  assert.equal(mask[49], 0);
  assert.equal(mask[50], 1);
  assert.equal(mask[119], 1);
  assert.equal(mask[120], 0);
});

test('a mask scales spans by the ratio and drops what lies past its length', () => {
  const mask = buildMask([{ start: 1, end: 2 }, { start: 5, end: 9 }], 1500, 2);
  assert.equal(countOnes(mask), 200 + 500);
  assert.equal(mask[199], 0);
  assert.equal(mask[200], 1);
  assert.equal(mask[1499], 1);
  assert.equal(extentBins([{ start: 1, end: 2.5 }], 2), 500);
});

test('cleanSpans drops empty, reversed and non-finite spans and cuts negative starts at 0', () => {
  assert.deepEqual(cleanSpans([{ start: -1, end: 1 }, { start: 2, end: 2 }, { start: 3, end: 2 }, { start: NaN, end: 4 }, { start: 5, end: Infinity }]), [
    { start: 0, end: 1 },
  ]);
});

test('padded prefix sums count set bins in any range, also one reaching past either end', () => {
  const mask = buildMask([{ start: 0, end: 0.1 }, { start: 0.5, end: 0.6 }], 100);
  const pad = 50;
  const p = paddedPrefix(mask, pad);
  const count = (a: number, b: number) => p[b + pad] - p[a + pad];
  assert.equal(count(0, 100), 20);
  assert.equal(count(-50, 5), 5);
  assert.equal(count(55, 150), 5);
  assert.equal(count(-50, 150), 20);
  assert.equal(count(10, 50), 0);
});

test('overlap counts the union of the cues: time over speech, and cue time off the reference as over silence', () => {
  const ref = buildMask([{ start: 1, end: 3 }], toBin(4));
  const o = overlap([{ start: 0, end: 2 }, { start: 1.5, end: 2.5 }, { start: 3.5, end: 6 }], ref);
  assert.equal(o.total, 250 + 250);
  assert.equal(o.matched, 150);
  assert.equal(shareOf(o), 0.3);
  assert.equal(shareOf({ matched: 0, total: 0 }), 0);
});
