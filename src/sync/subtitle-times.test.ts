import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatStamp, parseStamp, parseTimed, retimeText } from './subtitle-times.js';

const shift = (by: number) => (c: { start: number; end: number }) => ({ start: c.start + by, end: c.end + by });

test('an SRT keeps every byte but its timestamps: BOM, CRLF, tags and UTF-8 text', () => {
  const srt = '\uFEFF1\r\n00:00:01,000 --> 00:00:02,500\r\n<i>¿Qué pasó?</i>\r\n\r\n2\r\n00:00:03,200 --> 00:00:04,000 X1:10\r\nÑandú — 日本\r\n';
  const sub = parseTimed(Buffer.from(srt, 'utf8'), 'srt');
  assert.deepEqual(sub.cues, [{ start: 1, end: 2.5 }, { start: 3.2, end: 4 }]);
  const out = retimeText(sub, sub.cues.map(shift(2))).toString('utf8');
  assert.equal(out, srt.replace('00:00:01,000 --> 00:00:02,500', '00:00:03,000 --> 00:00:04,500').replace('00:00:03,200 --> 00:00:04,000', '00:00:05,200 --> 00:00:06,000'));
});

test('the same times give the same bytes back', () => {
  const vtt = 'WEBVTT\n\nNOTE kept\n\n00:01.000 --> 00:02.000 align:start\nHi\n\n01:00:00.000 --> 01:00:01.250\n<v Bob>Bye\n';
  const sub = parseTimed(Buffer.from(vtt), 'vtt');
  assert.equal(retimeText(sub, sub.cues).toString(), vtt);
});

test('an ASS file keeps its styles, override tags and comments; only Dialogue times move', () => {
  const ass = [
    '[Script Info]', 'Title: x', '', '[V4+ Styles]', 'Style: Default,Arial,20', '', '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    'Dialogue: 0,0:00:05.00,0:00:07.50,Default,,0,0,0,,{\\i1}Hello{\\i0}, world',
    'Comment: 0,0:00:01.00,0:00:02.00,Default,,0,0,0,,note',
    'Dialogue: 1,0:00:01.10,0:00:02.20,Top,,0,0,0,,Sign',
    '',
  ].join('\n');
  const sub = parseTimed(Buffer.from(ass), 'ass');
  assert.deepEqual(sub.cues, [{ start: 5, end: 7.5 }, { start: 1.1, end: 2.2 }]);
  const out = retimeText(sub, sub.cues.map(shift(-0.6))).toString();
  assert.match(out, /Dialogue: 0,0:00:04\.40,0:00:06\.90,Default,,0,0,0,,\{\\i1\}Hello\{\\i0\}, world/);
  assert.match(out, /Dialogue: 1,0:00:00\.50,0:00:01\.60,Top/);
  assert.match(out, /Comment: 0,0:00:01\.00,0:00:02\.00/);
});

test('a latin1 file stays latin1', () => {
  const bytes = Buffer.concat([Buffer.from('1\n00:00:01,000 --> 00:00:02,000\n'), Buffer.from([0x45, 0x6c, 0x20, 0x6e, 0xf1, 0x6f]), Buffer.from('\n')]);
  const out = retimeText(parseTimed(bytes, 'srt'), [{ start: 11, end: 12 }]);
  assert.deepEqual(out.subarray(-3), Buffer.from([0xf1, 0x6f, 0x0a]));
  assert.match(out.toString('latin1'), /00:00:11,000 --> 00:00:12,000/);
});

test('UTF-16 and cue-less files are refused with a reason', () => {
  assert.throws(() => parseTimed(Buffer.from([0xff, 0xfe, 0x31, 0]), 'srt', 'Movie.en.srt'), /UTF-16: save it as UTF-8/);
  assert.throws(() => parseTimed(Buffer.from('just text\n'), 'srt', 'Movie.en.srt'), (e: Error & { status?: number }) => e.status === 422 && /no SRT cue/.test(e.message));
});

test('stamps parse and format in each style; negative times clamp to 0', () => {
  assert.equal(parseStamp('01:02:03,456'), 3723.456);
  assert.equal(parseStamp('02:03.5'), 123.5);
  assert.equal(formatStamp(3723.4567, 'srt'), '01:02:03,457');
  assert.equal(formatStamp(3723.4567, 'srt-dot'), '01:02:03.457');
  assert.equal(formatStamp(83.25, 'vtt-short'), '01:23.250');
  assert.equal(formatStamp(3600, 'vtt-short'), '01:00:00.000');
  assert.equal(formatStamp(62.347, 'ass'), '0:01:02.35');
  assert.equal(formatStamp(-3, 'srt'), '00:00:00,000');
});
