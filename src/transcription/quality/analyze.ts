/**
 * How good is this subtitle: the one place that reads the written cues, the
 * engine's segments, what the hallucination filter removed and the speech
 * spans, and writes the QualityReport (types.ts) with a score and the cues a
 * person should look at. Pure and fast: every list is walked in start order
 * together with the others (intervals.ts), never cues × spans.
 *
 * Score, 0-100 = 100 − the penalties below, clamped and rounded
 * (docs/QUALITY.md says the same with the reasons):
 *   confidence     40 × share of cue time inside low-confidence segments
 *                  (avg_logprob < minAvgLogprob; a no-speech segment is low
 *                  confidence by whisper's rule, so it is in there too)
 *   silence        20 × cue_over_silence                     (speech known)
 *   missed_speech   5 × (1 − speech_covered)                 (speech known);
 *                  100 when speech was detected and no cue was written
 *   loops          15 × min(1, max(excess repeated lines, 2 × share of
 *                  segments over the compression ratio, 2 × share of cues
 *                  looping inside, 2 × share of consecutive repeats)), where
 *                  excess repeated lines = (ratio − T/2) / (T/2) for
 *                  T = maxRepeatedLineRatio: films repeat "Yes." and "What?",
 *                  so half the limit is free and a clean subtitle loses 0
 *   stock_phrases  min(5, 2 per written hit + 0.5 per filtered one)
 *   readability    10 × share of cues breaking any readability limit
 *   coverage        5 when the last cue ends more than maxOverrunSeconds past
 *                  the media's end, or less than 90 % of the track was decoded
 * needs_review = score < reviewThreshold (0 never flags).
 */
import { isNonSpeechPhrase } from '../hallucination.js';
import type { Segment } from '../types.js';
import { coveredSeconds, forEachOverlap, mergeIntervals, orderByStart, totalLength } from './intervals.js';
import { Flags } from './flags.js';
import { clamp01, pct, round } from './numbers.js';
import { readabilityOf } from './readability.js';
import { isNgramLoop, segmentSignals, silenceShares, type SegmentSignals } from './segments.js';
import { normalizeText, trigramRepeatShare, trigrams } from './text.js';
import type { QualityInput, QualityReport, QualityThresholds } from './types.js';

export { redecodeCandidates, segmentScore } from './segments.js';

/** Less than this share of the track decoded means audio went missing. */
const MIN_AUDIO_RATIO = 0.9;
/** A cue ending this little past the media's end is container rounding, not a cue past the end. */
const PAST_END_SLACK_SECONDS = 1;
/** Two consecutive cues sharing more than this share of the later one's 3-grams repeat each other. */
const CONSECUTIVE_SHARE = 0.5;
/** Less detected speech than this with no cue written is not "missed speech" (a cough, a door). */
const MIN_MISSED_SPEECH_SECONDS = 1;

const NO_REDECODE: QualityReport['redecode'] = { enabled: false, attempts: [], seconds: 0, budget_seconds: 0 };

export function analyzeQuality(input: QualityInput, t: QualityThresholds, redecode: QualityReport['redecode'] = NO_REDECODE): QualityReport {
  const cues = input.cues;
  const order = orderByStart(cues);
  const flags = new Flags(cues.length);
  const durations = cues.map((c) => Math.max(0, c.end - c.start));
  const cueSeconds = durations.reduce((a, b) => a + b, 0);

  const segments = input.segments;
  const signals = segments.map((s) => segmentSignals(s, t));
  const confidence = confidenceOf(input, signals, t);
  inheritSegmentFlags(cues, durations, segments, signals, t, flags);
  const lowSeconds = coveredSeconds(cues, mergeIntervals(segments.filter((_, i) => signals[i].lowConfidence))).reduce((a, b) => a + b, 0);
  const lowShare = cueSeconds > 0 ? clamp01(lowSeconds / cueSeconds) : 0;

  const speech = speechOf(input, durations, cueSeconds, t, flags);
  const repeats = repeatsOf(cues, order, signals, t, flags);
  const stock = stockPhrasesOf(input, flags);
  const readability = readabilityOf(cues, order, durations, t, flags);
  const coverage = coverageOf(input, flags);

  const nonEmpty = signals.filter((_, i) => segments[i].text.trim()).length;
  const loopShare = Math.max(
    t.maxRepeatedLineRatio > 0 ? (repeats.report.repeated_line_ratio - t.maxRepeatedLineRatio / 2) / (t.maxRepeatedLineRatio / 2) : 0,
    nonEmpty ? (2 * repeats.report.high_compression_segments) / nonEmpty : 0,
    cues.length ? (2 * repeats.loopCues) / cues.length : 0,
    cues.length > 1 ? (2 * repeats.report.consecutive_repeats) / (cues.length - 1) : 0,
  );
  const missed =
    speech.speech_seconds === null ? 0 : cues.length === 0 ? (speech.speech_seconds >= MIN_MISSED_SPEECH_SECONDS ? 100 : 0) : 5 * (1 - (speech.speech_covered ?? 1));
  const penalties: Record<string, number> = {
    confidence: 40 * lowShare,
    silence: 20 * (speech.cue_over_silence ?? 0),
    missed_speech: missed,
    loops: 15 * clamp01(loopShare),
    stock_phrases: Math.min(5, 2 * stock.hits + 0.5 * stock.filtered),
    readability: cues.length ? (10 * readability.breaking) / cues.length : 0,
    coverage: (coverage.overrun_seconds > t.maxOverrunSeconds || (coverage.audio_ratio !== null && coverage.audio_ratio < MIN_AUDIO_RATIO)) ? 5 : 0,
  };
  let lost = 0;
  for (const k of Object.keys(penalties)) {
    lost += penalties[k];
    penalties[k] = round(penalties[k], 2);
  }
  const score = Math.round(Math.min(100, Math.max(0, 100 - lost)));

  return {
    version: 1,
    score,
    needs_review: t.reviewThreshold > 0 && score < t.reviewThreshold,
    threshold: t.reviewThreshold,
    cues: cues.length,
    penalties,
    speech,
    repeats: repeats.report,
    confidence,
    stock_phrases: stock,
    readability: readability.report,
    coverage,
    flagged: flags.list(cues, input),
    redecode,
  };
}

function confidenceOf(input: QualityInput, signals: SegmentSignals[], t: QualityThresholds): QualityReport['confidence'] {
  let sum = 0;
  let counted = 0;
  let maxNoSpeech: number | null = null;
  let maxTemperature: number | null = null;
  let low = 0;
  let highNoSpeech = 0;
  let fallback = 0;
  const rows: QualityReport['confidence']['segments'] = [];
  input.segments.forEach((s, i) => {
    const g = signals[i];
    if (g.avgLogprob !== null) {
      sum += g.avgLogprob;
      counted++;
    }
    if (g.lowConfidence) low++;
    if (g.noSpeechProb !== null) {
      maxNoSpeech = Math.max(maxNoSpeech ?? 0, g.noSpeechProb);
      if (g.noSpeechProb > t.maxNoSpeechProb) highNoSpeech++;
    }
    if (g.temperature !== null) {
      maxTemperature = Math.max(maxTemperature ?? 0, g.temperature);
      if (g.temperature > 0) fallback++;
    }
    rows.push({ start: s.start, end: s.end, avg_logprob: g.avgLogprob, no_speech_prob: g.noSpeechProb, temperature: g.temperature, compression_ratio: round(g.compression, 3) });
  });
  return {
    mean_avg_logprob: counted ? round(sum / counted, 3) : null,
    low_confidence_segments: low,
    max_no_speech_prob: maxNoSpeech,
    high_no_speech_segments: highNoSpeech,
    fallback_segments: fallback,
    max_temperature: maxTemperature,
    segments: rows,
  };
}

/**
 * A cue inherits low_confidence / no_speech / loop from the engine segments
 * under it: those overlapping at least half of the shorter of the two (an edge
 * that merely touches the next segment passes nothing on).
 */
function inheritSegmentFlags(cues: Segment[], durations: number[], segments: QualityInput['segments'], signals: SegmentSignals[], t: QualityThresholds, flags: Flags): void {
  const worst = new Map<number, { logprob?: number; noSpeech?: [number, number]; loop?: SegmentSignals }>();
  forEachOverlap(cues, segments, (q, i, overlap) => {
    const g = signals[i];
    if (!g.lowConfidence && !g.noSpeech && !g.loop) return;
    const shorter = Math.min(durations[q], Math.max(0, segments[i].end - segments[i].start));
    if (overlap < shorter / 2) return;
    const w = worst.get(q) ?? {};
    if (g.lowConfidence && (w.logprob === undefined || g.avgLogprob! < w.logprob)) w.logprob = g.avgLogprob!;
    if (g.noSpeech && (w.noSpeech === undefined || g.noSpeechProb! > w.noSpeech[0])) w.noSpeech = [g.noSpeechProb!, g.avgLogprob!];
    if (g.loop && (w.loop === undefined || g.compression > w.loop.compression)) w.loop = g;
    worst.set(q, w);
  });
  for (const [q, w] of [...worst].sort((a, b) => a[0] - b[0])) {
    if (w.logprob !== undefined) flags.add(q, 'low_confidence', `confidence ${w.logprob.toFixed(2)} is under ${t.minAvgLogprob.toFixed(2)}`);
    if (w.noSpeech) flags.add(q, 'no_speech', `no-speech probability ${w.noSpeech[0].toFixed(2)} is over ${t.maxNoSpeechProb.toFixed(2)} with confidence ${w.noSpeech[1].toFixed(2)}: probably nobody speaks here`);
    if (w.loop) flags.add(q, 'loop', loopSentence(w.loop, t));
  }
}

function loopSentence(g: SegmentSignals, t: QualityThresholds): string {
  return g.compression > t.maxCompressionRatio
    ? `the text under it compresses ${g.compression.toFixed(1)} times, over ${t.maxCompressionRatio}: it repeats itself`
    : `${pct(g.ngramRepeat)} % of the word groups under it repeat: it loops`;
}

function speechOf(input: QualityInput, durations: number[], cueSeconds: number, t: QualityThresholds, flags: Flags): QualityReport['speech'] {
  if (!input.speech) return { available: false, speech_seconds: null, speech_covered: null, cue_over_silence: null };
  const speech = mergeIntervals(input.speech);
  const speechSeconds = totalLength(speech);
  const underCue = coveredSeconds(speech, mergeIntervals(input.cues)).reduce((a, b) => a + b, 0);
  const shares = silenceShares(input.cues, input.speech);
  let silent = 0;
  shares.forEach((share, i) => {
    silent += share * durations[i];
    if (share > t.maxSilenceShare) flags.add(i, 'over_silence', `${pct(share)} % of this cue is over silence`);
  });
  return {
    available: true,
    speech_seconds: round(speechSeconds, 3),
    speech_covered: speechSeconds > 0 ? round(clamp01(underCue / speechSeconds), 4) : 1,
    cue_over_silence: cueSeconds > 0 ? round(clamp01(silent / cueSeconds), 4) : 0,
  };
}

function repeatsOf(cues: Segment[], order: number[], signals: SegmentSignals[], t: QualityThresholds, flags: Flags): { report: QualityReport['repeats']; loopCues: number } {
  const seen = new Set<string>();
  let repeated = 0;
  let maxShare = 0;
  let consecutive = 0;
  let loopCues = 0;
  let prev: { norm: string; grams: Set<string> } | null = null;
  for (const i of order) {
    const norm = normalizeText(cues[i].text);
    const grams = trigrams(norm);
    const share = trigramRepeatShare(grams);
    maxShare = Math.max(maxShare, share);
    if (isNgramLoop(share, grams.length)) {
      loopCues++;
      flags.add(i, 'loop', `${pct(share)} % of its word groups repeat: it loops`);
    }
    if (norm) {
      if (seen.has(norm)) repeated++;
      else seen.add(norm);
    }
    const set = new Set(grams);
    if (prev && norm && (norm === prev.norm || (set.size >= 3 && prev.grams.size >= 3 && sharedShare(set, prev.grams) > CONSECUTIVE_SHARE))) {
      consecutive++;
      flags.add(i, 'repeat', 'repeats the cue before it');
    }
    prev = { norm, grams: set };
  }
  let maxRatio = 0;
  let high = 0;
  for (const g of signals) {
    maxRatio = Math.max(maxRatio, g.compression);
    if (g.compression > t.maxCompressionRatio) high++;
  }
  return {
    report: {
      repeated_line_ratio: cues.length ? round(repeated / cues.length, 4) : 0,
      max_ngram_repeat_in_cue: round(maxShare, 4),
      consecutive_repeats: consecutive,
      max_compression_ratio: round(maxRatio, 3),
      high_compression_segments: high,
    },
    loopCues,
  };
}

function sharedShare(a: Set<string>, b: Set<string>): number {
  let shared = 0;
  for (const g of a) if (b.has(g)) shared++;
  return shared / a.size;
}

/** A written cue that is, or has a sentence that is, one of the filter's stock phrases. */
function isStockPhrase(text: string): boolean {
  const flat = text.replace(/\s+/g, ' ').trim();
  if (!flat) return false;
  if (isNonSpeechPhrase(flat)) return true;
  const parts = flat.split(/(?<=[.!?])\s+|(?<=[。！？])/).filter((p) => /\p{L}/u.test(p));
  return parts.length > 1 && parts.some((p) => isNonSpeechPhrase(p));
}

function stockPhrasesOf(input: QualityInput, flags: Flags): QualityReport['stock_phrases'] {
  const texts: string[] = [];
  let hits = 0;
  input.cues.forEach((c, i) => {
    if (!isStockPhrase(c.text)) return;
    hits++;
    texts.push(c.text.replace(/\s+/g, ' ').trim());
    flags.add(i, 'stock_phrase', 'a stock phrase Whisper writes where nobody speaks');
  });
  let filtered = 0;
  for (const s of input.suppressed) {
    if (s.reason !== 'stock_phrase' || !s.text.trim()) continue;
    filtered++;
    texts.push(s.text.trim());
  }
  return { hits, filtered, texts };
}

function coverageOf(input: QualityInput, flags: Flags): QualityReport['coverage'] {
  let last: number | null = null;
  for (const c of input.cues) last = last === null ? c.end : Math.max(last, c.end);
  const media = input.mediaSeconds !== null && input.mediaSeconds > 0 ? input.mediaSeconds : null;
  if (media !== null) {
    input.cues.forEach((c, i) => {
      if (c.end > media + PAST_END_SLACK_SECONDS) flags.add(i, 'past_end', `ends ${(c.end - media).toFixed(1)} s after the media's end, at ${media.toFixed(1)} s`);
    });
  }
  const track = input.trackSeconds !== null && input.trackSeconds > 0 ? input.trackSeconds : null;
  return {
    audio_seconds: round(input.audioSeconds, 3),
    track_seconds: track,
    audio_ratio: track !== null ? round(input.audioSeconds / track, 4) : null,
    last_cue_end: last,
    media_seconds: media,
    overrun_seconds: media !== null && last !== null ? round(Math.max(0, last - media), 3) : 0,
  };
}
