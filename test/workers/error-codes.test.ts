/**
 * Failures with their own code, through real worker processes: a library the
 * service cannot write, a folder it cannot enter, a truncated file, a file of
 * silence, a full disk, a worker that died, options that do not fit the job's
 * type. Permanent ones fail at once
 * (retry_count 0), and every failure stores its error_code.
 *
 * Tests run as root here, and root ignores permission bits. So the conditions
 * are real ones: a read-only bind mount (EROFS), a tmpfs filled up (ENOSPC),
 * and, for permission bits, a copy of this file run by a process that has
 * dropped root's override capabilities (setpriv), where chmod 000 means what
 * it means for a service user. Each says why when it cannot run.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { accessSync, chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { makeVideo, useTestModel, waitFor } from './helpers.js';
import { claim as claimNextJob, recoverExpired as recoverExpiredLeases, retryDelayMs } from '../../src/jobs/job-lifecycle.repository.js';
import { assertCompleteAudio } from '../../src/transcription/audio.js';
import { writeSubtitleFile } from '../../src/transcription/output.js';
import { localMediaPath } from '../../src/workers/handlers/transcription.handler.js';

/** Set in the copy of this file that runs without root's permission override. */
const NO_DAC = process.env.TIO_TEST_NO_DAC === '1';
const IN_PARENT_ONLY = NO_DAC ? 'runs in the parent test process' : false;
const isRoot = process.getuid?.() === 0;

async function submit(t: TestApp, file: string): Promise<string> {
  const r = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: file, file_name: file.split('/').pop(), target_lang: 'eng', source_lang: 'eng', quality_preset: 'fast' } });
  assert.equal(r.statusCode, 201, r.body);
  return r.json().id;
}

async function finished(t: TestApp, id: string, ms = 90_000) {
  return waitFor(`job ${id} finished`, async () => {
    const j = (await t.app.inject({ url: `/api/jobs/${id}` })).json();
    return j.status === 'completed' || j.status === 'failed' ? j : null;
  }, ms);
}

async function addWorker(t: TestApp): Promise<string> {
  const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
  assert.equal(add.statusCode, 201, add.body);
  return add.json().worker_id;
}

/** A video whose audio track is digital silence. */
function makeSilentVideo(dir: string, name: string, seconds: number): string {
  mkdirSync(dir, { recursive: true });
  const out = join(dir, name);
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=160x120:r=5', '-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono', '-t', String(seconds),
    '-map', '0:v', '-map', '1:a', '-c:v', 'libx264', '-preset', 'ultrafast', '-c:a', 'aac', '-metadata:s:a:0', 'language=eng', out,
  ]);
  return out;
}

/** Runs `mount` with the arguments; the reason it could not, or null. */
function tryMount(...args: string[]): string | null {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
    return null;
  } catch (e) {
    return `mount ${args.join(' ')} failed (needs root and a kernel that allows it): ${String((e as { stderr?: Buffer }).stderr ?? (e as Error).message).trim()}`;
  }
}

function unmount(dir: string): void {
  try {
    execFileSync('umount', [dir], { stdio: 'pipe' });
  } catch {
    /* not mounted */
  }
}

test('a job whose options do not fit its type fails once as bad_job naming the field, before its handler runs', { timeout: 120_000, skip: IN_PARENT_ONLY }, async () => {
  const lib = mkdtempSync(join(tmpdir(), 'tio-lib-'));
  const video = makeVideo(lib, 'Movie.mkv');
  const t = await createTestApp('sqlite');
  try {
    await useTestModel(t.ctx, { library_paths: lib, job_max_retries: 3 });
    const job = await t.ctx.jobs.create({ file_path: video, target_lang: 'eng', source_lang: 'eng', options: { audio_language: 5, source: 'test' } });
    await addWorker(t);
    const j = await finished(t, job.id);
    assert.equal(j.status, 'failed');
    assert.equal(j.error_code, 'bad_job');
    assert.match(j.error, /options\.audio_language must be string/);
    assert.equal(j.retry_count, 0, 'not retried: another attempt reads the same options');
    assert.deepEqual(readdirSync(lib), ['Movie.mkv'], 'the handler never ran');
  } finally {
    await t.close();
    rmSync(lib, { recursive: true, force: true });
  }
});

test('a read-only library folder fails the job once as output_not_writable, before the transcription, and it is not retried', { timeout: 180_000, skip: IN_PARENT_ONLY }, async (ctx) => {
  const lib = mkdtempSync(join(tmpdir(), 'tio-lib-'));
  const ro = join(lib, 'ReadOnly');
  const video = makeVideo(ro, 'Movie.mkv');
  const why = tryMount('--bind', ro, ro) ?? tryMount('-o', 'remount,ro,bind', ro);
  if (why) {
    unmount(ro);
    rmSync(lib, { recursive: true, force: true });
    return ctx.skip(why);
  }
  const t = await createTestApp('sqlite');
  try {
    assert.throws(() => writeFileSync(join(ro, 'probe'), ''), /EROFS/, 'the folder is really read-only');
    await useTestModel(t.ctx, { library_paths: lib, job_max_retries: 3 });
    const id = await submit(t, video);
    const workerId = await addWorker(t);
    const j = await finished(t, id);
    assert.equal(j.status, 'failed');
    assert.equal(j.error_code, 'output_not_writable');
    assert.match(j.error, /Cannot write subtitles next to .*Movie\.mkv: the folder .*ReadOnly is on a read-only file system/);
    assert.match(j.error, /Mount the library read-write/);
    assert.equal(j.retry_count, 0, 'a permanent error is not retried');
    assert.equal(j.max_retries, 3);
    assert.equal(j.output_path, null);
    // Failed before any work: the transcription never started.
    assert.ok(j.processing_time_seconds < 30, `failed after ${j.processing_time_seconds} s`);
    const w = (await t.app.inject({ url: `/api/workers/${workerId}` })).json();
    assert.equal(w.jobs_failed, 1, 'one attempt, one failure');
    assert.deepEqual(readdirSync(ro), ['Movie.mkv'], 'nothing was written');
  } finally {
    await t.close();
    unmount(ro);
    rmSync(lib, { recursive: true, force: true });
  }
});

test('a truncated file fails as incomplete_media instead of completing with half a subtitle; silence completes with 0 segments and writes no subtitle', { timeout: 240_000, skip: IN_PARENT_ONLY }, async () => {
  const t = await createTestApp('sqlite');
  const lib = mkdtempSync(join(tmpdir(), 'tio-lib-'));
  const scratch = mkdtempSync(join(tmpdir(), 'tio-src-'));
  try {
    // VAD on (the bundled Silero model): silence then holds no speech at all.
    await useTestModel(t.ctx, { library_paths: lib, vad_enabled: true });
    // 12 x 11 s of speech, cut to 40 %: the container still says 2:12, the audio ends near 0:53.
    const full = makeVideo(scratch, 'Full.mkv', { repeat: 12 });
    const bytes = readFileSync(full);
    const cut = join(lib, 'Cut.mkv');
    writeFileSync(cut, bytes.subarray(0, Math.floor(bytes.length * 0.4)));
    const silent = makeSilentVideo(lib, 'Silence.mkv', 20);
    const cutId = await submit(t, cut);
    const silentId = await submit(t, silent);
    await addWorker(t);

    const c = await finished(t, cutId);
    assert.equal(c.status, 'failed', `a truncated file is not a result: ${c.error}`);
    assert.ok(['incomplete_media', 'corrupt_media'].includes(c.error_code), c.error_code);
    assert.equal(c.error_code, 'incomplete_media', 'a Matroska file cut short still names its full duration');
    assert.match(c.error, /Cut\.mkv is incomplete: its audio ends after \d+\.\d s of the 13\d\.\d s \(2:1\d\) its container declares.*still being copied/);
    assert.equal(c.retry_count, 0);
    assert.equal(existsSync(join(lib, 'Cut.eng.srt')), false);

    const s = await finished(t, silentId);
    assert.equal(s.status, 'completed', s.error);
    assert.equal(s.segments_count, 0);
    assert.equal(s.output_path, null);
    assert.equal(s.error_code, null);
    assert.deepEqual(readdirSync(lib).filter((f) => f.startsWith('Silence') || f.startsWith('.Silence')), ['Silence.mkv'], 'no empty subtitle, no ownership record');
  } finally {
    await t.close();
    rmSync(lib, { recursive: true, force: true });
    rmSync(scratch, { recursive: true, force: true });
  }
});

/**
 * The permission-bit cases. As a non-root user they run here; as root they
 * run in a copy of this file started without CAP_DAC_OVERRIDE and
 * CAP_DAC_READ_SEARCH, inherited by the worker processes it forks.
 */
async function permissionCases(): Promise<void> {
  const t = await createTestApp('sqlite');
  const lib = mkdtempSync(join(tmpdir(), 'tio-lib-'));
  const locked = join(lib, 'Locked');
  const noWrite = join(lib, 'NoWrite');
  try {
    const hidden = makeVideo(locked, 'Hidden.mkv');
    const movie = makeVideo(noWrite, 'Movie.mkv');
    chmodSync(locked, 0o000);
    chmodSync(noWrite, 0o555);
    assert.throws(() => accessSync(hidden), /EACCES/, 'this process is subject to permission bits');
    // The same check the handler makes, without a worker: denied is not missing, and missing stays missing.
    const settings = { get: () => '' } as never;
    assert.throws(() => localMediaPath({ job: { file_path: hidden } as never, settings }), (e: Error & { code?: string }) => e.code === 'media_unreadable');
    writeFileSync(join(lib, 'Show'), 'a file where a folder should be');
    assert.throws(() => localMediaPath({ job: { file_path: join(lib, 'Show', 'ep1.mkv') } as never, settings }, 'node-a'), (e: Error & { code?: string }) => e.code === 'file_not_found' && /File not found on node node-a/.test(e.message));
    await useTestModel(t.ctx, { library_paths: lib, job_max_retries: 3 });
    const hiddenId = await submit(t, hidden);
    const movieId = await submit(t, movie);
    await addWorker(t);

    const h = await finished(t, hiddenId);
    assert.equal(h.status, 'failed');
    assert.equal(h.error_code, 'media_unreadable', h.error);
    assert.match(h.error, /^Permission denied reading .*Hidden\.mkv: the service user .* cannot enter the folder .*Locked\. Give that user read access/);
    assert.doesNotMatch(h.error, /not found|path mappings/i);
    assert.equal(h.retry_count, 0);

    const m = await finished(t, movieId);
    assert.equal(m.status, 'failed');
    assert.equal(m.error_code, 'output_not_writable', m.error);
    assert.match(m.error, /the folder .*NoWrite is not writable by the service user .*Give that user write access/);
    assert.equal(m.retry_count, 0);
  } finally {
    await t.close();
    chmodSync(locked, 0o700);
    chmodSync(noWrite, 0o755);
    rmSync(lib, { recursive: true, force: true });
  }
}

test('a folder the service cannot enter fails as media_unreadable (not "file not found"); one it cannot write as output_not_writable', { timeout: 240_000 }, async (ctx) => {
  if (NO_DAC || !isRoot) return permissionCases();
  const setpriv = ['/usr/bin/setpriv', '/bin/setpriv'].find((p) => existsSync(p));
  if (!setpriv) return ctx.skip('root ignores permission bits, and setpriv (util-linux) is not here to drop that override');
  const drop = '-dac_override,-dac_read_search';
  // A fresh test run of this file, not a subtest of this one (NODE_TEST_CONTEXT would make it one).
  const { NODE_TEST_CONTEXT: _, ...env } = process.env;
  const child = spawn(setpriv, [`--bounding-set=${drop}`, `--inh-caps=${drop}`, process.execPath, '--import', 'tsx', '--test', '--test-reporter=tap', import.meta.filename], {
    env: { ...env, TIO_TEST_NO_DAC: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c));
  child.stderr.on('data', (c: Buffer) => (out += c));
  const code = await new Promise<number | null>((r) => child.on('close', r));
  if (code !== 0 && /Operation not permitted|setpriv:/.test(out) && !/# tests/.test(out)) return ctx.skip(`setpriv could not drop the capabilities: ${out.trim().slice(0, 300)}`);
  assert.equal(code, 0, `the run without root's override failed:\n${out}`);
  assert.match(out, /# pass 1\n/, out);
  assert.match(out, /# fail 0\n/, out);
});

test('a full disk fails the subtitle write as disk_full and leaves the folder as it was', { skip: IN_PARENT_ONLY }, async (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-full-'));
  const why = tryMount('-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', dir);
  if (why) {
    rmSync(dir, { recursive: true, force: true });
    return ctx.skip(why);
  }
  try {
    writeFileSync(join(dir, 'Movie.mkv'), '');
    // Fill the disk to the last block.
    try {
      writeFileSync(join(dir, 'filler'), Buffer.alloc(1 << 20));
    } catch (e) {
      assert.equal((e as NodeJS.ErrnoException).code, 'ENOSPC');
    }
    const before = readdirSync(dir).sort();
    const err = await writeSubtitleFile(join(dir, 'Movie.eng.srt'), '1\n00:00:00,000 --> 00:00:01,000\nhello\n'.repeat(400), { media: join(dir, 'Movie.mkv'), language: 'eng', model: 'm' }).then(() => null, (e: unknown) => e);
    assert.ok(err, 'the write failed');
    assert.equal((err as { code?: string }).code, 'disk_full');
    assert.match((err as Error).message, /^The disk holding .*tio-full-.* is full \(no space is left\).*free space there/);
    assert.deepEqual(readdirSync(dir).sort(), before, 'no temp file and no ownership record left behind');
  } finally {
    unmount(dir);
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the incomplete rule: more than max(2 s, 5 %) of the track missing, or ffmpeg saying the file is cut short; a guessed duration never judges', { skip: IN_PARENT_ONLY }, () => {
  const info = (duration: number | null, durationEstimated = false, extra: { declaredDuration?: number; truncation?: string } = {}) => ({ duration, durationEstimated, formatStartTime: 0, audio: [], hasVideo: true, ...extra });
  const stream = (duration: number | null, startTime = 0) => ({ index: 1, audioIndex: 0, codec: 'aac', language: 'eng', isDefault: true, channels: 2, startTime, duration });
  const incomplete = (fn: () => void, why?: string) => assert.throws(fn, (e: Error & { code?: string }) => e.code === 'incomplete_media', why);
  incomplete(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 500));
  incomplete(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 565), '35 s of 600 s: over 5 %');
  incomplete(() => assertCompleteAudio('/m.mkv', info(11), stream(null), 3.3), 'a short clip cut to 30 %');
  incomplete(() => assertCompleteAudio('/m.mkv', info(11), stream(null), 8.5), '2.5 s of 11 s: over the 2 s floor');
  incomplete(() => assertCompleteAudio('/m.mkv', info(7200), stream(7190), 3600, 'File ended prematurely'));
  incomplete(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 599, 'stream 1, offset 0x841d: partial file'), 'ffmpeg says cut short and a second is missing');
  incomplete(() => assertCompleteAudio('/m.mkv', info(null, false, { truncation: 'File ended prematurely' }), stream(null), 3), "the probe's own truncation message, no duration to compare with");
  incomplete(() => assertCompleteAudio('/m.wav', info(3.3, true, { declaredDuration: 11 }), stream(null), 3.3), "a WAV's header declares more than the file holds");
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 575), '25 s of 600 s: a track that ends a little early');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(11), stream(null), 9.5), 'a container duration 1.5 s off on a short clip');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 599.8, 'Truncating packet of size 1024 to 7'), 'a damaged last packet, the audio all there');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(600), stream(null), 580, 'Invalid data found when processing input'), 'other complaints are no truncation');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(7200, true), stream(null), 60), 'a duration guessed from the bitrate');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(7200), stream(3600), 3590), "the track's own duration wins over the container's");
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(null), stream(null), 1), 'no duration to compare with');
  assert.doesNotThrow(() => assertCompleteAudio('/m.mkv', info(700), stream(null, 100), 590), 'audio that starts 100 s in is measured from its start');
});

for (const kind of databaseKinds()) {
  test(`${kind}: an expired lease re-queues the job as worker_lost after the one back-off, and a manual retry clears the code`, { skip: IN_PARENT_ONLY }, async () => {
    const t = await createTestApp(kind);
    const lib = mkdtempSync(join(tmpdir(), 'tio-lib-'));
    try {
      await t.ctx.settings.bulkUpdate({ library_paths: lib, job_max_retries: 1 });
      const id = await submit(t, join(lib, 'Movie.mkv'));
      const db = t.ctx.database.db;
      const now = Date.now();
      assert.ok(await claimNextJob(db, t.ctx.database.kind, { workerId: 'w-gone', leaseMs: 1000, now }));
      assert.deepEqual(await recoverExpiredLeases(db, { now: now + 5000, backoffMs: 7000 }), { requeued: 1, failed: 0 });
      let row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.status, 'queued');
      assert.equal(row.error_code, 'worker_lost');
      assert.equal(Number(row.not_before), now + 5000 + retryDelayMs(7000, 0));
      assert.equal((await t.app.inject({ url: `/api/jobs/${id}` })).json().error_code, 'worker_lost');

      // The second loss is past max_retries: failed, with the code.
      assert.ok(await claimNextJob(db, t.ctx.database.kind, { workerId: 'w-gone', leaseMs: 1000, now: now + 20_000 }));
      row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(row.error_code, null, 'a claimed job has no error yet');
      assert.deepEqual(await recoverExpiredLeases(db, { now: now + 30_000, backoffMs: 7000 }), { requeued: 0, failed: 1 });
      const failed = (await t.app.inject({ url: `/api/jobs/${id}` })).json();
      assert.equal(failed.status, 'failed');
      assert.equal(failed.error_code, 'worker_lost');

      const retried = await t.app.inject({ method: 'POST', url: `/api/jobs/${id}/retry` });
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal(retried.json().error_code, null);
      assert.equal(retried.json().error, null);
    } finally {
      await t.close();
      rmSync(lib, { recursive: true, force: true });
    }
  });
}
