import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { JFK_WAV, SILERO_MODEL } from '../../../test/helpers/fixtures.js';
import { ffmpegPaths } from '../audio.js';
import { isWhisperBuilt } from '../binaries.js';
import { filterHallucinations } from '../hallucination.js';
import { regroupSegments } from '../regroup.js';
import { retimeCues } from '../retime.js';
import { DEFAULT_LINE_BREAK, type Segment } from '../types.js';
import { detectSpeech, type Span } from '../vad.js';
import { analyzeQuality, redecodeCandidates } from './analyze.js';
import { DEFAULT_QUALITY_THRESHOLDS as T, qualityThresholds } from './thresholds.js';
import type { EngineSegment, QualityInput } from './types.js';

const WORDS = ('river morning window garden letter station captain mother doctor winter summer quiet yellow broken ' +
  'question kitchen answer ticket bridge forest engine silver market pocket island candle soldier ' +
  'painter mirror rabbit harbour lantern thunder pillow basket village castle').split(' ');

/** A deterministic generator, so a failing case can be read again. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

/**
 * A subtitle as a good model gives it: varied sentences, confident
 * segments, speech under every segment, cues regrouped and retimed the way
 * the pipeline does.
 */
function cleanCase(segmentCount: number, seed = 1, wordsPerSegment: [number, number] = [4, 7]): QualityInput {
  const rnd = random(seed);
  const segments: EngineSegment[] = [];
  const speech: Span[] = [];
  let t = 0.5;
  for (let i = 0; i < segmentCount; i++) {
    const n = wordsPerSegment[0] + Math.floor(rnd() * (wordsPerSegment[1] - wordsPerSegment[0] + 1));
    const words = Array.from({ length: n }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
    const text = `${words.join(' ').replace(/^./, (c) => c.toUpperCase())}.`;
    const end = t + Math.max(1.5, text.length / 14);
    segments.push({ start: t, end, text, avgLogprob: -0.2 - rnd() * 0.3, noSpeechProb: 0.02, temperature: 0 });
    speech.push({ start: t + 0.05, end: end - 0.05 });
    t = end + 0.4 + rnd();
  }
  const media = t + 5;
  const cues = retimeCues(regroupSegments(segments, DEFAULT_LINE_BREAK), { maxCps: 20, minDuration: 0.83, minGap: 0.083, speech, mediaEnd: media });
  return { cues, segments, suppressed: [], speech, audioSeconds: media, trackSeconds: media, mediaSeconds: media };
}

test('a clean subtitle scores 90 or more and has no flagged cue', () => {
  const input = cleanCase(80);
  const r = analyzeQuality(input, T);
  assert.ok(r.score >= 90, `score ${r.score}: ${JSON.stringify(r.penalties)}`);
  assert.deepEqual(r.flagged, [], JSON.stringify(r.flagged.slice(0, 3)));
  assert.equal(r.needs_review, false);
  assert.equal(r.penalties.loops, 0);
  assert.equal(r.cues, input.cues.length);
  assert.equal(r.speech.available, true);
  assert.ok(r.speech.speech_covered! > 0.9, `covered ${r.speech.speech_covered}`);
  assert.deepEqual(r.redecode, { enabled: false, attempts: [], seconds: 0, budget_seconds: 0 });
  assert.deepEqual(redecodeCandidates(input.segments, input.speech, T), []);
});

test('a random-weight-like subtitle (every segment near avg_logprob -2) scores under 65 and flags low confidence', () => {
  const input = cleanCase(40, 2);
  const rnd = random(9);
  input.segments = input.segments.map((s) => ({ ...s, avgLogprob: -2 + (rnd() - 0.5) * 0.4, temperature: 1 }));
  const r = analyzeQuality(input, T);
  assert.ok(r.score < 65, `score ${r.score}: ${JSON.stringify(r.penalties)}`);
  assert.equal(r.needs_review, true);
  assert.equal(r.confidence.low_confidence_segments, 40);
  assert.equal(r.confidence.fallback_segments, 40);
  assert.equal(r.confidence.max_temperature, 1);
  assert.ok(r.confidence.mean_avg_logprob! < -1.8);
  assert.ok(r.flagged.length > 0 && r.flagged.every((f) => f.reasons.includes('low_confidence')));
  assert.match(r.flagged[0].details[0], /^confidence -[12]\.\d\d is under -1\.00$/);
  // The review threshold 0 never flags.
  assert.equal(analyzeQuality(input, { ...T, reviewThreshold: 0 }).needs_review, false);
});

test('a looped segment (the same phrase over and over) is caught by compression and repeated 3-grams and flags its cues', () => {
  // Whisper's loops run on without punctuation, so regrouping cuts them at the line limits and each cue loops too.
  const loop = 'I am going home now '.repeat(12).trim();
  const segments: EngineSegment[] = [
    { start: 0, end: 3, text: 'Where are you going tonight?', avgLogprob: -0.3, noSpeechProb: 0.01, temperature: 0 },
    { start: 4, end: 30, text: loop, avgLogprob: -0.4, noSpeechProb: 0.01, temperature: 0 },
  ];
  const cues = regroupSegments(segments, DEFAULT_LINE_BREAK);
  const r = analyzeQuality({ cues, segments, suppressed: [], speech: null, audioSeconds: 31, trackSeconds: null, mediaSeconds: null }, T);
  assert.equal(r.repeats.high_compression_segments, 1);
  assert.ok(r.repeats.max_compression_ratio > 2.4, `ratio ${r.repeats.max_compression_ratio}`);
  assert.ok(r.repeats.max_ngram_repeat_in_cue >= 0.5, `in-cue repeat ${r.repeats.max_ngram_repeat_in_cue}`);
  assert.ok(r.repeats.consecutive_repeats > 0);
  assert.ok(r.repeats.repeated_line_ratio >= 0.2, `repeated lines ${r.repeats.repeated_line_ratio}`);
  assert.equal(r.confidence.segments[1].compression_ratio, r.repeats.max_compression_ratio);
  const looped = r.flagged.filter((f) => f.reasons.includes('loop'));
  assert.equal(looped.length, cues.length - 1, JSON.stringify(r.flagged));
  assert.ok(looped.every((f) => f.start >= 4));
  assert.match(looped[0].details[looped[0].reasons.indexOf('loop')], /compresses \d\.\d times, over 2\.4/);
  assert.equal(r.penalties.loops, 15);
  assert.deepEqual(redecodeCandidates(segments, null, T).map((c) => [c.index, c.reasons]), [[1, ['loop']]]);
});

test('stock phrases are counted where written and where the filter removed them, with their texts', () => {
  const engine: EngineSegment[] = [
    { start: 0, end: 2, text: 'We leave at dawn.', avgLogprob: -0.2 },
    { start: 3, end: 5, text: 'Thanks for watching!', avgLogprob: -0.6 },
    { start: 6, end: 8, text: 'Subtitles by the Amara.org community', avgLogprob: -0.7 },
  ];
  const { kept, suppressed } = filterHallucinations(engine);
  // A subtitle written with the filter on: nothing stock is left, both removed ones are counted.
  const filtered = analyzeQuality({ cues: kept, segments: engine, suppressed, speech: null, audioSeconds: 9, trackSeconds: null, mediaSeconds: null }, T);
  assert.deepEqual(filtered.stock_phrases, { hits: 0, filtered: 2, texts: ['Thanks for watching!', 'Subtitles by the Amara.org community'] });
  assert.equal(filtered.penalties.stock_phrases, 1);
  assert.deepEqual(filtered.flagged.map((f) => [f.index, f.reasons, f.start]), [[null, ['stock_phrase'], 3], [null, ['stock_phrase'], 6]]);
  // The same with the filter off: written stock phrases count more.
  const written = analyzeQuality({ cues: engine, segments: engine, suppressed: [], speech: null, audioSeconds: 9, trackSeconds: null, mediaSeconds: null }, T);
  assert.equal(written.stock_phrases.hits, 2);
  assert.equal(written.penalties.stock_phrases, 4);
  assert.deepEqual(written.flagged.map((f) => [f.index, f.reasons]), [[1, ['stock_phrase']], [2, ['stock_phrase']]]);
  // A stock phrase as one sentence of a regrouped cue is found too.
  const merged = analyzeQuality({ cues: [{ start: 0, end: 4, text: 'We leave at dawn.\nThanks for watching!' }], segments: [], suppressed: [], speech: null, audioSeconds: 5, trackSeconds: null, mediaSeconds: null }, T);
  assert.equal(merged.stock_phrases.hits, 1);
});

test('a cue over a stretch Silero marks as silence (jfk.wav padded with 10 s of silence) is flagged over_silence', { skip: isWhisperBuilt('cpu') ? false : 'whisper.cpp is not built (npm run build:whisper)' }, async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-quality-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  const padded = join(dir, 'jfk-silence.wav');
  execFileSync(ffmpegPaths().ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-i', JFK_WAV, '-af', 'apad=pad_dur=10', '-ar', '16000', '-ac', '1', '-c:a', 'pcm_s16le', padded]);
  const speech = await detectSpeech(padded, SILERO_MODEL);
  assert.ok(speech.length > 0 && speech.at(-1)!.end < 11.5, `speech ${JSON.stringify(speech)}`);
  const cues: Segment[] = [
    { start: 0.3, end: 2.3, text: 'And so my fellow Americans,' },
    { start: 3.3, end: 4.4, text: 'ask not' },
    { start: 5.4, end: 7.7, text: 'what your country can do for you,' },
    { start: 8.2, end: 10.6, text: 'ask what you can do for your country.' },
    { start: 14, end: 17, text: 'And may God bless you all.' },
  ];
  const segments: EngineSegment[] = cues.map((c) => ({ ...c, avgLogprob: -0.3, noSpeechProb: 0.05, temperature: 0 }));
  const r = analyzeQuality({ cues, segments, suppressed: [], speech, audioSeconds: 21, trackSeconds: 21, mediaSeconds: 21 }, T);
  assert.deepEqual(r.flagged.map((f) => [f.index, f.reasons]), [[4, ['over_silence']]]);
  assert.equal(r.flagged[0].details[0], '100 % of this cue is over silence');
  assert.ok(r.speech.speech_covered! > 0.9, `covered ${r.speech.speech_covered}`);
  assert.ok(r.speech.cue_over_silence! > 0.25, `over silence ${r.speech.cue_over_silence}`);
  assert.ok(r.penalties.silence > 5, JSON.stringify(r.penalties));
  assert.deepEqual(redecodeCandidates(segments, speech, T).map((c) => [c.index, c.reasons]), [[4, ['over_silence']]]);
});

test('a cue past the media end counts as overrun past quality_max_overrun_seconds; container rounding does not', () => {
  const cues: Segment[] = [
    { start: 10, end: 12, text: 'Good evening.' },
    { start: 118, end: 120, text: 'Good night.' },
  ];
  const base = { cues, segments: [], suppressed: [], speech: null, audioSeconds: 60, trackSeconds: 60 };
  const r = analyzeQuality({ ...base, mediaSeconds: 60 }, T);
  assert.equal(r.coverage.overrun_seconds, 60);
  assert.equal(r.coverage.last_cue_end, 120);
  assert.equal(r.penalties.coverage, 5);
  assert.deepEqual(r.flagged.map((f) => [f.index, f.reasons]), [[1, ['past_end']]]);
  assert.match(r.flagged[0].details[0], /ends 60\.0 s after the media's end/);
  const near = analyzeQuality({ ...base, cues: [{ start: 58, end: 60.4, text: 'Good night.' }], mediaSeconds: 60 }, T);
  assert.equal(near.penalties.coverage, 0);
  assert.deepEqual(near.flagged, []);
  // Half the track decoded is missing audio.
  const short = analyzeQuality({ ...base, cues: [cues[0]], audioSeconds: 30, mediaSeconds: 60 }, T);
  assert.equal(short.coverage.audio_ratio, 0.5);
  assert.equal(short.penalties.coverage, 5);
});

test('readability: a 30 characters-per-second cue, a long line, three lines, a flash and an overlap are flagged with the limit', () => {
  const cues: Segment[] = [
    { start: 0, end: 2, text: 'This line is sixty characters long, and it is said far too quickly.'.slice(0, 60) },
    { start: 3, end: 6, text: 'A single line that is much longer than forty-two characters.' },
    { start: 7, end: 10, text: 'One\nTwo\nThree' },
    { start: 11, end: 11.3, text: 'Hi.' },
    { start: 12, end: 15, text: 'Overlapping.' },
    { start: 14.5, end: 17, text: 'The next one.' },
  ];
  const r = analyzeQuality({ cues, segments: [], suppressed: [], speech: null, audioSeconds: 20, trackSeconds: null, mediaSeconds: null }, T);
  const by = new Map(r.flagged.map((f) => [f.index, f]));
  assert.deepEqual(by.get(0)!.reasons, ['reading_speed', 'line_length']);
  assert.equal(by.get(0)!.details[0], '30.0 characters per second, over 20');
  assert.deepEqual(by.get(1)!.reasons, ['line_length']);
  assert.equal(by.get(1)!.details[0], 'a line of 60 characters, over 42');
  assert.deepEqual(by.get(2)!.reasons, ['too_many_lines']);
  assert.deepEqual(by.get(3)!.reasons, ['too_short']);
  assert.deepEqual(by.get(4)!.reasons, ['overlap']);
  assert.equal(by.get(4)!.details[0], 'runs 0.50 s into the next cue');
  assert.equal(by.has(5), false);
  assert.equal(r.readability.max_cps, 30);
  assert.equal(r.readability.over_cps, 1);
  assert.equal(r.readability.max_lines, 3);
  assert.equal(r.readability.overlaps, 1);
  assert.equal(r.readability.min_duration, 0.3);
  assert.equal(r.readability.min_gap, 0.7);
  assert.equal(r.penalties.readability, Math.round((10 * 5) / 6 * 100) / 100);
});

test('no cue: 100 only when nobody spoke; speech with nothing written scores low', () => {
  const empty = { cues: [], segments: [], suppressed: [], audioSeconds: 60, trackSeconds: 60, mediaSeconds: 60 };
  const silent = analyzeQuality({ ...empty, speech: [] }, T);
  assert.equal(silent.score, 100);
  assert.equal(silent.speech.speech_covered, 1);
  assert.equal(analyzeQuality({ ...empty, speech: null }, T).score, 100);
  const missed = analyzeQuality({ ...empty, speech: [{ start: 1, end: 20 }, { start: 25, end: 50 }] }, T);
  assert.equal(missed.speech.speech_covered, 0);
  assert.equal(missed.speech.speech_seconds, 44);
  assert.ok(missed.score < 10, `score ${missed.score}`);
  assert.equal(missed.needs_review, true);
});

test('thresholds come from the settings, and an unset setting from its definition', () => {
  const t = qualityThresholds((k) => ({ quality_review_threshold: '80', subtitle_max_cps: 17, quality_min_avg_logprob: '' } as Record<string, unknown>)[k]);
  assert.equal(t.reviewThreshold, 80);
  assert.equal(t.maxCps, 17);
  assert.equal(t.minAvgLogprob, -1);
  assert.deepEqual(T, { reviewThreshold: 65, minAvgLogprob: -1, maxNoSpeechProb: 0.6, maxCompressionRatio: 2.4, maxRepeatedLineRatio: 0.2, maxSilenceShare: 0.5, maxOverrunSeconds: 30, maxCps: 20, maxLineChars: 42, maxLines: 2, minDuration: 0.83, maxDuration: 7 });
});

test('an hour of subtitles (about 1,000 cues over 600 segments) analyses well under 100 ms', () => {
  const input = cleanCase(600, 3, [10, 22]);
  assert.ok(input.cues.length >= 900, `${input.cues.length} cues`);
  assert.ok(input.segments.at(-1)!.end > 3000, `${input.segments.at(-1)!.end} s`);
  analyzeQuality(input, T); // warm-up: the first call loads zlib and compiles the code
  const runs = 5;
  const started = performance.now();
  for (let i = 0; i < runs; i++) analyzeQuality(input, T);
  const ms = (performance.now() - started) / runs;
  console.log(`analyzeQuality: ${input.cues.length} cues, ${input.segments.length} segments, ${input.speech!.length} speech spans in ${ms.toFixed(1)} ms`);
  assert.ok(ms < 1000, `${ms} ms`);
});
