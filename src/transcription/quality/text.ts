/**
 * Text measures shared by the quality analysis and the retiming: what a
 * reader counts (characters, lines), what a loop looks like (repeated
 * 3-grams, text that compresses too well) and the normal form two lines are
 * compared in.
 */
import { deflateSync } from 'node:zlib';

/** Characters a reader reads in a cue: line breaks are layout, not characters. */
export function cueChars(text: string): number {
  let n = 0;
  for (const line of text.split('\n')) n += [...line.trim()].length;
  return n;
}

/** The cue's lines, trimmed, empty ones left out. */
export function cueLines(text: string): string[] {
  return text.split('\n').map((l) => l.trim()).filter(Boolean);
}

/** Case, punctuation and spacing removed: "Go away!" and "go away" are the same line. */
export function normalizeText(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

/**
 * Word 3-grams of a normalised text; a text without spaces (Japanese,
 * Chinese) has no words to count, so its characters are the units.
 */
export function trigrams(norm: string): string[] {
  if (!norm) return [];
  const units = norm.includes(' ') ? norm.split(' ') : [...norm];
  const out: string[] = [];
  for (let i = 0; i + 3 <= units.length; i++) out.push(`${units[i]}\u0001${units[i + 1]}\u0001${units[i + 2]}`);
  return out;
}

/** Share of a text's 3-grams that repeat an earlier 3-gram of the same text (0 for fewer than 2). */
export function trigramRepeatShare(grams: string[]): number {
  if (grams.length < 2) return 0;
  return (grams.length - new Set(grams).size) / grams.length;
}

/**
 * Bytes of text over bytes of its zlib compression, exactly whisper's
 * `compression_ratio` (Python's `zlib.compress`, which is deflate with the
 * zlib header): over 2.4 the text repeats itself. gzip's 12 further bytes
 * of header would lower the ratio of short segments under what 2.4 was
 * tuned on, so deflate it is.
 */
export function compressionRatio(text: string): number {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length === 0) return 0;
  return bytes.length / deflateSync(bytes).length;
}
