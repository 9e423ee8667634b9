/**
 * Turns Whisper segments into readable cues: at most N characters per line
 * and M lines per cue, durations within [min, max], reading speed capped
 * where the gap to the next cue allows, no overlaps, and breaks preferred at
 * sentence ends, clause marks and pauses (from word timestamps).
 */
import { DEFAULT_LINE_BREAK, type LineBreakOptions, type Segment, type Word } from './types.js';

const SENTENCE_END = /[.!?…。！？]["')\]»”]*$/;
const CLAUSE_END = /[,;:、，；：—–-]["')\]»”]*$/;
const CJK = /[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]/;
const PAUSE = 0.6;

/** Characters a cue shows (ignoring surrounding spaces). */
function visible(text: string): number {
  return [...text.trim()].length;
}

/** Words of a segment: its word timestamps, or words timed by share of characters. */
export function segmentWords(seg: Segment): Word[] {
  if (seg.words && seg.words.length) return seg.words.filter((w) => w.text.trim());
  const text = seg.text.trim();
  // CJK text has no spaces: each character is a unit; others split at spaces.
  const units = CJK.test(text) && !/\s/.test(text) ? [...text] : text.split(/(?<=\s)(?=\S)/).map((t, i) => (i ? ` ${t.trim()}` : t.trim()));
  const total = units.reduce((n, u) => n + Math.max(1, visible(u)), 0);
  const span = Math.max(0, seg.end - seg.start);
  let t = seg.start;
  return units.map((u) => {
    const d = (span * Math.max(1, visible(u))) / total;
    const w = { text: u, start: t, end: t + d };
    t += d;
    return w;
  });
}

function joinWords(words: Word[]): string {
  let out = '';
  for (const w of words) {
    const t = w.text;
    // Whisper words carry their leading space; CJK units and bare tokens do not.
    if (out && !/^\s/.test(t) && !CJK.test(t[0] ?? '') && !CJK.test(out.at(-1) ?? '') && !/^[.,!?;:%)\]}'’]/.test(t)) out += ' ';
    out += t;
  }
  return out.replace(/\s+/g, ' ').trim();
}

/** Splits a cue's text into at most `maxLines` lines of `maxLineChars`, balanced, at the best break. */
export function breakLines(text: string, maxLineChars: number, maxLines: number): string[] {
  const clean = text.replace(/\s+/g, ' ').trim();
  if (visible(clean) <= maxLineChars || maxLines <= 1) return [clean];
  const spaced = clean.includes(' ');
  const chars = [...clean];
  const candidates: number[] = [];
  if (spaced) chars.forEach((c, i) => c === ' ' && candidates.push(i));
  else for (let i = 1; i < chars.length; i++) candidates.push(i);
  const target = chars.length / Math.min(maxLines, Math.ceil(chars.length / maxLineChars));
  let best = -1;
  let bestScore = Infinity;
  for (const i of candidates) {
    const left = chars.slice(0, i).join('').trim();
    if (visible(left) > maxLineChars) continue;
    let score = Math.abs(visible(left) - target);
    if (SENTENCE_END.test(left)) score -= 15;
    else if (CLAUSE_END.test(left)) score -= 10;
    // The rest must still fit in the lines that remain.
    if (visible(chars.slice(i).join('')) > maxLineChars * (maxLines - 1)) score += 1000;
    if (score < bestScore) {
      bestScore = score;
      best = i;
    }
  }
  if (best < 0) best = spaced ? (candidates[0] ?? maxLineChars) : maxLineChars;
  const first = chars.slice(0, best).join('').trim();
  const rest = chars.slice(best).join('').trim();
  return [first, ...breakLines(rest, maxLineChars, maxLines - 1)];
}

/** Whether a text breaks into at most maxLines lines of at most maxLineChars each. */
function fitsLines(text: string, o: LineBreakOptions): boolean {
  const lines = breakLines(text, o.maxLineChars, o.maxLines);
  return lines.length <= o.maxLines && lines.every((l) => visible(l) <= o.maxLineChars);
}

/** Regroups segments into cues that respect the limits. Input order is kept. */
export function regroupSegments(segments: Segment[], options: Partial<LineBreakOptions> = {}): Segment[] {
  const o = { ...DEFAULT_LINE_BREAK, ...options };
  const capacity = o.maxLineChars * o.maxLines;
  const words = segments
    .slice()
    .sort((a, b) => a.start - b.start)
    .flatMap(segmentWords)
    .filter((w) => w.text.trim());
  const cues: Segment[] = [];
  let cur: Word[] = [];
  const flush = () => {
    if (!cur.length) return;
    const text = breakLines(joinWords(cur), o.maxLineChars, o.maxLines).join('\n');
    cues.push({ start: cur[0].start, end: Math.max(cur[0].start, cur.at(-1)!.end), text, words: cur });
    cur = [];
  };
  for (const w of words) {
    if (cur.length) {
      const prev = cur.at(-1)!;
      const len = visible(joinWords(cur));
      const nextLen = visible(joinWords([...cur, w]));
      const gap = w.start - prev.end;
      // Within the capacity is not enough: the words must also break into maxLines lines of maxLineChars.
      const tooLong = nextLen > capacity || w.end - cur[0].start > o.maxDuration || (nextLen > o.maxLineChars && !fitsLines(joinWords([...cur, w]), o));
      const atSentence = SENTENCE_END.test(prev.text.trim()) && len >= Math.min(20, capacity / 4);
      const atClause = CLAUSE_END.test(prev.text.trim()) && len >= capacity * 0.6;
      const atPause = gap >= PAUSE && len >= 8;
      if (tooLong || atSentence || atClause || atPause || gap >= 2) flush();
    }
    cur.push(w);
  }
  flush();
  return fixTiming(cues, o);
}

/** Enforces min/max duration, reading speed and no overlaps, in that order of priority. */
function fixTiming(cues: Segment[], o: LineBreakOptions): Segment[] {
  const out = cues.map((c) => ({ ...c }));
  for (let i = 0; i < out.length; i++) {
    const c = out[i];
    const next = out[i + 1];
    if (next && next.start <= c.start) {
      // Two cues starting together (a zero-length segment, then the next at the same time): they share the
      // time to the later end by their length, shown in order, rather than a 1 ms cue under the next one.
      const end = Math.max(c.end, next.end, c.start + 2 * o.minDuration);
      const mine = visible(c.text);
      next.start = c.start + (end - c.start) * (mine / Math.max(1, mine + visible(next.text)));
      next.end = Math.max(next.end, next.start + 0.001);
      c.end = next.start;
    }
    const limit = next ? next.start : Infinity;
    if (c.end - c.start > o.maxDuration) c.end = c.start + o.maxDuration;
    const chars = visible(c.text.replace(/\n/g, ' '));
    const wanted = Math.min(o.maxDuration, Math.max(o.minDuration, chars / o.maxCps));
    if (c.end - c.start < wanted) c.end = Math.max(c.end, Math.min(c.start + wanted, limit));
    if (next && c.end > next.start) {
      // Overlap: cut this cue at the next start; if that leaves nothing, move the next one.
      if (next.start > c.start) c.end = next.start;
      else {
        next.start = c.end;
        if (next.end < next.start) next.end = next.start + o.minDuration;
      }
    }
    c.start = round3(c.start);
    c.end = round3(Math.max(c.end, c.start + 0.001));
  }
  return out;
}

function round3(n: number): number {
  return Math.round(n * 1000) / 1000;
}
