import { test } from 'node:test';
import assert from 'node:assert/strict';
import { retimeCues, type RetimeOptions } from './retime.js';
import type { Segment } from './types.js';

const O: RetimeOptions = { maxCps: 20, minDuration: 0.83, minGap: 0.083, speech: null, mediaEnd: null };

/** Characters per second the way the analysis counts them (line breaks are not characters). */
const cps = (c: Segment) => c.text.replace(/\n/g, '').length / (c.end - c.start);

test('a 30 characters-per-second cue is lengthened to the limit without touching the next cue', () => {
  const text = 'We have to leave before the river floods, now!'.padEnd(60, '.');
  const cues: Segment[] = [
    { start: 10, end: 12, text },
    { start: 20, end: 22, text: 'Then we go.' },
  ];
  assert.equal(cps(cues[0]), 30);
  const out = retimeCues(cues, O);
  assert.equal(out[0].end, 13);
  assert.ok(Math.abs(cps(out[0]) - 20) < 1e-9);
  assert.deepEqual(out[1], cues[1]);
});

test('a fast cue stops the minimum gap before the next cue', () => {
  const cues: Segment[] = [
    { start: 10, end: 11, text: 'x'.repeat(60) },
    { start: 11.5, end: 13, text: 'The next line.' },
  ];
  const out = retimeCues(cues, O);
  assert.equal(out[0].end, 11.417);
  assert.ok(out[1].start - out[0].end >= O.minGap - 1e-9);
  // A next cue already closer than the gap: this one is left as it is, never shortened.
  const tight = retimeCues([{ start: 0, end: 1, text: 'x'.repeat(60) }, { start: 1.05, end: 3, text: 'Next.' }], O);
  assert.equal(tight[0].end, 1);
});

test('a short cue reaches the minimum duration; one already long enough is left alone', () => {
  const out = retimeCues([{ start: 5, end: 5.3, text: 'Hi.' }, { start: 8, end: 10, text: 'A calm line.' }], O);
  assert.equal(out[0].end, 5.83);
  assert.equal(out[1].end, 10);
});

test('starts never move, no cue is shortened, no overlap is created, the input is not changed', () => {
  const cues: Segment[] = [];
  let t = 0;
  for (let i = 0; i < 200; i++) {
    const len = 5 + ((i * 37) % 80);
    const d = 0.2 + ((i * 13) % 30) / 10;
    cues.push({ start: t, end: t + d, text: 'y'.repeat(len), words: [{ start: t, end: t + d, text: 'y' }] });
    t += d + ((i * 7) % 5) / 10;
  }
  const before = structuredClone(cues);
  const out = retimeCues(cues, { ...O, mediaEnd: t });
  assert.deepEqual(cues, before);
  assert.equal(out.length, cues.length);
  out.forEach((c, i) => {
    assert.notEqual(c, cues[i]);
    assert.equal(c.start, cues[i].start);
    assert.ok(c.end >= cues[i].end);
    assert.deepEqual(c.words, cues[i].words);
    const next = out[i + 1];
    if (next && c.end > cues[i].end) assert.ok(next.start - c.end >= O.minGap - 1e-9, `cue ${i} ends ${c.end}, next at ${next.start}`);
    if (next) assert.ok(c.end <= next.start || cues[i].end > next.start);
  });
  assert.ok(out.some((c, i) => c.end > cues[i].end));
});

test('with speech known, a cue may run into the pause after it but not past the next utterance; never past the media end', () => {
  const speech = [{ start: 10, end: 10.5 }, { start: 11, end: 11.4 }, { start: 30, end: 32 }];
  const fast = { start: 10, end: 10.5, text: 'x'.repeat(80) }; // wants 4 s
  assert.equal(retimeCues([fast], { ...O, speech })[0].end, 11.4);
  // Ending inside an utterance: through the pause, up to the next one's end.
  assert.equal(retimeCues([{ ...fast, end: 10.2 }], { ...O, speech })[0].end, 11.4);
  // After the last utterance nothing limits it but the media's end.
  assert.equal(retimeCues([{ start: 31, end: 31.5, text: 'x'.repeat(80) }], { ...O, speech })[0].end, 35);
  assert.equal(retimeCues([{ start: 31, end: 31.5, text: 'x'.repeat(80) }], { ...O, speech, mediaEnd: 33 })[0].end, 33);
  // maxDuration, when given, caps the lengthening.
  assert.equal(retimeCues([{ start: 0, end: 1, text: 'x'.repeat(200) }], { ...O, maxDuration: 7 })[0].end, 7);
});

test('cues given out of order are retimed against the cue that follows in time, and returned in the input order', () => {
  const out = retimeCues([{ start: 5, end: 6, text: 'Later.' }, { start: 1, end: 1.2, text: 'x'.repeat(80) }], O);
  assert.deepEqual(out.map((c) => [c.start, c.end]), [[5, 6], [1, 4.917]]);
});
