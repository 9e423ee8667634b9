/**
 * A small generated library for the library index tests (ffmpeg + espeak-ng):
 * two shows laid out the Sonarr way (Show/Season NN/), one with release
 * names, movies in Radarr folders, several audio languages, embedded and
 * external subtitles, a user's Spanish subtitle, one written by the real
 * subtitle writer (sidecar record with its hash), and one whose record does
 * not match (a generated file the user edited). Built once per process and
 * copied for each caller.
 */
import { cpSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { mux, speech, srtText } from '../scanner/media.js';
import { writeSubtitleFile } from '../../src/transcription/output.js';

export interface LibraryFixture {
  root: string;
  /** jpn (default) + eng audio, embedded eng subtitle */
  a1: string;
  /** jpn audio; the user's Alpha Show - S01E02.spa.srt beside it */
  a2: string;
  a2UserSub: string;
  /** jpn audio; a Spanish subtitle written by TranscriptorIO (real sidecar record) */
  a3: string;
  a3Generated: string;
  /** eng audio, forced spa embedded subtitle, release name without folders */
  b1: string;
  /** spa audio, external eng subtitle */
  gamma: string;
  /** fre audio; a Spanish subtitle whose sidecar hash no longer matches (edited by the user) */
  delta: string;
  deltaEdited: string;
  /** spa audio; removed by the tests after the first scan */
  gone: string;
}

let template: string | null = null;

function paths(root: string): LibraryFixture {
  const s1 = join(root, 'tv', 'Alpha Show', 'Season 01');
  const a3 = join(root, 'tv', 'Alpha Show', 'Season 02', 'Alpha Show - S02E01.mkv');
  const delta = join(root, 'movies', 'Delta (2021)', 'Delta (2021).mp4');
  return {
    root,
    a1: join(s1, 'Alpha Show - S01E01.mkv'),
    a2: join(s1, 'Alpha Show - S01E02.mkv'),
    a2UserSub: join(s1, 'Alpha Show - S01E02.spa.srt'),
    a3,
    a3Generated: a3.replace(/\.mkv$/, '.spa.srt'),
    b1: join(root, 'tv', 'Beta Show', 'Beta.Show.S01E01.720p.WEB-DL.mkv'),
    gamma: join(root, 'movies', 'Gamma Movie (2019)', 'Gamma Movie (2019).mkv'),
    delta,
    deltaEdited: delta.replace(/\.mp4$/, '.spa.srt'),
    gone: join(root, 'movies', 'Gone Movie (2018)', 'Gone Movie (2018).mkv'),
  };
}

async function build(root: string): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'tio-lib-work-'));
  const v = {
    ja: speech(join(work, 'ja.wav'), 'ja', 'こんにちは'),
    en: speech(join(work, 'en.wav'), 'en', 'hello there'),
    es: speech(join(work, 'es.wav'), 'es', 'hola amigo'),
    fr: speech(join(work, 'fr.wav'), 'fr', 'bonjour'),
  };
  const engSrt = join(work, 'eng.srt');
  const spaSrt = join(work, 'spa.srt');
  writeFileSync(engSrt, srtText('Hello'));
  writeFileSync(spaSrt, srtText('Hola'));
  const p = paths(root);
  mux(p.a1, { audio: [{ wav: v.ja, language: 'jpn', default: true }, { wav: v.en, language: 'eng' }], subs: [{ srt: engSrt, language: 'eng', title: 'Full' }] });
  mux(p.a2, { audio: [{ wav: v.ja, language: 'jpn', default: true }] });
  writeFileSync(p.a2UserSub, srtText('Hola, mi propia traducción'));
  mux(p.a3, { audio: [{ wav: v.ja, language: 'jpn', default: true }] });
  await writeSubtitleFile(p.a3Generated, `${srtText('Hola generado')}\n2\n00:00:01,000 --> 00:00:01,400\nSegunda línea\n`, { media: p.a3, language: 'spa', model: 'test' });
  mux(p.b1, { audio: [{ wav: v.en, language: 'eng', default: true }], subs: [{ srt: spaSrt, language: 'spa', forced: true, title: 'Signs' }] });
  mux(p.gamma, { audio: [{ wav: v.es, language: 'spa', default: true }] });
  writeFileSync(p.gamma.replace(/\.mkv$/, '.eng.srt'), srtText('Hello'));
  mux(p.delta, { audio: [{ wav: v.fr, language: 'fre', default: true }] });
  await writeSubtitleFile(p.deltaEdited, srtText('Hola'), { media: p.delta, language: 'spa', model: 'test' });
  writeFileSync(p.deltaEdited, srtText('Hola, corregido a mano'));
  mkdirSync(dirname(p.gone), { recursive: true });
  mux(p.gone, { audio: [{ wav: v.es, language: 'spa', default: true }] });
}

export async function createLibraryFixture(): Promise<LibraryFixture> {
  if (!template) {
    const t = mkdtempSync(join(tmpdir(), 'tio-lib-tpl-'));
    await build(t);
    template = t;
  }
  const root = mkdtempSync(join(tmpdir(), 'tio-lib-'));
  cpSync(template, root, { recursive: true });
  return paths(root);
}
