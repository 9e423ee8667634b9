/**
 * MediaInfo in process and ffprobe must give the scanner the same answer:
 * both probes run over a generated corpus (MKV with several audio and
 * subtitle tracks and their flags, MP4 with mov_text, MPEG-TS and M2TS, AVI,
 * WebM, audio files, a truncated file, a file that is not media) and their
 * results are compared field by field.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProbeAborted, probeFile, ProbeError, type ProbeResult } from '../../src/scanner/ffprobe.js';
import { probeMedia } from '../../src/scanner/media-probe.js';
import { MediaInfoProber } from '../../src/scanner/mediainfo-probe.js';
import { ffmpeg, srtText } from './media.js';

const video = (seconds: number, size = '64x64') => ['-f', 'lavfi', '-i', `color=c=black:s=${size}:r=5:d=${seconds}`];
const tone = (seconds: number, rate: number, hz = 440) => ['-f', 'lavfi', '-i', `sine=frequency=${hz}:duration=${seconds}:sample_rate=${rate}`];
const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];

interface Corpus {
  mkv: string;
  mp4: string;
  ts: string;
  m2ts: string;
  avi: string;
  webvtt: string;
  floatWav: string;
  webm: string;
  noLanguage: string;
  mp3: string;
  flac: string;
  wav: string;
  ogg: string;
  longMkv: string;
  fragmented: string;
  truncated: string;
  notMedia: string;
}

function buildCorpus(dir: string): Corpus {
  const f = (name: string) => join(dir, name);
  const srt = f('line.srt');
  writeFileSync(srt, srtText('Hello'));
  const c: Corpus = {
    mkv: f('several tracks.mkv'), mp4: f('mov_text.mp4'), ts: f('recording.ts'), m2ts: f('blu-ray.m2ts'), avi: f('old.avi'), webm: f('clip.webm'),
    webvtt: f('webvtt.mkv'), floatWav: f('float.wav'),
    noLanguage: f('no language element.mkv'), mp3: f('song.mp3'), flac: f('song.flac'), wav: f('song.wav'), ogg: f('song.ogg'),
    longMkv: f('long.mkv'), fragmented: f('fragmented.mp4'), truncated: f('truncated.mkv'), notMedia: f('not media.mkv'),
  };
  // Three audio tracks (AAC, AC-3 5.1, Opus) and four subtitles (SRT, ASS) with forced, default and hearing-impaired flags.
  ffmpeg([
    ...video(2), ...tone(2, 16000), ...tone(2, 48000, 660), ...tone(2, 48000, 300), '-i', srt, '-i', srt, '-i', srt, '-i', srt,
    '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:a', '-map', '4:s', '-map', '5:s', '-map', '6:s', '-map', '7:s', ...h264,
    '-c:a:0', 'aac', '-c:a:1', 'ac3', '-ac:a:1', '6', '-c:a:2', 'libopus', '-c:s:0', 'srt', '-c:s:1', 'ass', '-c:s:2', 'srt', '-c:s:3', 'srt',
    '-metadata:s:a:0', 'language=jpn', '-metadata:s:a:1', 'language=eng', '-metadata:s:a:1', 'title=Commentary', '-metadata:s:a:2', 'language=fre',
    '-metadata:s:s:0', 'language=eng', '-metadata:s:s:0', 'title=Signs', '-metadata:s:s:1', 'language=spa',
    '-metadata:s:s:2', 'language=eng', '-metadata:s:s:2', 'title=English SDH', '-metadata:s:s:3', 'language=ger',
    '-disposition:a:0', 'default', '-disposition:a:1', '0', '-disposition:a:2', '0',
    '-disposition:s:0', 'forced', '-disposition:s:1', 'default', '-disposition:s:2', 'hearing_impaired', '-disposition:s:3', '0', c.mkv,
  ]);
  // MP4 flags come from MediaInfo as compound values ("Yes / No / No").
  ffmpeg([
    ...video(2), ...tone(2, 16000), ...tone(2, 16000, 660), '-i', srt, '-i', srt, '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map', '4:s', ...h264,
    '-c:a', 'aac', '-c:s', 'mov_text', '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=jpn', '-metadata:s:s:0', 'language=eng', '-metadata:s:s:1', 'language=spa',
    '-disposition:a:0', 'default', '-disposition:a:1', '0', '-disposition:s:0', 'forced', '-disposition:s:1', 'default', c.mp4,
  ]);
  ffmpeg([...video(2), ...tone(2, 16000), ...tone(2, 48000, 660), '-map', '0:v', '-map', '1:a', '-map', '2:a', ...h264, '-c:a:0', 'aac', '-c:a:1', 'mp2', '-metadata:s:a:0', 'language=jpn', '-metadata:s:a:1', 'language=eng', c.ts]);
  ffmpeg([...video(2), ...tone(2, 48000), ...h264, '-c:a', 'ac3', '-metadata:s:a:0', 'language=ger', '-f', 'mpegts', '-mpegts_m2ts_mode', '1', c.m2ts]);
  const vtt = f('line.vtt');
  writeFileSync(vtt, 'WEBVTT\n\n00:00.100 --> 00:01.000\nHello\n');
  ffmpeg([...video(2), ...tone(2, 48000), '-i', vtt, '-map', '0:v', '-map', '1:a', '-map', '2:s', ...h264, '-c:a', 'aac', '-c:s', 'webvtt', '-metadata:s:s:0', 'language=fre', c.webvtt]);
  ffmpeg([...tone(2, 48000), '-c:a', 'pcm_f32le', c.floatWav]);
  ffmpeg([...video(4), ...tone(4, 44100), ...tone(4, 48000, 660), '-map', '0:v', '-map', '1:a', '-map', '2:a', '-c:v', 'mpeg4', '-c:a:0', 'libmp3lame', '-b:a:0', '128k', '-c:a:1', 'ac3', '-ac:a:1', '2', c.avi]);
  ffmpeg([...video(2), ...tone(2, 48000), '-c:v', 'libvpx-vp9', '-deadline', 'realtime', '-c:a', 'libopus', '-metadata:s:a:0', 'language=por', c.webm]);
  // A Matroska track without a Language element is English by the specification (both tools say so).
  ffmpeg([...video(2), ...tone(2, 48000), ...h264, '-c:a', 'aac', '-write_crc32', '0', c.noLanguage]);
  const mkv = readFileSync(c.noLanguage);
  const und = Buffer.from([0x22, 0xb5, 0x9c, 0x83, 0x75, 0x6e, 0x64]);
  for (let at = mkv.indexOf(und); at >= 0; at = mkv.indexOf(und, at)) Buffer.from([0xec, 0x85, 0, 0, 0, 0, 0]).copy(mkv, at);
  writeFileSync(c.noLanguage, mkv);
  ffmpeg([...tone(2, 16000), '-c:a', 'libmp3lame', '-metadata', 'language=fra', c.mp3]);
  ffmpeg([...tone(2, 16000), '-c:a', 'flac', '-metadata', 'language=deu', c.flac]);
  ffmpeg([...tone(2, 16000), '-c:a', 'pcm_s16le', c.wav]);
  ffmpeg([...tone(2, 48000), '-c:a', 'libvorbis', '-metadata:s:a:0', 'language=ita', c.ogg]);
  // Long enough that reading it all would cost: several MB of 320x240 video.
  ffmpeg(['-f', 'lavfi', '-i', 'testsrc=s=320x240:r=24:d=30', ...tone(30, 48000), '-c:v', 'libx264', '-preset', 'ultrafast', '-b:v', '1000k', '-c:a', 'aac', '-metadata:s:a:0', 'language=jpn', c.longMkv]);
  // One-second fragments: MediaInfo would have to walk them all for the duration.
  ffmpeg(['-i', c.longMkv, '-c', 'copy', '-movflags', 'frag_keyframe+empty_moov+default_base_moof', '-frag_duration', '1000000', c.fragmented]);
  const whole = readFileSync(c.longMkv);
  writeFileSync(c.truncated, whole.subarray(0, Math.floor(whole.length / 2)));
  writeFileSync(c.notMedia, 'not a video at all\n'.repeat(200));
  return c;
}

/** ffprobe's answer, or its error message. */
async function ffprobeSays(path: string): Promise<ProbeResult | { error: string }> {
  return probeFile(path).catch((e: Error) => ({ error: e.message }));
}

describe('MediaInfo in process gives what ffprobe gives', () => {
  let dir: string;
  let c: Corpus;
  let prober: MediaInfoProber;
  const auto = (path: string) => probeMedia(path, { inProcess: prober, timeoutMs: 30_000 });

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'tio-probe-eq-'));
    c = buildCorpus(dir);
    prober = new MediaInfoProber(() => 2);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const name of ['mkv', 'mp4', 'avi', 'webm', 'webvtt', 'noLanguage', 'mp3', 'flac', 'wav', 'floatWav', 'ogg', 'longMkv'] as const) {
    test(`${name}: MediaInfo answers, field for field as ffprobe`, async () => {
      const answer = await auto(c[name]);
      assert.equal(answer.by, 'mediainfo', `handed to ffprobe: ${answer.fallback}`);
      assert.deepEqual(answer.result, await ffprobeSays(c[name]));
    });
  }

  for (const name of ['ts', 'm2ts'] as const) {
    test(`${name}: same streams, languages and codecs; duration within 0.1 s (both from the timestamps, MediaInfo's per stream)`, async () => {
      const answer = await auto(c[name]);
      assert.equal(answer.by, 'mediainfo', `handed to ffprobe: ${answer.fallback}`);
      const ff = (await ffprobeSays(c[name])) as ProbeResult;
      assert.ok(Math.abs(answer.result.duration_seconds! - ff.duration_seconds!) <= 0.1, `${answer.result.duration_seconds} vs ${ff.duration_seconds}`);
      assert.deepEqual({ ...answer.result, duration_seconds: 0 }, { ...ff, duration_seconds: 0 });
    });
  }

  test('the flags and languages compared above are the ones the rules need', async () => {
    const mkv = (await auto(c.mkv)).result;
    assert.deepEqual(mkv.audio_tracks.map((a) => [a.index, a.stream_index, a.codec, a.language, a.channels, a.default, a.title]), [
      [0, 1, 'aac', 'jpn', 1, true, null],
      [1, 2, 'ac3', 'eng', 6, false, 'Commentary'],
      [2, 3, 'opus', 'fra', 1, false, null],
    ]);
    assert.deepEqual(mkv.embedded_subtitles.map((s) => [s.index, s.stream_index, s.codec, s.language, s.forced, s.default, s.hearing_impaired]), [
      [0, 4, 'subrip', 'eng', true, false, false],
      [1, 5, 'ass', 'spa', false, true, false],
      [2, 6, 'subrip', 'eng', false, false, true],
      [3, 7, 'subrip', 'deu', false, false, false],
    ]);
    const mp4 = (await auto(c.mp4)).result;
    assert.deepEqual(mp4.audio_tracks.map((a) => [a.language, a.default]), [['eng', true], ['jpn', false]]);
    assert.deepEqual(mp4.embedded_subtitles.map((s) => [s.codec, s.language, s.forced, s.default]), [['mov_text', 'eng', true, false], ['mov_text', 'spa', false, true]]);
    assert.equal((await auto(c.noLanguage)).result.audio_tracks[0].language, 'eng');
  });

  test('a truncated file is handed to ffprobe, whose answer is the one given', async () => {
    const answer = await auto(c.truncated);
    assert.equal(answer.by, 'ffprobe');
    assert.equal(answer.fallback, 'truncated file');
    assert.deepEqual(answer.result, await ffprobeSays(c.truncated));
  });

  test('a fragmented MP4 is handed to ffprobe: its duration lies in fragments all over the file', async () => {
    const answer = await auto(c.fragmented);
    assert.equal(answer.by, 'ffprobe');
    assert.equal(answer.fallback, 'fragmented MP4');
    assert.deepEqual(answer.result, await ffprobeSays(c.fragmented));
    assert.ok(answer.result.duration_seconds! > 29, `${answer.result.duration_seconds}`);
  });

  test('a file that is not media gets ffprobe\'s verdict', async () => {
    const ff = await ffprobeSays(c.notMedia);
    assert.ok('error' in ff);
    await assert.rejects(auto(c.notMedia), (e: unknown) => e instanceof ProbeError && e.message === ff.error);
  });

  test('reads are bounded: about what ffprobe reads of a long file, not the seconds of frames MediaInfo would parse', async () => {
    const r = await prober.probe(c.longMkv, 30_000);
    assert.ok('result' in r);
    assert.ok(readFileSync(c.longMkv).length > 2 * 1024 * 1024, 'the sample is several MB');
    assert.ok(r.bytes <= 160 * 1024, `read ${r.bytes} bytes`);
  });

  test('without an in-process prober (probeTool ffprobe) ffprobe answers every file', async () => {
    const answer = await probeMedia(c.mkv, { inProcess: null, timeoutMs: 30_000 });
    assert.equal(answer.by, 'ffprobe');
    assert.deepEqual(answer.result, (await auto(c.mkv)).result);
  });

  test('a cancelled scan starts no probe', async () => {
    const ac = new AbortController();
    ac.abort();
    await assert.rejects(probeMedia(c.longMkv, { inProcess: prober, timeoutMs: 30_000, signal: ac.signal }), ProbeAborted);
  });
});
