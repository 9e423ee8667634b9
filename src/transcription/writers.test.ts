import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GENERATOR_MARK, formatHasMarker, renderSubtitles, srtTime, vttTime } from './writers.js';
import type { Segment } from './types.js';

const SEGS: Segment[] = [
  { start: 0.5, end: 2.25, text: ' Hello there. ' },
  { start: 3661.004, end: 3662.5, text: 'Two lines\nof text --> {braces}' },
];

test('clock formats round to milliseconds and carry hours', () => {
  assert.equal(srtTime(0), '00:00:00,000');
  assert.equal(srtTime(3661.0046), '01:01:01,005');
  assert.equal(vttTime(59.9999), '00:01:00.000');
  assert.equal(srtTime(-1), '00:00:00,000', 'negative times clamp to 0');
});

test('SRT: numbered cues from 1, comma milliseconds, trimmed text, blank line between cues', () => {
  assert.equal(
    renderSubtitles(SEGS, 'srt'),
    '1\n00:00:00,500 --> 00:00:02,250\nHello there.\n\n2\n01:01:01,004 --> 01:01:02,500\nTwo lines\nof text --> {braces}\n',
  );
});

test('VTT: header with the marker note, dot milliseconds, an arrow in the text cannot end the cue timing', () => {
  const vtt = renderSubtitles(SEGS, 'vtt');
  assert.ok(vtt.startsWith(`WEBVTT\n\nNOTE ${GENERATOR_MARK}\n\n00:00:00.500 --> 00:00:02.250\nHello there.\n`));
  assert.match(vtt, /of text -> \{braces\}/);
  assert.ok(renderSubtitles(SEGS, 'vtt', { marker: false }).startsWith('WEBVTT\n\n00:00:00.500'));
});

test('ASS: centisecond times, \\N line breaks, braces removed (they would start override tags), karaoke from words', () => {
  const ass = renderSubtitles(SEGS, 'ass');
  assert.match(ass, /Dialogue: 0,0:00:00\.50,0:00:02\.25,Default,,0,0,0,,Hello there\./);
  assert.match(ass, /Dialogue: 0,1:01:01\.00,1:01:02\.50,Default,,0,0,0,,Two lines\\Nof text --> braces/);
  assert.match(ass, new RegExp(`; ${GENERATOR_MARK}`));
  const karaoke = renderSubtitles([{ start: 1, end: 2, text: 'a b', words: [{ text: 'a', start: 1.2, end: 1.5 }, { text: ' b', start: 1.5, end: 2 }] }], 'ass', { wordHighlight: true });
  assert.match(karaoke, /\{\\k20\}\{\\k30\}a\{\\k50\} b/);
});

test('LRC: one line per cue, a closing timestamp, the language tag', () => {
  assert.equal(renderSubtitles(SEGS, 'lrc', { language: 'en', marker: false }), '[la:en]\n[00:00.50]Hello there.\n[61:01.00]Two lines of text --> {braces}\n[61:02.50]\n');
});

test('TXT and TSV: plain lines; TSV in integer milliseconds like whisper-asr-webservice', () => {
  assert.equal(renderSubtitles(SEGS, 'txt'), 'Hello there.\nTwo lines of text --> {braces}\n');
  assert.equal(renderSubtitles(SEGS, 'tsv'), 'start\tend\ttext\n500\t2250\tHello there.\n3661004\t3662500\tTwo lines of text --> {braces}\n');
});

test('JSON: the generator, language, full text and segments with ids', () => {
  const j = JSON.parse(renderSubtitles(SEGS, 'json', { language: 'en' }));
  assert.equal(j.generator, GENERATOR_MARK);
  assert.equal(j.language, 'en');
  assert.equal(j.text, 'Hello there. Two lines of text --> {braces}');
  assert.deepEqual(j.segments.map((s: { id: number }) => s.id), [0, 1]);
});

test('no segments give valid empty files; an unknown format is a 400 naming the choices', () => {
  assert.equal(renderSubtitles([], 'srt'), '');
  assert.ok(renderSubtitles([], 'vtt').startsWith('WEBVTT'));
  assert.throws(() => renderSubtitles(SEGS, 'docx' as never), (e: { status: number; message: string }) => e.status === 400 && /srt, vtt/.test(e.message));
});

test('the marker is inside the text only for formats that have comments', () => {
  assert.deepEqual((['srt', 'vtt', 'ass', 'lrc', 'txt', 'tsv', 'json'] as const).filter(formatHasMarker), ['vtt', 'ass', 'lrc', 'json']);
});
