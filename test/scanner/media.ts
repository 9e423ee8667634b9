/**
 * Tiny test media made with ffmpeg and espeak-ng: speech in several
 * languages, tagged audio tracks, muxed subtitles (one forced), external
 * subtitles in the usual naming styles, audio-only files, and files that are
 * empty, corrupt or not media at all. Every file is 1-2 s long.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const FFMPEG = existsSync('/usr/bin/ffmpeg') ? '/usr/bin/ffmpeg' : 'ffmpeg';
export const ESPEAK = existsSync('/usr/bin/espeak-ng') ? '/usr/bin/espeak-ng' : 'espeak-ng';

function run(cmd: string, args: string[]): void {
  execFileSync(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function ffmpeg(args: string[]): void {
  run(FFMPEG, ['-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** A WAV of espeak-ng speaking `text` with `voice` (ja, en, es, fr, de). */
export function speech(out: string, voice: string, text: string): string {
  mkdirSync(dirname(out), { recursive: true });
  run(ESPEAK, ['-v', voice, '-s', '220', '-w', out, text]);
  return out;
}

export function srtText(line: string): string {
  return `1\n00:00:00,100 --> 00:00:01,000\n${line}\n`;
}

export interface TrackSpec {
  wav: string;
  language?: string;
  title?: string;
  default?: boolean;
}

export interface SubSpec {
  srt: string;
  language?: string;
  forced?: boolean;
  title?: string;
}

/** A media file from speech tracks, with an optional small black video and muxed subtitles. */
export function mux(out: string, o: { video?: boolean; audio: TrackSpec[]; subs?: SubSpec[]; audioCodec?: string; fileLanguage?: string }): string {
  mkdirSync(dirname(out), { recursive: true });
  const args: string[] = [];
  let input = 0;
  const maps: string[] = [];
  if (o.video !== false) {
    args.push('-f', 'lavfi', '-i', 'color=c=black:s=64x64:r=5:d=1.5');
    maps.push('-map', `${input++}:v`);
  }
  for (const a of o.audio) {
    args.push('-i', a.wav);
    maps.push('-map', `${input++}:a`);
  }
  for (const s of o.subs ?? []) {
    args.push('-i', s.srt);
    maps.push('-map', `${input++}:s`);
  }
  args.push(...maps, '-t', '1.5');
  if (o.video !== false) args.push('-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p');
  args.push('-c:a', o.audioCodec ?? 'aac', '-ar', '16000', '-ac', '1');
  if (o.subs?.length) args.push('-c:s', 'srt');
  o.audio.forEach((a, i) => {
    if (a.language) args.push(`-metadata:s:a:${i}`, `language=${a.language}`);
    if (a.title) args.push(`-metadata:s:a:${i}`, `title=${a.title}`);
    args.push(`-disposition:a:${i}`, a.default ? 'default' : '0');
  });
  (o.subs ?? []).forEach((s, i) => {
    if (s.language) args.push(`-metadata:s:s:${i}`, `language=${s.language}`);
    if (s.title) args.push(`-metadata:s:s:${i}`, `title=${s.title}`);
    args.push(`-disposition:s:${i}`, s.forced ? 'forced' : '0');
  });
  if (o.fileLanguage) args.push('-metadata', `language=${o.fileLanguage}`);
  args.push(out);
  ffmpeg(args);
  return out;
}

export interface TestLibrary {
  root: string;
  /** mkv: jpn (default) + eng audio; embedded eng subtitle and forced spa subtitle; externals in several styles */
  anime: string;
  /** mp4: spa audio; externals eng, pt-BR (ass), forced fra, Subs/2_English.srt */
  movie: string;
  /** mkv: fra audio; externals English.sdh, en.vtt, VobSub idx/sub (German inside the .idx) */
  french: string;
  /** mkv: jpn audio and a Spanish subtitle made by TranscriptorIO (sidecar record) */
  generated: string;
  /** mkv: eng audio with a forced-only Spanish subtitle beside it */
  english: string;
  /** mp3 with eng audio, flac without a language tag */
  mp3: string;
  flac: string;
  empty: string;
  corrupt: string;
  fakeMp4: string;
  notes: string;
  /** under a folder with the ignore marker */
  ignored: string;
  ignoredDeep: string;
  hidden: string;
}

let voices: { ja: string; en: string; es: string; fr: string } | null = null;
let template: string | null = null;

function makeVoices(dir: string) {
  return {
    ja: speech(join(dir, 'ja.wav'), 'ja', 'こんにちは'),
    en: speech(join(dir, 'en.wav'), 'en', 'hello there'),
    es: speech(join(dir, 'es.wav'), 'es', 'hola amigo'),
    fr: speech(join(dir, 'fr.wav'), 'fr', 'bonjour mon ami'),
  };
}

/** Builds the library once per process into a template and copies it for each caller. */
export function createTestLibrary(): TestLibrary {
  if (!template) {
    template = mkdtempSync(join(tmpdir(), 'tio-media-tpl-'));
    buildLibrary(template);
  }
  const root = mkdtempSync(join(tmpdir(), 'tio-media-'));
  cpSync(template, root, { recursive: true });
  return paths(root);
}

function paths(root: string): TestLibrary {
  return {
    root,
    anime: join(root, 'anime', 'Show S01E01.mkv'),
    movie: join(root, 'movies', 'Movie (2020)', 'Movie (2020).mp4'),
    french: join(root, 'movies', 'French Film', 'French Film.mkv'),
    generated: join(root, 'anime', 'Episode 02.mkv'),
    english: join(root, 'shows', 'English Show.mkv'),
    mp3: join(root, 'music', 'song.mp3'),
    flac: join(root, 'music', 'track.flac'),
    empty: join(root, 'broken', 'empty.mkv'),
    corrupt: join(root, 'broken', 'corrupt.mkv'),
    fakeMp4: join(root, 'broken', 'fake.mp4'),
    notes: join(root, 'broken', 'notes.txt'),
    ignored: join(root, 'private', 'Skip Me.mkv'),
    ignoredDeep: join(root, 'private', 'deeper', 'Also Skipped.mkv'),
    hidden: join(root, '.hidden', 'Hidden.mkv'),
  };
}

function write(path: string, content: string | Buffer): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, content);
}

function buildLibrary(root: string): void {
  const work = join(root, '..', `${root.split('/').pop()}-work`);
  mkdirSync(work, { recursive: true });
  voices ??= makeVoices(work);
  const v = voices;
  const p = paths(root);
  const engSrt = join(work, 'eng.srt');
  const spaSrt = join(work, 'spa.srt');
  writeFileSync(engSrt, srtText('Hello'));
  writeFileSync(spaSrt, srtText('Hola'));

  mux(p.anime, {
    audio: [{ wav: v.ja, language: 'jpn', title: 'Japanese', default: true }, { wav: v.en, language: 'eng', title: 'English dub' }],
    subs: [{ srt: engSrt, language: 'eng', title: 'Full' }, { srt: spaSrt, language: 'spa', forced: true, title: 'Signs' }],
  });
  const animeBase = p.anime.slice(0, -4);
  write(`${animeBase}.en.srt`, srtText('Hello'));
  write(`${animeBase}.pt-BR.srt`, srtText('Olá'));
  write(`${animeBase}.en.forced.srt`, srtText('Sign'));
  write(`${animeBase}.eng.sdh.srt`, srtText('[music]'));

  mux(p.movie, { audio: [{ wav: v.es, language: 'spa', default: true }] });
  const movieBase = p.movie.slice(0, -4);
  write(`${movieBase}.eng.srt`, srtText('Hello'));
  write(`${movieBase}.pt-BR.ass`, '[Script Info]\nTitle: test\n');
  write(`${movieBase}.fr.forced.srt`, srtText('Panneau'));
  write(join(dirname(p.movie), 'Subs', '2_English.srt'), srtText('Hello'));
  write(join(dirname(p.movie), 'Subs', 'Movie (2020).it.srt'), srtText('Ciao'));

  mux(p.french, { audio: [{ wav: v.fr, language: 'fre', default: true }] });
  const frenchBase = p.french.slice(0, -4);
  write(`${frenchBase}.English.sdh.srt`, srtText('Hello'));
  write(`${frenchBase}.en.vtt`, `WEBVTT\n\n00:00.100 --> 00:01.000\nHello\n`);
  write(`${frenchBase}.idx`, '# VobSub index file, v7\nsize: 720x480\nid: de, index: 0\ntimestamp: 00:00:00:100, filepos: 000000000\n');
  write(`${frenchBase}.sub`, Buffer.alloc(2048));

  mux(p.generated, { audio: [{ wav: v.ja, language: 'jpn', default: true }] });
  const genSub = `${p.generated.slice(0, -4)}.spa.srt`;
  write(genSub, srtText('Hola'));
  write(join(dirname(genSub), `.${genSub.split('/').pop()}.transcriptorio.json`), JSON.stringify({ generator: 'Generated by TranscriptorIO', sha256: 'x' }));

  mux(p.english, { audio: [{ wav: v.en, language: 'eng', default: true }] });
  write(`${p.english.slice(0, -4)}.es.forced.srt`, srtText('Hola'));

  mux(p.mp3, { video: false, audio: [{ wav: v.en }], audioCodec: 'libmp3lame', fileLanguage: 'eng' });
  mux(p.flac, { video: false, audio: [{ wav: v.en }], audioCodec: 'flac' });

  write(p.empty, '');
  write(p.corrupt, randomBytes(4096));
  write(p.fakeMp4, 'this is not a video\n'.repeat(50));
  write(p.notes, 'library notes\n');

  mkdirSync(dirname(p.ignoredDeep), { recursive: true });
  copyFileSync(p.english, p.ignored);
  copyFileSync(p.english, p.ignoredDeep);
  write(join(root, 'private', '.notranscribe'), '');
  mkdirSync(dirname(p.hidden), { recursive: true });
  copyFileSync(p.english, p.hidden);
}
