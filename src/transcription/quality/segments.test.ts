import { test } from 'node:test';
import assert from 'node:assert/strict';
import { redecodeCandidates, segmentScore } from './analyze.js';
import { DEFAULT_QUALITY_THRESHOLDS as T } from './thresholds.js';
import type { EngineSegment } from './types.js';

const seg = (extra: Partial<EngineSegment>): EngineSegment => ({ start: 0, end: 4, text: 'The harbour was quiet that morning.', avgLogprob: -0.2, noSpeechProb: 0.02, temperature: 0, ...extra });

test('segmentScore: a confident segment is worth more than a doubtful one, a fallback, a no-speech one or a loop', () => {
  const good = segmentScore(seg({}), T);
  assert.ok(good > 0.85 && good <= 1, `good ${good}`);
  assert.equal(segmentScore(seg({ avgLogprob: -1 }), T), 0.5);
  assert.equal(segmentScore(seg({ avgLogprob: -2.5 }), T), 0);
  assert.ok(segmentScore(seg({ temperature: 0.8 }), T) < good);
  assert.ok(segmentScore(seg({ noSpeechProb: 0.95 }), T) < good);
  const loop = segmentScore(seg({ text: 'over and over and over '.repeat(10) }), T);
  assert.ok(loop < 0.3, `loop ${loop}`);
  assert.equal(segmentScore(seg({ text: '  ' }), T), 0);
  // Without the engine's numbers (a remote engine) only the text speaks.
  assert.equal(segmentScore({ start: 0, end: 1, text: 'Fine words.' }, T), 1);
});

test('redecodeCandidates lists low confidence, no speech, loops and text over silence, worst first', () => {
  const segments: EngineSegment[] = [
    seg({ start: 0, end: 4 }),
    seg({ start: 5, end: 8, avgLogprob: -1.3 }),
    seg({ start: 9, end: 12, avgLogprob: -2.2, noSpeechProb: 0.8 }),
    seg({ start: 13, end: 20, text: 'over and over and over '.repeat(10) }),
    seg({ start: 21, end: 24, text: 'Nobody is talking here at all.' }),
    seg({ start: 25, end: 27, text: '', avgLogprob: -3 }),
  ];
  const speech = [{ start: 0, end: 20 }];
  const found = redecodeCandidates(segments, speech, T);
  assert.deepEqual(found.map((c) => [c.index, c.reasons]), [
    [2, ['low_confidence', 'no_speech']],
    [3, ['loop']],
    [1, ['low_confidence']],
    [4, ['over_silence']],
  ]);
  assert.deepEqual([found[0].start, found[0].end], [9, 12]);
  // Without speech spans, nothing is "over silence".
  assert.deepEqual(redecodeCandidates(segments, null, T).map((c) => c.index), [2, 3, 1]);
});
