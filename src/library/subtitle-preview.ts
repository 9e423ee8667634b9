/**
 * The first cues of a text subtitle (SRT, WebVTT, ASS/SSA, LRC), read from
 * its first 256 KB: enough for a preview, never the whole of a huge file.
 */
import { open } from 'node:fs/promises';

export interface Cue {
  start: string;
  end: string;
  text: string;
}

export const TEXT_FORMATS = new Set(['srt', 'vtt', 'ass', 'ssa', 'lrc']);
const HEAD_BYTES = 256 * 1024;

export async function readHead(path: string, bytes = HEAD_BYTES): Promise<string> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fh.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead).toString('utf8').replace(/^\uFEFF/, '');
  } finally {
    await fh.close();
  }
}

/** Cues of the text, at most `max`; `truncated` when there are more. */
export function parseCues(text: string, format: string, max: number): { cues: Cue[]; truncated: boolean } {
  const all = format === 'ass' || format === 'ssa' ? assCues(text, max + 1) : format === 'lrc' ? lrcCues(text, max + 1) : blockCues(text, max + 1);
  return { cues: all.slice(0, max), truncated: all.length > max };
}

/** SRT and WebVTT: blocks separated by blank lines, each with a `start --> end` line. */
function blockCues(text: string, max: number): Cue[] {
  const out: Cue[] = [];
  for (const block of text.replace(/\r\n?/g, '\n').split(/\n{2,}/)) {
    const lines = block.split('\n');
    const at = lines.findIndex((l) => l.includes('-->'));
    if (at < 0) continue;
    const [start, rest] = lines[at].split('-->');
    const end = rest.trim().split(/\s+/)[0];
    const body = lines.slice(at + 1).join('\n').replace(/<[^>]+>/g, '').trim();
    if (!body) continue;
    out.push({ start: start.trim(), end, text: body });
    if (out.length >= max) break;
  }
  return out;
}

/** ASS/SSA: `Dialogue:` lines; the text is everything after the ninth comma, override tags removed. */
function assCues(text: string, max: number): Cue[] {
  const out: Cue[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!/^Dialogue:/i.test(line)) continue;
    const fields = line.slice(line.indexOf(':') + 1).split(',');
    if (fields.length < 10) continue;
    const body = fields.slice(9).join(',').replace(/\{[^}]*\}/g, '').replace(/\\[Nn]/g, '\n').trim();
    if (!body) continue;
    out.push({ start: fields[1].trim(), end: fields[2].trim(), text: body });
    if (out.length >= max) break;
  }
  return out;
}

/** LRC: `[mm:ss.xx]text`; a line ends where the next begins. */
function lrcCues(text: string, max: number): Cue[] {
  const lines: Array<{ at: string; text: string }> = [];
  for (const line of text.split(/\r?\n/)) {
    const m = /^\[(\d{1,3}:\d{2}(?:[.:]\d{1,3})?)\](.*)$/.exec(line.trim());
    if (m && m[2].trim()) lines.push({ at: m[1], text: m[2].trim() });
    if (lines.length > max) break;
  }
  return lines.slice(0, max).map((l, i) => ({ start: l.at, end: lines[i + 1]?.at ?? '', text: l.text }));
}
