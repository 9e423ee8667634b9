/**
 * `video_file` naming a file inside the library, as Bazarr sends it with
 * "Pass video filename to Whisper" on (whisperai.py: params video_file = the
 * video's original path, audio encoded by
 * `ffmpeg -nostdin -threads 0 -i <path> -f s16le -acodec pcm_s16le -ac 1 -ar 16000 -af aresample=async=1 -`,
 * which drops a late audio start), on real media made by ffmpeg with a
 * delayed audio stream and a real worker on the test model:
 *
 * - the answer's times move by the audio stream's start offset;
 * - a library job for the same file and language answers instead of a second
 *   transcription: from its subtitle when it finished, after waiting for it
 *   while it runs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { audioPart, engineSkip, multipart, providerApp, startWorker, waitFor, JFK } from './provider-helpers.js';
import { tempDir } from '../engine/helpers.js';
import { parseCues } from '../../src/provider/library-share.js';
import type { TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { insertLiveWorkerRow } from '../helpers/workers.js';

const skip = engineSkip();

/** A small video whose audio (jfk.wav, looped `loops` extra times) starts `delay` seconds after the picture, AAC in Matroska as web downloads have it. */
function delayedMedia(path: string, delay: number, loops = 0): number {
  execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', `color=c=black:s=64x64:r=10:d=${11 * (loops + 1) + delay + 1}`,
    '-itsoffset', String(delay), '-stream_loop', String(loops), '-i', JFK, '-map', '0:v', '-map', '1:a', '-c:v', 'mpeg4', '-c:a', 'aac', path]);
  const probe = JSON.parse(execFileSync('ffprobe', ['-v', 'error', '-print_format', 'json', '-show_streams', '-show_format', path], { encoding: 'utf8' })) as { streams: { codec_type: string; start_time: string }[]; format: { start_time: string } };
  return Number(probe.streams.find((s) => s.codec_type === 'audio')!.start_time) - Number(probe.format.start_time);
}

/** Bazarr's encode_audio_stream (whisperai.py) for a file with one audio stream. */
function bazarrPcm(path: string): Buffer {
  return execFileSync('ffmpeg', ['-nostdin', '-loglevel', 'error', '-threads', '0', '-i', path, '-f', 's16le', '-acodec', 'pcm_s16le', '-ac', '1', '-ar', '16000', '-af', 'aresample=async=1', '-'], { maxBuffer: 64 << 20 });
}

interface JsonAnswer { segments: { start: number; end: number; text: string }[] }

async function asr(app: TestApp, pcm: Buffer, query: string) {
  const { body, contentType } = multipart([audioPart(pcm)]);
  return app.app.inject({ method: 'POST', url: `/asr?task=transcribe&language=en&output=json&encode=false${query}`, payload: body, headers: { 'content-type': contentType } });
}

async function libraryApp(t: { after(fn: () => unknown): void }) {
  const lib = join(realpathSync(tempDir(t)), 'library');
  mkdirSync(join(lib, 'Show'), { recursive: true });
  const app = await providerApp({ library_paths: lib });
  t.after(() => app.close());
  await startWorker(app);
  return { app, lib };
}

test('a late audio start in the library file moves the answer\'s times by the offset', { skip, timeout: 180_000 }, async (t) => {
  const { app, lib } = await libraryApp(t);
  const media = join(lib, 'Show', 'Show - S01E01.mkv');
  const offset = delayedMedia(media, 2);
  assert.ok(offset > 1.5, `the audio starts ${offset} s late`);
  const pcm = bazarrPcm(media);
  assert.ok(pcm.length / 32000 < 12, 'Bazarr\'s PCM starts at the first audio sample: the delay is gone');

  const plain = await asr(app, pcm, '');
  assert.equal(plain.statusCode, 200, plain.body);
  const named = await asr(app, pcm, `&video_file=${encodeURIComponent(media)}`);
  assert.equal(named.statusCode, 200, named.body);
  const a = (JSON.parse(plain.body) as JsonAnswer).segments;
  const b = (JSON.parse(named.body) as JsonAnswer).segments;
  assert.ok(a.length > 0);
  assert.equal(b.length, a.length);
  b.forEach((s, i) => {
    assert.ok(Math.abs(s.start - (a[i].start + offset)) < 0.002, `${s.start} = ${a[i].start} + ${offset}`);
    assert.ok(Math.abs(s.end - (a[i].end + offset)) < 0.002);
  });
  // The SRT Bazarr saves starts late as well.
  const { body, contentType } = multipart([audioPart(pcm)]);
  const srt = await app.app.inject({ method: 'POST', url: `/asr?task=transcribe&language=en&output=srt&encode=false&video_file=${encodeURIComponent(media)}`, payload: body, headers: { 'content-type': contentType } });
  const first = /^1\n(\d\d):(\d\d):(\d\d),(\d{3})/.exec(srt.body)!;
  assert.ok(Number(first[3]) + Number(first[4]) / 1000 >= offset - 0.01, srt.body);
  // The file itself uploaded (encode=true) keeps its late start, which the pipeline applies: no second shift.
  const container = async (query: string) => {
    const m = multipart([{ name: 'audio_file', value: readFileSync(media), filename: 'Show - S01E01.mkv', contentType: 'video/x-matroska' }]);
    const res = await app.app.inject({ method: 'POST', url: `/asr?task=transcribe&language=en&output=json${query}`, payload: m.body, headers: { 'content-type': m.contentType } });
    assert.equal(res.statusCode, 200, res.body);
    return (JSON.parse(res.body) as JsonAnswer).segments.map((s) => s.start);
  };
  const own = await container('');
  assert.ok(own.length > 0 && own[0] >= offset - 0.01, `the pipeline shifted the upload by its own offset: ${own[0]}`);
  assert.deepEqual(await container(`&video_file=${encodeURIComponent(media)}`), own);
  // A name outside the library moves nothing.
  const outside = await asr(app, pcm, `&video_file=${encodeURIComponent('/elsewhere/Show - S01E01.mkv')}`);
  assert.deepEqual((JSON.parse(outside.body) as JsonAnswer).segments.map((s) => s.start), a.map((s) => s.start));
});

test('a finished library job for the same file and language answers the request from its subtitle; a running one is waited for', { skip, timeout: 240_000 }, async (t) => {
  const { app, lib } = await libraryApp(t);
  const db = app.ctx.database.db;
  const providerJobs = async () => (await db.selectFrom('jobs').select('id').where('job_type', '=', 'provider_asr').execute()).length;

  // Finished: the library made Show - S01E02.eng.srt.
  const done = join(lib, 'Show', 'Show - S01E02.mkv');
  delayedMedia(done, 1);
  const libJob = await app.ctx.jobs.create({ file_path: done, target_lang: 'eng', source_lang: 'eng', transcribe_or_translate: 'transcribe' });
  const finished = await waitFor('the library job', async () => {
    const j = await app.ctx.jobs.get(libJob.id);
    return j.status === 'completed' || j.status === 'failed' ? j : null;
  }, 120_000);
  assert.equal(finished.status, 'completed', finished.error ?? '');
  assert.ok(finished.output_path);
  const subtitle = parseCues(readFileSync(finished.output_path!, 'utf8'));
  const r = await asr(app, bazarrPcm(done), `&video_file=${encodeURIComponent(done)}`);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.headers['x-job-id'], libJob.id);
  assert.deepEqual((JSON.parse(r.body) as JsonAnswer).segments.map((s) => [s.start, s.end, s.text]), subtitle.map((s) => [s.start, s.end, s.text]));
  assert.equal(await providerJobs(), 0, 'nothing transcribed twice');
  // Another language is not shared.
  const es = await app.app.inject({ method: 'POST', url: `/asr?task=transcribe&language=es&output=json&encode=false&video_file=${encodeURIComponent(done)}`, ...(() => { const m = multipart([audioPart(bazarrPcm(done))]); return { payload: m.body, headers: { 'content-type': m.contentType } }; })() });
  assert.equal(es.statusCode, 200, es.body);
  assert.notEqual(es.headers['x-job-id'], libJob.id);
  assert.equal(await providerJobs(), 1);

  // Running: 44 s of audio keeps the worker busy long enough to ask meanwhile.
  const running = join(lib, 'Show', 'Show - S01E03.mkv');
  delayedMedia(running, 1, 3);
  const runJob = await app.ctx.jobs.create({ file_path: running, target_lang: 'eng', source_lang: 'eng', transcribe_or_translate: 'transcribe' });
  await waitFor('the library job to start', async () => (await app.ctx.jobs.get(runJob.id)).status === 'processing', 60_000);
  const waited = await asr(app, bazarrPcm(running), `&video_file=${encodeURIComponent(running)}`);
  assert.equal(waited.statusCode, 200, waited.body);
  assert.equal(waited.headers['x-job-id'], runJob.id);
  assert.equal(waited.headers['x-result-kept'], 'false', 'answered once the running job finished');
  const ran = await app.ctx.jobs.get(runJob.id);
  assert.equal(ran.status, 'completed');
  assert.deepEqual((JSON.parse(waited.body) as JsonAnswer).segments.map((s) => s.start), parseCues(readFileSync(ran.output_path!, 'utf8')).map((s) => s.start));
  assert.equal(await providerJobs(), 1, 'still only the Spanish request ran as a provider job');
});

for (const kind of databaseKinds()) test(`a library job keyed by the path a scan walked through a symlinked folder is found by that path too (${kind})`, async (t) => {
  const { createTestApp } = await import('../helpers/app.js');
  const { symlinkSync, writeFileSync } = await import('node:fs');
  const root = realpathSync(tempDir(t));
  mkdirSync(join(root, 'disk1', 'Show'), { recursive: true });
  symlinkSync(join(root, 'disk1'), join(root, 'tv'));
  const app = await createTestApp(kind);
  t.after(() => app.close());
  // Short: without the sharing the request would wait for a provider job nobody runs.
  await app.ctx.settings.bulkUpdate({ library_paths: root, provider_timeout_seconds: 2 });
  const db = app.ctx.database.db;
  await insertLiveWorkerRow(db, { workerId: 'w-1', node: app.ctx.config.nodeName });
  const walked = join(root, 'tv', 'Show', 'ep.mkv');
  writeFileSync(join(root, 'disk1', 'Show', 'ep.mkv'), 'not read: the subtitle answers');
  const srt = join(root, 'disk1', 'Show', 'ep.eng.srt');
  writeFileSync(srt, '1\n00:00:01,500 --> 00:00:03,000\nAnd so my fellow Americans\n\n2\n00:00:03,200 --> 00:00:04,000\nask not\n');
  // The library job as a scan through the symlink left it, finished.
  const job = await app.ctx.jobs.create({ file_path: walked, target_lang: 'eng', transcribe_or_translate: 'transcribe' });
  await db.updateTable('jobs').set({ status: 'completed', completed_at: new Date().toISOString(), output_path: join(root, 'tv', 'Show', 'ep.eng.srt') }).where('id', '=', job.id).execute();
  const r = await asr(app, Buffer.alloc(32000 * 2), `&video_file=${encodeURIComponent(walked)}`);
  assert.equal(r.statusCode, 200, r.body);
  assert.equal(r.headers['x-job-id'], job.id);
  assert.deepEqual((JSON.parse(r.body) as JsonAnswer).segments.map((s) => [s.start, s.end, s.text]), [[1.5, 3, 'And so my fellow Americans'], [3.2, 4, 'ask not']]);
  assert.equal((await db.selectFrom('jobs').select('id').where('job_type', '=', 'provider_asr').execute()).length, 0);
});
