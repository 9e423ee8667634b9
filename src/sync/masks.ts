/**
 * Speech and cue masks: time cut into bins of 10 ms (100 a second), 1 where a
 * span covers the bin. Every comparison the aligner makes is a count of bins.
 */
import type { TimeSpan } from './types.js';

export const BINS_PER_SECOND = 100;

export const toBin = (seconds: number): number => Math.round(seconds * BINS_PER_SECOND);
export const toSeconds = (bins: number): number => bins / BINS_PER_SECOND;

/** Spans with finite times, start < end, and negative times cut at 0. */
export function cleanSpans(spans: readonly TimeSpan[]): TimeSpan[] {
  const out: TimeSpan[] = [];
  for (const s of spans) {
    if (!Number.isFinite(s.start) || !Number.isFinite(s.end)) continue;
    const start = Math.max(0, s.start);
    if (s.end > start) out.push({ start, end: s.end });
  }
  return out;
}

/** The bin just past the last span's end (the mask length the spans need). */
export function extentBins(spans: readonly TimeSpan[], ratio = 1): number {
  let end = 0;
  for (const s of spans) end = Math.max(end, toBin(s.end * ratio));
  return end;
}

/**
 * A 0/1 mask of `length` bins with the spans scaled by `ratio` set; bins past
 * `length` are dropped. Overlapping spans set a bin once.
 */
export function buildMask(spans: readonly TimeSpan[], length: number, ratio = 1): Uint8Array {
  const mask = new Uint8Array(length);
  for (const s of spans) {
    const a = Math.max(0, toBin(s.start * ratio));
    const b = Math.min(length, toBin(s.end * ratio));
    if (b > a) mask.fill(1, a, b);
  }
  return mask;
}

export function countOnes(mask: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < mask.length; i++) n += mask[i];
  return n;
}

/**
 * Prefix sums of `mask` with `pad` zero bins on both sides: the number of set
 * bins in [a, b) of the original mask is `p[b + pad] - p[a + pad]` for any
 * a, b in [-pad, mask.length + pad].
 */
export function paddedPrefix(mask: Uint8Array, pad: number): Int32Array {
  const p = new Int32Array(mask.length + 2 * pad + 1);
  let acc = 0;
  for (let i = 0; i < p.length - 1; i++) {
    const j = i - pad;
    if (j >= 0 && j < mask.length) acc += mask[j];
    p[i + 1] = acc;
  }
  return p;
}

/** Bins of `spans` (scaled by ratio, moved by offsetBins) over set bins of the reference, counted once per bin. */
export interface Overlap {
  /** Cue bins (union) over reference speech. */
  matched: number;
  /** All cue bins (union), inside or outside the reference's extent. */
  total: number;
}

/**
 * How a set of cues lies over the reference: the union of the cues (each bin
 * once) against the reference mask, cue bins outside the mask counting as
 * over silence.
 */
export function overlap(cues: readonly TimeSpan[], reference: Uint8Array): Overlap {
  const sorted = cues
    .map((c) => [toBin(c.start), toBin(c.end)] as const)
    .filter(([a, b]) => b > a)
    .sort((x, y) => x[0] - y[0]);
  let matched = 0;
  let total = 0;
  let cursor = -Infinity;
  for (const [a0, b] of sorted) {
    const a = Math.max(a0, cursor);
    if (b <= a) continue;
    total += b - a;
    const from = Math.max(0, a);
    const to = Math.min(reference.length, b);
    for (let i = from; i < to; i++) matched += reference[i];
    cursor = b;
  }
  return { matched, total };
}

/** Share of cue time over speech (0..1); 0 for no cue time. */
export const shareOf = (o: Overlap): number => (o.total > 0 ? o.matched / o.total : 0);
