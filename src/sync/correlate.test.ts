import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ReferenceCorrelator, findPeak } from './correlate.js';
import { curvePeak } from './peak.js';

/** Runs of speech and silence of random lengths (a deterministic generator). */
function randomMask(length: number, seed: number): Uint8Array {
  let s = seed >>> 0;
  const next = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
  const mask = new Uint8Array(length);
  for (let i = 0, on = false; i < length; on = !on) {
    const run = 20 + Math.floor(next() * 200);
    if (on) mask.fill(1, i, Math.min(length, i + run));
    i += run;
  }
  return mask;
}

function bruteForce(cue: Uint8Array, ref: Uint8Array, lag: number): number {
  let n = 0;
  for (let t = 0; t < cue.length; t++) {
    const j = t + lag;
    if (j >= 0 && j < ref.length) n += cue[t] * ref[j];
  }
  return n;
}

test('the FFT cross-correlation equals the direct count at every lag of the window, edges included', () => {
  const ref = randomMask(3000, 7);
  const cue = randomMask(2800, 11);
  const c = new ReferenceCorrelator(ref, 3000, 400).correlate(cue);
  assert.equal(c.matched.length, 801);
  for (const lag of [-400, -399, -123, -1, 0, 1, 57, 399, 400]) assert.equal(c.matched[lag + 400], bruteForce(cue, ref, lag), `lag ${lag}`);
});

test('the correlation finds a known shift: cues 2.5 s early peak at lag +250', () => {
  const ref = new Uint8Array(6000);
  const spans = [[300, 450], [700, 760], [1300, 1600], [2100, 2150], [2900, 3300], [4000, 4100], [5000, 5400]];
  for (const [a, b] of spans) ref.fill(1, a, b);
  const cue = new Uint8Array(6000);
  for (const [a, b] of spans) cue.fill(1, a - 250, b - 250);
  const correlator = new ReferenceCorrelator(ref, 6000, 1000);
  const peak = findPeak(correlator.correlate(cue));
  assert.equal(peak.lag, 250);
  assert.equal(peak.matched, spans.reduce((n, [a, b]) => n + b - a, 0));
  assert.ok(peak.z > 3, `z ${peak.z}`);
  // The reference's spectrum is kept: a second mask gives its own answer.
  const cue2 = new Uint8Array(6000);
  for (const [a, b] of spans) cue2.fill(1, a + 100, b + 100);
  assert.equal(findPeak(correlator.correlate(cue2)).lag, -100);
});

test('a mask longer than the correlator was made for is refused', () => {
  const c = new ReferenceCorrelator(new Uint8Array(100), 100, 10);
  assert.throws(() => c.correlate(new Uint8Array(c.maxLength + 1)), RangeError);
});

test('a plateau of equal best values gives its middle; a single best value gives itself', () => {
  assert.equal(curvePeak([0, 1, 5, 5, 5, 5, 5, 2, 0], 0).index, 4);
  assert.equal(curvePeak([0, 1, 9, 5, 5], 0).index, 2);
  // Two separate plateaus of the same value: the one nearest the preferred index.
  assert.equal(curvePeak([5, 5, 0, 0, 0, 5, 5, 5], 7).index, 6);
  assert.equal(curvePeak([3, 3, 3], 1).z, 0);
});
