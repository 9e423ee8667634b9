/**
 * A film whose subtitle timing is known exactly: espeak-ng lines (two
 * voices) placed at chosen times with pauses of different lengths, muxed
 * into a real MKV (H.264 video, AAC audio tagged eng). The truth of each
 * cue is where its line's voice starts and ends in the audio (found from
 * the samples, not from any speech detector), so a sync is judged against
 * what was really said when. Built once per process, copied per caller.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ESPEAK, FFMPEG } from '../scanner/media.js';

export interface Cue {
  start: number;
  end: number;
  text: string;
}

export interface SyncFilm {
  dir: string;
  mkv: string;
  truth: Cue[];
  seconds: number;
}

const RATE = 16000;
const LINES = [
  'The river rose before dawn and nobody saw it coming.',
  'We have to leave the village tonight.',
  'Where is the boat?',
  'It is tied below the old mill, next to the bridge.',
  'Then bring the lamps and the children.',
  'My father will not go. He says the water never reaches the church.',
  'It reached the church twenty years ago.',
  'Listen to me.',
  'The road to the hills is already closed by the police.',
  'How long until the bridge goes under?',
  'An hour, maybe less if the rain keeps falling like this.',
  'Then we row.',
  'I can hear the bells from the valley.',
  'That means the dam is open.',
  'Take my hand and do not look back.',
  'Is everyone here?',
  'Everyone but the doctor. He went back for his books.',
  'Books! At a time like this.',
  'He says they are all that is left of his wife.',
  'Then we wait five minutes, not one more.',
  'There he is, running along the wall.',
  'Pull, everybody, pull!',
];
/** Seconds of silence before each line: short and long pauses, a scene change, so the pattern is unique. */
const GAPS = [2.0, 0.6, 1.1, 0.4, 3.5, 0.8, 0.5, 6.0, 1.4, 0.7, 0.9, 4.2, 1.0, 0.5, 2.6, 0.7, 1.2, 0.45, 0.9, 5.0, 1.6, 0.8];

let template: { dir: string; truth: Cue[]; seconds: number } | null = null;

function build(): { dir: string; truth: Cue[]; seconds: number } {
  const dir = mkdtempSync(join(tmpdir(), 'tio-sync-tpl-'));
  const parts: Buffer[] = [];
  const truth: Cue[] = [];
  let samples = 0;
  LINES.forEach((text, i) => {
    const wav = join(dir, `line${i}.wav`);
    execFileSync(ESPEAK, ['-v', i % 3 === 2 ? 'en-us' : 'en', '-s', String(160 + (i % 4) * 15), '-w', wav, text], { stdio: 'ignore' });
    const pcm = execFileSync(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-i', wav, '-ac', '1', '-ar', String(RATE), '-f', 's16le', 'pipe:1'], { maxBuffer: 64 << 20 });
    const gap = Buffer.alloc(Math.round(GAPS[i] * RATE) * 2);
    parts.push(gap);
    samples += gap.length / 2;
    const voiced = voicedRange(pcm);
    truth.push({ start: (samples + voiced.first) / RATE, end: (samples + voiced.last) / RATE, text });
    parts.push(pcm);
    samples += pcm.length / 2;
  });
  const tail = Buffer.alloc(3 * RATE * 2);
  parts.push(tail);
  samples += tail.length / 2;
  const raw = join(dir, 'audio.raw');
  writeFileSync(raw, Buffer.concat(parts));
  const seconds = samples / RATE;
  execFileSync(FFMPEG, [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=black:s=64x64:r=5:d=${seconds.toFixed(2)}`,
    '-f', 's16le', '-ar', String(RATE), '-ac', '1', '-i', raw,
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-metadata:s:a:0', 'language=eng',
    join(dir, 'Flood (1999).mkv'),
  ], { stdio: 'ignore' });
  return { dir, truth, seconds };
}

/** First and last sample louder than a whisper (espeak pads its WAVs with silence). */
function voicedRange(pcm: Buffer): { first: number; last: number } {
  const n = pcm.length / 2;
  let first = 0;
  let last = n - 1;
  while (first < n && Math.abs(pcm.readInt16LE(first * 2)) < 300) first++;
  while (last > first && Math.abs(pcm.readInt16LE(last * 2)) < 300) last--;
  return { first, last };
}

/** A copy of the film in `into` (a library folder), with its truth. */
export function syncFilm(into: string): SyncFilm {
  template ??= build();
  mkdirSync(into, { recursive: true });
  cpSync(join(template.dir, 'Flood (1999).mkv'), join(into, 'Flood (1999).mkv'));
  return { dir: into, mkv: join(into, 'Flood (1999).mkv'), truth: template.truth, seconds: template.seconds };
}

const stamp = (t: number) => {
  const ms = Math.round(Math.max(0, t) * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(Math.floor(ms / 3600000))}:${p(Math.floor(ms / 60000) % 60)}:${p(Math.floor(ms / 1000) % 60)},${p(ms % 1000, 3)}`;
};

/** An SRT of the cues moved by `shift` seconds (styling tags kept in the text, to prove they survive). */
export function srtOf(cues: Cue[], shift = 0): string {
  return cues.map((c, i) => `${i + 1}\n${stamp(c.start + shift)} --> ${stamp(c.end + shift)}\n${i % 5 === 0 ? `<i>${c.text}</i>` : c.text}\n`).join('\n');
}

/** Cue times of an SRT file (for checking what a sync wrote). */
export function srtTimes(path: string): Array<{ start: number; end: number }> {
  const text = readFileSync(path, 'utf8');
  const sec = (s: string) => {
    const [h, m, rest] = s.split(':');
    return Number(h) * 3600 + Number(m) * 60 + Number(rest.replace(',', '.'));
  };
  return [...text.matchAll(/(\d\d:\d\d:\d\d,\d\d\d) --> (\d\d:\d\d:\d\d,\d\d\d)/g)].map((m) => ({ start: sec(m[1]), end: sec(m[2]) }));
}
