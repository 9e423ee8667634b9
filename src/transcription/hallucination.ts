/**
 * Removes what Whisper writes when nobody speaks: stock phrases learnt from
 * YouTube captions ("Thanks for watching!", "Subtitles by ..."), the same
 * line repeated over and over, and segments the model itself marks as
 * probably non-speech.
 */
import type { Segment } from './types.js';

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

function norm(text: string): string {
  return text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

interface HallucinationOptions {
  /** drop stock non-speech phrases */
  phrases?: boolean;
  /** the same text this many times in a row is a loop: keep the first */
  maxRepeats?: number;
  /** drop segments whose no-speech probability is above this and log-probability is low */
  noSpeechThreshold?: number;
}

export function suppressHallucinations(segments: Segment[], opts: HallucinationOptions = {}): Segment[] {
  const phrases = opts.phrases !== false;
  const maxRepeats = opts.maxRepeats ?? 1;
  const noSpeech = opts.noSpeechThreshold ?? 0.6;
  const out: Segment[] = [];
  let last = '';
  let repeats = 0;
  for (const s of segments) {
    if (phrases && isNonSpeechPhrase(s.text)) continue;
    // Whisper's own rule: high no-speech probability plus low confidence means silence.
    if (s.noSpeechProb !== undefined && s.noSpeechProb > noSpeech && (s.avgLogprob ?? -Infinity) < -1) continue;
    const key = norm(s.text);
    if (key && key === last) {
      repeats++;
      if (repeats >= maxRepeats) {
        // Extend the kept line instead of stacking copies of it.
        const prev = out.at(-1);
        if (prev && s.start - prev.end < 1) prev.end = Math.max(prev.end, s.end);
        continue;
      }
    } else {
      repeats = 0;
    }
    last = key;
    out.push({ ...s });
  }
  return out;
}
