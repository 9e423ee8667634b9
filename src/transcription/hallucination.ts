/**
 * Removes what Whisper writes when nobody speaks: stock phrases learnt from
 * YouTube captions ("Thanks for watching!", "Subtitles by ..."), the same
 * line repeated over and over, and segments the model itself marks as
 * probably non-speech.
 */
import type { Segment } from './types.js';
import type { SuppressedSegment } from './quality/types.js';
import { normalizeText } from './quality/text.js';

const NON_SPEECH: RegExp[] = [
  /^(thanks?|thank you) (so much )?for watching[.!]*$/i,
  /^(please )?(like and )?subscribe( to (my|our|the) channel)?[.!]*$/i,
  /^subtitles? (by|made by|created by)\b.*$/i,
  /^(subtitled|captioned|transcribed|translated) by\b.*$/i,
  /^captions? by\b.*$/i,
  /^amara\.org\b.*$/i,
  /\bamara\.org community\b/i,
  /^untertitel (im auftrag des zdf|der amara\.org-community|von)\b.*$/i,
  /^sous-titr(es|age) (réalisés? )?(par|fait par)\b.*$/i,
  /^subtítulos (realizados )?por\b.*$/i,
  /^ご視聴ありがとうございました。?$/,
  /^(\[|\()?(music|applause|laughter|silence|blank_audio|no speech|inaudible)(\]|\))?$/i,
  /^[♪♫\s.…-]*$/,
];

export function isNonSpeechPhrase(text: string): boolean {
  const t = text.replace(/\s+/g, ' ').trim();
  return !t || NON_SPEECH.some((re) => re.test(t));
}

export interface HallucinationOptions {
  /** drop stock non-speech phrases */
  phrases?: boolean;
  /** the same text this many times in a row is a loop: keep the first */
  maxRepeats?: number;
  /** drop segments whose no-speech probability is above this and log-probability is low */
  noSpeechThreshold?: number;
}

/**
 * The filter, saying what it removed and why, so the quality report can
 * count it (a stock phrase removed is a sign the model wrote over silence).
 * `kept` are copies; the input is not changed.
 */
export function filterHallucinations(segments: Segment[], opts: HallucinationOptions = {}): { kept: Segment[]; suppressed: SuppressedSegment[] } {
  const phrases = opts.phrases !== false;
  const maxRepeats = opts.maxRepeats ?? 1;
  const noSpeech = opts.noSpeechThreshold ?? 0.6;
  const kept: Segment[] = [];
  const suppressed: SuppressedSegment[] = [];
  const drop = (s: Segment, reason: SuppressedSegment['reason']) => suppressed.push({ start: s.start, end: s.end, text: s.text.trim(), reason });
  let last = '';
  let repeats = 0;
  for (const s of segments) {
    if (phrases && isNonSpeechPhrase(s.text)) {
      // An empty segment is nothing the model made up: removed, but not counted as a stock phrase.
      if (s.text.trim()) drop(s, 'stock_phrase');
      continue;
    }
    // Whisper's own rule: high no-speech probability plus low confidence means silence.
    if (s.noSpeechProb !== undefined && s.noSpeechProb > noSpeech && (s.avgLogprob ?? -Infinity) < -1) {
      drop(s, 'no_speech');
      continue;
    }
    const key = normalizeText(s.text);
    if (key && key === last) {
      repeats++;
      if (repeats >= maxRepeats) {
        // Extend the kept line instead of stacking copies of it.
        const prev = kept.at(-1);
        if (prev && s.start - prev.end < 1) prev.end = Math.max(prev.end, s.end);
        drop(s, 'repeat');
        continue;
      }
    } else {
      repeats = 0;
    }
    last = key;
    kept.push({ ...s });
  }
  return { kept, suppressed };
}

/** The segments the filter keeps (filterHallucinations without the account of what it removed). */
export function suppressHallucinations(segments: Segment[], opts: HallucinationOptions = {}): Segment[] {
  return filterHallucinations(segments, opts).kept;
}
