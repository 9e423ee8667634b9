/**
 * A second try at the segments the analysis distrusts (low confidence, a
 * loop, text over silence, probably not speech), each decoded once more
 * alone: its span with a second of context either side, no previous text as
 * a prompt, temperature fallback on, at least the `best` preset's beam and
 * best-of, on the job's engine or the one quality_retry_model names. The
 * candidate replaces the segment only when its segment score is higher.
 *
 * It can never loop: one try per segment, worst first, and a budget of
 * engine time (quality_retry_budget × the first pass's engine seconds). An
 * attempt whose expected cost no longer fits is recorded as skipped, once.
 */
import type { TranscriptionEngine } from '../engine.types.js';
import type { Span } from '../vad.js';
import type { DecodeOptions } from '../types.js';
import { openPcmWav, readPcm, wavHeader } from '../wav.js';
import { redecodeCandidates, segmentScore } from './analyze.js';
import { round } from './numbers.js';
import type { EngineSegment, QualityReport, QualityThresholds, RedecodeAttempt } from './types.js';

/** Seconds of audio decoded either side of a segment, so its first and last words are not cut. */
const CONTEXT_SECONDS = 1;

export interface RedecodeOptions {
  /** the first pass's decoding (language, task, VAD); made safer here */
  decode: DecodeOptions;
  thresholds: QualityThresholds;
  /** engine seconds the retries may spend */
  budgetSeconds: number;
  /** the first pass's engine seconds per second of audio: what an attempt is expected to cost */
  costPerAudioSecond: number;
  /** media time of the WAV's start (segments are in media times) */
  offset: number;
  signal?: AbortSignal;
}

type Redecode = QualityReport['redecode'];

/** The segments after their second tries, and what was tried (for the report and the job's timeline). */
export async function redecodeFlagged(
  wavPath: string,
  segments: EngineSegment[],
  speech: Span[] | null,
  engine: TranscriptionEngine,
  o: RedecodeOptions,
): Promise<{ segments: EngineSegment[]; redecode: Redecode }> {
  const redecode: Redecode = { enabled: true, attempts: [], seconds: 0, budget_seconds: round(o.budgetSeconds, 3) };
  const candidates = redecodeCandidates(segments, speech, o.thresholds);
  if (!candidates.length) return { segments, redecode };
  const file = await openPcmWav(wavPath);
  const replacements = new Map<number, EngineSegment[]>();
  let spent = 0;
  for (const c of candidates) {
    if (o.signal?.aborted) throw Object.assign(new Error('transcription cancelled'), { name: 'AbortError' });
    const from = Math.max(0, c.start - o.offset - CONTEXT_SECONDS);
    const to = Math.min(file.duration, c.end - o.offset + CONTEXT_SECONDS);
    const before = segmentScore(segments[c.index], o.thresholds);
    // A second try costs about what the first did, twice that when it widens a greedy first pass's beam.
    const expected = (to - from) * o.costPerAudioSecond * ((o.decode.beamSize ?? 1) >= 5 ? 1 : 2);
    if (spent + expected > o.budgetSeconds) {
      redecode.attempts.push(attempt(c, before, null, 'skipped_budget', 0, engine.label));
      break;
    }
    const began = performance.now();
    let outcome: RedecodeAttempt['outcome'] = 'kept';
    let after: number | null = null;
    try {
      const pcm = await readPcm(file, from, to, undefined, 44);
      wavHeader(pcm.length - 44).copy(pcm, 0);
      const r = await engine.transcribeWav(pcm, saferDecoding(o.decode), { signal: o.signal });
      const shift = from + o.offset;
      const inside = r.segments
        .map((s) => ({ ...s, start: s.start + shift, end: s.end + shift, words: s.words?.map((w) => ({ ...w, start: w.start + shift, end: w.end + shift })) }) as EngineSegment)
        .filter((s) => (s.start + s.end) / 2 >= c.start && (s.start + s.end) / 2 <= c.end)
        .map((s) => clampTo(s, c.start, c.end));
      after = inside.length ? weightedScore(inside, o.thresholds) : null;
      if (after !== null && after > before) {
        replacements.set(c.index, inside);
        outcome = 'replaced';
      }
    } catch (err) {
      if ((err as Error).name === 'AbortError' || o.signal?.aborted) throw err;
      outcome = 'failed';
    }
    const seconds = (performance.now() - began) / 1000;
    spent += seconds;
    redecode.attempts.push(attempt(c, before, after, outcome, seconds, engine.label));
  }
  redecode.seconds = round(spent, 3);
  if (!replacements.size) return { segments, redecode };
  return { segments: segments.flatMap((s, i) => replacements.get(i) ?? [s]), redecode };
}

/** No previous text, temperature fallback on, at least the `best` preset's beam and best-of. */
function saferDecoding(d: DecodeOptions): DecodeOptions {
  return { ...d, initialPrompt: undefined, temperature: 0, temperatureFallback: true, beamSize: Math.max(5, d.beamSize ?? 5), bestOf: Math.max(5, d.bestOf ?? 5) };
}

function clampTo(s: EngineSegment, start: number, end: number): EngineSegment {
  const a = Math.min(end, Math.max(start, s.start));
  const b = Math.min(end, Math.max(a, s.end));
  return { ...s, start: a, end: b, words: s.words?.map((w) => ({ ...w, start: Math.min(b, Math.max(a, w.start)), end: Math.min(b, Math.max(a, w.end)) })) };
}

/** The candidate's score: its segments' scores weighted by their durations. */
function weightedScore(segments: EngineSegment[], t: QualityThresholds): number {
  let sum = 0;
  let weight = 0;
  for (const s of segments) {
    const w = Math.max(0.01, s.end - s.start);
    sum += segmentScore(s, t) * w;
    weight += w;
  }
  return sum / weight;
}

function attempt(c: { start: number; end: number; reasons: RedecodeAttempt['reasons'] }, before: number, after: number | null, outcome: RedecodeAttempt['outcome'], seconds: number, model: string): RedecodeAttempt {
  return { start: round(c.start, 3), end: round(c.end, 3), reasons: c.reasons, before: round(before, 3), after: after === null ? null : round(after, 3), outcome, seconds: round(seconds, 3), model };
}

