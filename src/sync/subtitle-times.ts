/**
 * The times of a text subtitle (SRT, WebVTT, ASS/SSA), found where they are
 * written, so a sync rewrites the timestamps and nothing else: styling,
 * positions, comments, line endings, the byte-order mark and the text's
 * encoding stay byte for byte. The text is handled as latin1 (one char per
 * byte), which round-trips any 8-bit encoding, UTF-8 included; timestamps
 * are ASCII, so a multi-byte character can never be mistaken for one.
 */
import { AppError } from '../errors.js';
import type { TimeSpan } from './types.js';

export const SYNC_FORMATS = ['srt', 'vtt', 'ass', 'ssa'] as const;
export type SyncFormat = (typeof SYNC_FORMATS)[number];
export const isSyncFormat = (f: string): f is SyncFormat => (SYNC_FORMATS as readonly string[]).includes(f);

/** Where one timestamp sits in the text, and its style. */
interface Stamp {
  at: number;
  length: number;
  style: 'srt' | 'srt-dot' | 'vtt' | 'vtt-short' | 'ass';
}

export interface TimedSubtitle {
  format: SyncFormat;
  /** the file's bytes as latin1 text */
  text: string;
  /** every cue's times in file order (ASS events may be unsorted) */
  cues: TimeSpan[];
  stamps: Array<{ start: Stamp; end: Stamp }>;
}

// SRT: 00:01:02,345 (some writers use a dot); WebVTT: 00:01:02.345 or 01:02.345; ASS: 0:01:02.34.
const SRT_LINE = /^[ \t]*(\d{1,3}:\d{2}:\d{2}[,.]\d{1,3})[ \t]*-->[ \t]*(\d{1,3}:\d{2}:\d{2}[,.]\d{1,3})/gm;
const VTT_LINE = /^[ \t]*((?:\d{1,3}:)?\d{2}:\d{2}\.\d{3})[ \t]+-->[ \t]+((?:\d{1,3}:)?\d{2}:\d{2}\.\d{3})/gm;
const ASS_LINE = /^Dialogue:[ \t]*[^,\r\n]*,[ \t]*(\d{1,2}:\d{2}:\d{2}\.\d{1,3})[ \t]*,[ \t]*(\d{1,2}:\d{2}:\d{2}\.\d{1,3})/gim;

/** Reads the cues' times; a UTF-16 file or one without a single cue is a 415 / 422 the caller shows. */
export function parseTimed(bytes: Buffer, format: SyncFormat, name = 'the subtitle'): TimedSubtitle {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw new AppError(415, 'unsupported_encoding', `${name} is UTF-16: save it as UTF-8 in a subtitle editor, then sync it`);
  }
  const text = bytes.toString('latin1');
  const re = format === 'srt' ? SRT_LINE : format === 'vtt' ? VTT_LINE : ASS_LINE;
  const cues: TimeSpan[] = [];
  const stamps: TimedSubtitle['stamps'] = [];
  for (const m of text.matchAll(re)) {
    const startAt = (m.index ?? 0) + m[0].indexOf(m[1]);
    const endAt = (m.index ?? 0) + m[0].lastIndexOf(m[2]);
    const start = parseStamp(m[1]);
    const end = parseStamp(m[2]);
    cues.push({ start, end: Math.max(start, end) });
    stamps.push({ start: { at: startAt, length: m[1].length, style: styleOf(m[1], format) }, end: { at: endAt, length: m[2].length, style: styleOf(m[2], format) } });
  }
  if (!cues.length) throw new AppError(422, 'no_cues', `${name} has no ${format.toUpperCase()} cue with a readable time: there is nothing to sync`);
  return { format, text, cues, stamps };
}

/** The subtitle with each cue's times replaced by `times` (same order); every other byte unchanged. */
export function retimeText(sub: TimedSubtitle, times: TimeSpan[]): Buffer {
  if (times.length !== sub.cues.length) throw new Error(`retimeText: ${times.length} times for ${sub.cues.length} cues`);
  const edits = sub.stamps.flatMap((s, i) => [
    { at: s.start.at, length: s.start.length, value: formatStamp(times[i].start, s.start.style) },
    { at: s.end.at, length: s.end.length, value: formatStamp(Math.max(times[i].start, times[i].end), s.end.style) },
  ]);
  let out = '';
  let from = 0;
  for (const e of edits) {
    out += sub.text.slice(from, e.at) + e.value;
    from = e.at + e.length;
  }
  return Buffer.from(out + sub.text.slice(from), 'latin1');
}

function styleOf(stamp: string, format: SyncFormat): Stamp['style'] {
  if (format === 'ass' || format === 'ssa') return 'ass';
  if (format === 'vtt') return stamp.split(':').length === 2 ? 'vtt-short' : 'vtt';
  return stamp.includes(',') ? 'srt' : 'srt-dot';
}

/** Seconds of `h:mm:ss.fff`, `mm:ss.fff` or `h:mm:ss,fff`; fractions of any length read as decimals. */
export function parseStamp(s: string): number {
  const [clock, frac = '0'] = s.split(/[,.]/);
  const parts = clock.split(':').map(Number);
  const whole = parts.reduce((acc, p) => acc * 60 + p, 0);
  return whole + Number(`0.${frac}`);
}

/** A time in the stamp's own style; negative times (a cue moved before the start) become 0. */
export function formatStamp(seconds: number, style: Stamp['style']): string {
  const centis = style === 'ass';
  const unit = centis ? 100 : 1000;
  const total = Math.round(Math.max(0, seconds) * unit);
  const frac = total % unit;
  const secs = Math.floor(total / unit);
  const h = Math.floor(secs / 3600);
  const m = Math.floor((secs % 3600) / 60);
  const sec = secs % 60;
  const two = (n: number) => String(n).padStart(2, '0');
  const fracText = String(frac).padStart(centis ? 2 : 3, '0');
  if (centis) return `${h}:${two(m)}:${two(sec)}.${fracText}`;
  if (style === 'vtt-short' && h === 0) return `${two(m)}:${two(sec)}.${fracText}`;
  return `${two(h)}:${two(m)}:${two(sec)}${style === 'srt' ? ',' : '.'}${fracText}`;
}
