import { test } from 'node:test';
import assert from 'node:assert/strict';
import { filterHallucinations, suppressHallucinations } from './hallucination.js';
import type { Segment } from './types.js';

const SEGMENTS: Segment[] = [
  { start: 0, end: 1, text: 'Real speech here.' },
  { start: 2, end: 3, text: ' Thanks for watching!' },
  { start: 4, end: 5, text: 'Mumble', noSpeechProb: 0.9, avgLogprob: -1.4 },
  { start: 5, end: 6, text: 'Quiet, but sure.', noSpeechProb: 0.9, avgLogprob: -0.2 },
  { start: 6, end: 7, text: 'Go away.' },
  { start: 7, end: 8, text: 'Go away.' },
  { start: 8, end: 9, text: 'go away' },
  { start: 10, end: 10, text: '' },
];

test('the filter says what it removed and why: stock phrases, no-speech segments, repeats', () => {
  const { kept, suppressed } = filterHallucinations(SEGMENTS);
  assert.deepEqual(kept.map((s) => [s.text, s.start, s.end]), [['Real speech here.', 0, 1], ['Quiet, but sure.', 5, 6], ['Go away.', 6, 9]]);
  assert.deepEqual(suppressed, [
    { start: 2, end: 3, text: 'Thanks for watching!', reason: 'stock_phrase' },
    { start: 4, end: 5, text: 'Mumble', reason: 'no_speech' },
    { start: 7, end: 8, text: 'Go away.', reason: 'repeat' },
    { start: 8, end: 9, text: 'go away', reason: 'repeat' },
  ]);
});

test('suppressHallucinations keeps what filterHallucinations keeps, and neither changes its input', () => {
  const before = structuredClone(SEGMENTS);
  assert.deepEqual(suppressHallucinations(SEGMENTS), filterHallucinations(SEGMENTS).kept);
  assert.deepEqual(SEGMENTS, before);
});

test('with stock phrases allowed and two repeats allowed, only those pass', () => {
  const { kept, suppressed } = filterHallucinations(SEGMENTS, { phrases: false, maxRepeats: 2 });
  assert.deepEqual(kept.map((s) => s.text), ['Real speech here.', ' Thanks for watching!', 'Quiet, but sure.', 'Go away.', 'Go away.', '']);
  assert.deepEqual(suppressed.map((s) => s.reason), ['no_speech', 'repeat']);
});
