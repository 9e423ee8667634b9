import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { createTestLibrary, type TestLibrary } from './media.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Writes `src` to `dest` in chunks spread over `ms`, like a slow copy from a network share. */
async function slowCopy(src: string, dest: string, ms: number, chunks = 10): Promise<void> {
  const data = readFileSync(src);
  const fd = openSync(dest, 'w');
  const size = Math.ceil(data.length / chunks);
  try {
    for (let i = 0; i < chunks; i++) {
      writeSync(fd, data.subarray(i * size, (i + 1) * size));
      await sleep(ms / chunks);
    }
  } finally {
    closeSync(fd);
  }
}

for (const kind of databaseKinds()) {
  describe(`scanner watcher (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    let watched: string;
    before(async () => {
      lib = createTestLibrary();
      watched = mkdtempSync(join(tmpdir(), 'tio-watch-'));
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ watcher_stable_seconds: 1 });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
    });
    after(async () => t.close());

    const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
    const status = async () => (await t.app.inject({ url: '/api/scanner/status' })).json();
    const jobCount = async () => (await t.ctx.jobs.stats()).total_jobs;
    /**
     * Drops a file the rules want into the watched folder and waits for its
     * job: the watcher has then handled every event before it, so a test can
     * assert that nothing else made a job without sleeping on a guess.
     */
    const sentinel = async (name: string) => {
      const path = join(watched, name);
      copyFileSync(lib.anime, path);
      const end = Date.now() + 15_000;
      for (;;) {
        const { jobs } = await t.ctx.jobs.list({ page: 1, pageSize: 500 });
        if (jobs.some((j) => j.file_path === path)) break;
        if (Date.now() > end) throw new Error(`the watcher made no job for ${name} within 15 s`);
        await sleep(100);
      }
      await t.ctx.scanner.watcher.idle();
    };

    test('start without library paths: 400', async () => {
      const res = await post('/api/scanner/watcher/start');
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().detail, 'No library paths configured');
      assert.equal((await status()).watcher_running, false);
    });

    test('a file copied in slowly makes exactly one job, after the copy completes', async () => {
      const res = await post('/api/scanner/watcher/start', { paths: [watched] });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().message, 'File watcher started successfully');
      const s = await status();
      assert.deepEqual([s.watcher_enabled, s.watcher_running, s.watched_paths], [true, true, [watched]]);

      mkdirSync(join(watched, 'Season 1'));
      const dest = join(watched, 'Season 1', 'Slow Episode.mkv');
      await slowCopy(lib.anime, dest, 2400, 12);
      assert.equal(await jobCount(), 0, 'no job while the file was still being written');
      const end = Date.now() + 8000;
      while ((await jobCount()) === 0 && Date.now() < end) await sleep(100);
      await sentinel('Sentinel 1.mkv'); // a second job for the slow file would come before this one's
      const jobs = (await t.ctx.jobs.list({ page: 1, pageSize: 10 })).jobs.filter((j) => j.file_path === dest);
      assert.equal(jobs.length, 1);
      assert.equal(await jobCount(), 2, 'the slow file and the sentinel, nothing else');
      assert.deepEqual([jobs[0].file_path, jobs[0].target_lang, jobs[0].source_lang], [dest, 'spa', 'jpn']);
    });

    test('temporary files, subtitles, hidden folders and marked folders are ignored', async () => {
      const before = await jobCount();
      copyFileSync(lib.anime, join(watched, 'Download.mkv.part'));
      copyFileSync(lib.anime, join(watched, 'Download2.mkv.!qB'));
      writeFileSync(join(watched, 'Slow Episode.es.srt'), '1\n00:00:00,000 --> 00:00:01,000\nHola\n');
      mkdirSync(join(watched, '.cache'));
      copyFileSync(lib.anime, join(watched, '.cache', 'Hidden.mkv'));
      mkdirSync(join(watched, 'Private', 'Deeper'), { recursive: true });
      writeFileSync(join(watched, 'Private', '.notranscribe'), '');
      copyFileSync(lib.anime, join(watched, 'Private', 'Deeper', 'Secret.mkv'));
      await sentinel('Sentinel 2.mkv');
      assert.equal(await jobCount(), before + 1, 'only the sentinel made a job');
    });

    test('a link to media outside the watched folders and a .ts TypeScript file make no job', async () => {
      const before = await jobCount();
      const outside = mkdtempSync(join(tmpdir(), 'tio-watch-outside-'));
      copyFileSync(lib.anime, join(outside, 'Outside.mkv'));
      mkdirSync(join(outside, 'Folder'));
      copyFileSync(lib.anime, join(outside, 'Folder', 'Deep.mkv'));
      symlinkSync(join(outside, 'Outside.mkv'), join(watched, 'Linked.mkv'));
      symlinkSync(join(outside, 'Folder'), join(watched, 'Linked Folder'));
      writeFileSync(join(watched, 'tool.ts'), 'export const x: number = 1;\n'.repeat(30));
      await sentinel('Sentinel 3.mkv');
      copyFileSync(lib.anime, join(outside, 'Folder', 'Later.mkv'));
      await sentinel('Sentinel 4.mkv');
      assert.equal(await jobCount(), before + 2, 'only the two sentinels made jobs');
    });

    test('a moved-in file is picked up; stop ends watching', async () => {
      const before = await jobCount();
      const staging = mkdtempSync(join(tmpdir(), 'tio-staging-'));
      const src = join(staging, 'Moved.mkv');
      copyFileSync(lib.generated, src);
      // Same file system: a rename, as Sonarr/Radarr do when importing.
      const { renameSync } = await import('node:fs');
      const target = join(watched, 'Moved.mkv');
      renameSync(src, target);
      const end = Date.now() + 6000;
      while ((await jobCount()) === before && Date.now() < end) await sleep(100);
      assert.equal(await jobCount(), before + 1);

      const stop = await post('/api/scanner/watcher/stop');
      assert.equal(stop.json().message, 'File watcher stopped successfully');
      const s = await status();
      assert.deepEqual([s.watcher_enabled, s.watcher_running, s.watched_paths], [false, false, []]);
      // Stopped means closed: no watch is left that could see the next file.
      assert.equal(t.ctx.scanner.watcher.isRunning(), false);
      copyFileSync(lib.anime, join(watched, 'After Stop.mkv'));
      await t.ctx.scanner.watcher.idle();
      assert.equal(await jobCount(), before + 1);
    });
  });
}
