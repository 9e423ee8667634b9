import { test } from 'node:test';
import assert from 'node:assert/strict';
import { estimateDrift } from './drift.js';
import { buildMask, paddedPrefix } from './masks.js';
import { blockCurve, cueScore, refineBlocks, type CueBins } from './refine.js';
import { fitBlocks, fitShare, mirrorCues } from './search.js';

/** Speech runs of varied lengths and pauses, 100 bins a second. */
function speech(count: number): [number, number][] {
  const runs: [number, number][] = [];
  let t = 100;
  for (let i = 0; i < count; i++) {
    const len = 80 + ((i * 37) % 170);
    runs.push([t, t + len]);
    t += len + 40 + ((i * 53) % 260);
  }
  return runs;
}

function setup(runs: [number, number][], pad: number) {
  const length = runs[runs.length - 1][1] + 1000;
  const mask = buildMask(runs.map(([a, b]) => ({ start: a / 100, end: b / 100 })), length);
  return { reference: { prefix: paddedPrefix(mask, pad), pad }, length };
}

const cuesOf = (runs: [number, number][], move: (i: number) => number): CueBins => ({
  starts: Int32Array.from(runs, ([a], i) => a + move(i)),
  ends: Int32Array.from(runs, ([, b], i) => b + move(i)),
});

test('a cue scores its length over speech and minus its length over silence', () => {
  const { reference } = setup([[100, 300]], 500);
  const cues = cuesOf([[100, 300]], () => 0);
  assert.equal(cueScore(cues, reference, 0, 0), 200);
  assert.equal(cueScore(cues, reference, 0, 400), -200);
  assert.equal(cueScore(cues, reference, 0, 100), 0);
  assert.deepEqual(Array.from(blockCurve(cues, reference, 0, 0, -1, 1)), [198, 200, 198]);
});

test('cues all moved by one offset give one block at the offset that undoes it', () => {
  const runs = speech(60);
  const { reference } = setup(runs, 3000);
  const blocks = refineBlocks({ cues: cuesOf(runs, () => 700), reference, minLag: -3000, maxLag: 3000, penaltyBins: 700, preferredLag: 0 });
  assert.deepEqual(blocks, [{ first: 0, last: 59, lag: -700 }]);
});

test('cues whose second half moved by 30 s are split in two at the right cue', () => {
  const runs = speech(60);
  const { reference } = setup(runs, 6000);
  const cues = cuesOf(runs, (i) => (i >= 25 ? 3000 : 0));
  const blocks = refineBlocks({ cues, reference, minLag: -6000, maxLag: 6000, penaltyBins: 700, preferredLag: 0 });
  assert.deepEqual(blocks, [
    { first: 0, last: 24, lag: 0 },
    { first: 25, last: 59, lag: -3000 },
  ]);
  // A split penalty higher than all the second half could gain keeps one block.
  const one = refineBlocks({ cues, reference, minLag: -6000, maxLag: 6000, penaltyBins: 1_000_000, preferredLag: 0 });
  assert.equal(one.length, 1);
});

test('a coarse offset grid (more states than fit) still ends at the exact offset', () => {
  const runs = speech(400);
  const { reference } = setup(runs, 150_000);
  const blocks = refineBlocks({ cues: cuesOf(runs, () => 1234), reference, minLag: -150_000, maxLag: 150_000, penaltyBins: 700, preferredLag: 0 });
  assert.deepEqual(blocks, [{ first: 0, last: 399, lag: -1234 }]);
});

test('fitBlocks puts a block at the middle of its plateau, and fitShare measures the moved cues', () => {
  const runs = speech(40);
  const { reference } = setup(runs, 3000);
  // Cues 20 bins wider than the speech on each side: every lag in [-20, 20] covers all of it.
  const cues: CueBins = { starts: Int32Array.from(runs, ([a]) => a - 20 + 500), ends: Int32Array.from(runs, ([, b]) => b + 20 + 500) };
  const fits = fitBlocks({ cues, reference, maxLag: 3000, penaltyBins: 700, preferredLag: 0 });
  assert.equal(fits.length, 1);
  assert.equal(fits[0].lag, -500);
  assert.ok(fits[0].z > 3, `z ${fits[0].z}`);
  const speechBins = runs.reduce((n, [a, b]) => n + b - a, 0);
  assert.equal(fits[0].speechBins, speechBins, JSON.stringify(fits));
  const share = fitShare(cues, fits, reference);
  assert.ok(Math.abs(share - speechBins / (speechBins + 40 * 40)) < 1e-9, `share ${share}`);
});

test('the mirrored subtitle keeps the cue lengths and pauses in reverse order', () => {
  const m = mirrorCues({ starts: Int32Array.from([0, 150, 400]), ends: Int32Array.from([100, 200, 500]) });
  assert.deepEqual(Array.from(m.starts), [0, 300, 400]);
  assert.deepEqual(Array.from(m.ends), [100, 350, 500]);
});

test('drift: chunks on a sloped line are measured; a step (a split) has a large residual', () => {
  const runs = speech(80);
  const { reference } = setup(runs, 3000);
  const drifting = cuesOf(runs, (i) => -Math.round(runs[i][0] * 0.01));
  const d = estimateDrift(drifting, reference, -3000, 3000, 0);
  assert.ok(d, 'measured');
  const span = (runs[runs.length - 1][0] - runs[0][0]) / 100;
  assert.ok(Math.abs(d.driftSeconds) > 0.006 * span, `drift ${d.driftSeconds} over ${span} s`);
  assert.ok(d.residualSeconds < 0.4, `residual ${d.residualSeconds}`);
  const step = estimateDrift(cuesOf(runs, (i) => (i >= 40 ? 1000 : 0)), reference, -3000, 3000, 0);
  assert.ok(step && step.residualSeconds > 0.15 * Math.abs(step.driftSeconds), JSON.stringify(step));
  assert.equal(estimateDrift(cuesOf(runs.slice(0, 12), () => 0), reference, -3000, 3000, 0), null);
});

test('cues of a part the audio lost (a cut start) move with the rest instead of onto other lines', () => {
  const runs = speech(60);
  const cut = runs[10][0] - 30;
  const kept = runs.slice(10).map(([a, b]): [number, number] => [a - cut, b - cut]);
  const length = runs[runs.length - 1][1] + 1000;
  const mask = buildMask(kept.map(([a, b]) => ({ start: a / 100, end: b / 100 })), length);
  const reference = { prefix: paddedPrefix(mask, 6000), pad: 6000 };
  const fits = fitBlocks({ cues: cuesOf(runs, () => 0), reference, maxLag: 6000, penaltyBins: 700, preferredLag: -cut });
  assert.deepEqual(fits.map((f) => [f.first, f.last, f.lag]), [[0, 59, -cut]]);
});
