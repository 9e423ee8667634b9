/**
 * A media file cut short (a copy still running, an interrupted download)
 * fails as `incomplete_media` instead of completing with a subtitle that
 * stops partway; the same file whole passes. Real media made by ffmpeg here,
 * truncated by cutting its bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { assertCompleteAudio, extractAudio, ffmpegPaths, probeMedia, selectAudioStream } from '../../src/transcription/audio.js';
import { openPcmWav } from '../../src/transcription/wav.js';
import { transcribeMedia, withLocalEngine, type TranscribeMediaOptions } from '../../src/transcription/index.js';
import { AppError } from '../../src/errors.js';
import { engineSkip, minimalModel, tempDir } from './helpers.js';
import { JFK } from '../fixtures-gen/engine-media.js';

function ffmpeg(args: string[]): void {
  execFileSync(ffmpegPaths().ffmpeg, ['-nostdin', '-hide_banner', '-loglevel', 'error', '-y', ...args]);
}

/** jfk.wav (11 s of speech) in three containers: Matroska with a video, MP4 with its index first, and WAV. */
function elevenSeconds(dir: string): Record<'mkv' | 'mp4' | 'wav', string> {
  const video = ['-f', 'lavfi', '-i', 'color=black:s=64x64:d=11:r=5', '-i', JFK, '-map', '0:v', '-map', '1:a', '-t', '11', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac'];
  const mkv = join(dir, 'Whole Movie.mkv');
  ffmpeg([...video, mkv]);
  const mp4 = join(dir, 'Whole Clip.mp4');
  ffmpeg([...video, '-movflags', '+faststart', mp4]);
  const wav = join(dir, 'Whole Speech.wav');
  ffmpeg(['-i', JFK, '-c:a', 'pcm_s16le', wav]);
  return { mkv, mp4, wav };
}

/** The first 30 % of the file's bytes, as an interrupted copy leaves it. */
function cutCopy(file: string, name: string): string {
  const out = join(dirname(file), name);
  const bytes = readFileSync(file);
  writeFileSync(out, bytes.subarray(0, Math.floor(bytes.length * 0.3)));
  return out;
}

/** What the pipeline does for a library file: probe, pick the track, extract, judge the length. */
async function extractAndCheck(file: string, dir: string): Promise<number> {
  const info = await probeMedia(file);
  const stream = selectAudioStream(info);
  const wav = join(dir, `${Math.random().toString(36).slice(2)}.wav`);
  const note = await extractAudio(file, stream, wav, { duration: info.duration });
  const seconds = (await openPcmWav(wav)).duration;
  assertCompleteAudio(file, info, stream, seconds, note);
  return seconds;
}

function incompleteFor(file: string) {
  return (e: unknown) => {
    assert.ok(e instanceof AppError, String(e));
    assert.equal(e.code, 'incomplete_media', e.message);
    assert.equal(e.status, 422);
    assert.ok(e.message.includes(file), `names the file: ${e.message}`);
    // What was found against what the file declares, in seconds.
    assert.match(e.message, /\b[2-4]\.\d s of the 11\.\d s its container declares/, e.message);
    assert.match(e.message, /let the copy finish or replace the file/, 'says what to do');
    return true;
  };
}

test('an 11 s file cut to 30 % of its bytes fails extraction as incomplete_media (MKV, MP4, WAV); whole, it passes', async (t) => {
  const dir = tempDir(t);
  const whole = elevenSeconds(dir);
  for (const [kind, file] of Object.entries(whole)) {
    const seconds = await extractAndCheck(file, dir);
    assert.ok(Math.abs(seconds - 11) < 0.3, `${kind} whole: ${seconds} s`);
    const cut = cutCopy(file, `Cut ${kind}.${kind}`);
    await assert.rejects(extractAndCheck(cut, dir), incompleteFor(cut), kind);
  }
});

test("ffmpeg's truncation messages reach the check: Matroska's 'File ended prematurely', MP4's 'partial file'", async (t) => {
  const dir = tempDir(t);
  const whole = elevenSeconds(dir);
  const mkv = cutCopy(whole.mkv, 'cut.mkv');
  assert.match((await probeMedia(mkv)).truncation ?? '', /File ended prematurely/);
  assert.equal((await probeMedia(whole.mkv)).truncation, null, 'a whole file says nothing of the kind');
  const mp4 = cutCopy(whole.mp4, 'cut.mp4');
  const info = await probeMedia(mp4);
  const note = await extractAudio(mp4, selectAudioStream(info), join(dir, 'mp4.wav'));
  assert.match(note, /partial file/);
  assert.equal(await extractAudio(whole.mp4, null, join(dir, 'whole.wav')), '', 'nothing to report for a whole file');
  // The WAV's own header says how long it was, where ffprobe can only guess from what is left.
  const wav = await probeMedia(cutCopy(whole.wav, 'cut.wav'));
  assert.ok(wav.durationEstimated);
  assert.ok(Math.abs((wav.declaredDuration ?? 0) - 11) < 0.1, String(wav.declaredDuration));
});

const skip = engineSkip();

test('the job on a truncated file fails as incomplete_media before any transcription, and writes no subtitle; the whole file completes', { skip }, async (t) => {
  const dir = tempDir(t);
  const whole = elevenSeconds(dir);
  const cut = cutCopy(whole.mkv, 'Cut Movie.mkv');
  const model = await minimalModel();
  const o: TranscribeMediaOptions = { targetLang: 'eng', sourceLang: 'eng', model, modelDir: dirname(model), threads: 2, beamSize: 1, temperatureFallback: false, vad: false };
  const stages: string[] = [];
  await withLocalEngine(o, async (engine) => {
    await assert.rejects(transcribeMedia(cut, o, { engine, onStage: (s) => stages.push(s) }), incompleteFor(cut));
    assert.ok(!stages.includes('transcribing'), `stopped after extraction: ${stages.join(', ')}`);
    assert.ok(!existsSync(join(dir, 'Cut Movie.eng.srt')), 'no subtitle that stops partway');
    const r = await transcribeMedia(whole.mkv, o, { engine });
    assert.equal(r.outputPath, join(dir, 'Whole Movie.eng.srt'));
  });
  assert.deepEqual(readdirSync(dir).filter((f) => f.endsWith('.srt')), ['Whole Movie.eng.srt']);
});
