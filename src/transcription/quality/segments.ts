/**
 * What the engine's own numbers say of each segment: confidence
 * (avg_logprob), "probably not speech" (no_speech_prob, with low confidence:
 * whisper's rule), loops (compression ratio, repeated 3-grams), fallbacks
 * (temperature above 0); and from the speech spans, text over silence.
 * One reading of these serves the report, the cues' inherited flags and the
 * choice of what to decode again.
 */
import type { Span } from '../vad.js';
import { coveredSeconds, mergeIntervals } from './intervals.js';
import { clamp01 } from './numbers.js';
import { compressionRatio, normalizeText, trigramRepeatShare, trigrams } from './text.js';
import type { EngineSegment, FlagReason, QualityThresholds } from './types.js';

/**
 * Silero's spans are tight and cue times run a little past the words (and
 * the retiming lengthens cues into pauses on purpose): time this close to
 * speech does not count as silence.
 */
export const SPEECH_PAD_SECONDS = 0.25;
/** A text whose 3-grams repeat this much inside itself loops (fixed; a clean line repeats none). */
export const NGRAM_LOOP_SHARE = 0.5;
/** ...counted only from this many 3-grams, so "no, no, no, no" is not a loop. */
export const NGRAM_LOOP_MIN = 6;

export interface SegmentSignals {
  avgLogprob: number | null;
  noSpeechProb: number | null;
  temperature: number | null;
  compression: number;
  ngramRepeat: number;
  ngrams: number;
  lowConfidence: boolean;
  noSpeech: boolean;
  loop: boolean;
}

const finite = (n: number | undefined): number | null => (typeof n === 'number' && Number.isFinite(n) ? n : null);

export function segmentSignals(s: EngineSegment, t: QualityThresholds): SegmentSignals {
  const avgLogprob = finite(s.avgLogprob);
  const noSpeechProb = finite(s.noSpeechProb);
  const compression = compressionRatio(s.text.trim());
  const grams = trigrams(normalizeText(s.text));
  const ngramRepeat = trigramRepeatShare(grams);
  const lowConfidence = avgLogprob !== null && avgLogprob < t.minAvgLogprob;
  return {
    avgLogprob,
    noSpeechProb,
    temperature: finite(s.temperature),
    compression,
    ngramRepeat,
    ngrams: grams.length,
    lowConfidence,
    noSpeech: noSpeechProb !== null && noSpeechProb > t.maxNoSpeechProb && lowConfidence,
    loop: compression > t.maxCompressionRatio || isNgramLoop(ngramRepeat, grams.length),
  };
}

export function isNgramLoop(share: number, count: number): boolean {
  return count >= NGRAM_LOOP_MIN && share >= NGRAM_LOOP_SHARE;
}

/**
 * How trustworthy one engine segment is, 0-1 (higher is better); it decides
 * whether a re-decoded candidate replaces the original. The product of:
 * confidence 1 + avg_logprob / (2 × |minAvgLogprob|) (1 at 0, 0.5 at the
 * threshold, 0 at twice it; 1 when unknown); a loop factor
 * (maxCompressionRatio / ratio)², and 0.5 for a 3-gram loop; a no-speech
 * factor falling to 0.5 as no_speech_prob goes from its threshold to 1; a
 * fallback factor 1 − 0.25 × temperature. An empty segment is worth 0.
 */
export function segmentScore(s: EngineSegment, t: QualityThresholds): number {
  return s.text.trim() ? scoreOfSignals(segmentSignals(s, t), t) : 0;
}

function scoreOfSignals(g: SegmentSignals, t: QualityThresholds): number {
  const scale = Math.max(0.1, Math.abs(t.minAvgLogprob));
  const confidence = g.avgLogprob === null ? 1 : clamp01(1 + g.avgLogprob / (2 * scale));
  let loop = g.compression > t.maxCompressionRatio ? (t.maxCompressionRatio / g.compression) ** 2 : 1;
  if (isNgramLoop(g.ngramRepeat, g.ngrams)) loop *= 0.5;
  const noSpeech = g.noSpeechProb !== null && g.noSpeechProb > t.maxNoSpeechProb ? 1 - (0.5 * (g.noSpeechProb - t.maxNoSpeechProb)) / Math.max(1e-6, 1 - t.maxNoSpeechProb) : 1;
  const fallback = 1 - 0.25 * Math.min(1, Math.max(0, g.temperature ?? 0));
  return Math.round(clamp01(confidence * loop * noSpeech * fallback) * 1000) / 1000;
}

/** Share of each interval's time that is outside speech (padded by SPEECH_PAD_SECONDS). */
export function silenceShares(items: ReadonlyArray<{ start: number; end: number }>, speech: Span[]): number[] {
  const covered = coveredSeconds(items, mergeIntervals(speech, SPEECH_PAD_SECONDS));
  return items.map((c, i) => {
    const d = c.end - c.start;
    return d > 0 ? clamp01((d - covered[i]) / d) : 0;
  });
}

/**
 * Engine segments worth decoding again, worst (lowest segmentScore) first:
 * low confidence, probably not speech, a loop, or text mostly over silence.
 */
export function redecodeCandidates(segments: EngineSegment[], speech: Span[] | null, t: QualityThresholds): Array<{ index: number; start: number; end: number; reasons: FlagReason[] }> {
  const silence = speech ? silenceShares(segments, speech) : null;
  const found: Array<{ index: number; start: number; end: number; reasons: FlagReason[]; score: number }> = [];
  segments.forEach((s, index) => {
    if (!s.text.trim()) return;
    const g = segmentSignals(s, t);
    const reasons: FlagReason[] = [];
    if (g.lowConfidence) reasons.push('low_confidence');
    if (g.noSpeech) reasons.push('no_speech');
    if (g.loop) reasons.push('loop');
    if (silence && silence[index] > t.maxSilenceShare) reasons.push('over_silence');
    if (reasons.length) found.push({ index, start: s.start, end: s.end, reasons, score: scoreOfSignals(g, t) });
  });
  found.sort((a, b) => a.score - b.score || a.start - b.start);
  return found.map(({ score: _score, ...c }) => c);
}
