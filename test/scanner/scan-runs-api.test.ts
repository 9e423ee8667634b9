import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, realpathSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { getState, setState } from '../../src/scanner/scanner.repository.js';
import { createTestLibrary, type TestLibrary } from './media.js';
import { slowFfprobe, writeSlowMedia } from './slow-ffprobe.js';
import { waitFor } from '../helpers/wait.js';


const SLOW_FILES = 12;
// One wrapper for the whole file, named by each app's configuration (FFPROBE_PATH).
const probe = slowFfprobe(mkdtempSync(join(tmpdir(), 'tio-ffprobe-')));

for (const kind of databaseKinds()) {
  describe(`scan runs: follow, cancel, lease (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    let root: string;
    let anime: string;
    before(async () => {
      lib = createTestLibrary();
      root = realpathSync(mkdtempSync(join(tmpdir(), 'tio-runs-')));
      anime = join(root, 'Anime', 'Show S01E01.mkv');
      mkdirSync(join(root, 'Anime'));
      copyFileSync(lib.anime, anime);
      mkdirSync(join(root, 'Slow'));
      for (let i = 0; i < SLOW_FILES; i++) writeSlowMedia(lib.english, join(root, 'Slow', `slow-${String(i).padStart(2, '0')}.mkv`));
      mkdirSync(join(root, 'Empty'));
      t = await createTestApp(kind, undefined, { env: { FFPROBE_PATH: probe.bin } });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
      await t.app.inject({ method: 'PUT', url: '/api/settings/library_paths', payload: { value: root } });
      await t.ctx.settings.bulkUpdate({ scanner_probe_concurrency: SLOW_FILES + 4 });
    });
    after(async () => t.close());

    const run = async (id: string) => (await t.app.inject({ url: `/api/scanner/scans/${id}` })).json();
    test('?wait=false answers 202 with a scan_id; the run shows progress; cancel stops it, kills ffprobe, keeps its jobs; the next scan is accepted', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/scan?wait=false', payload: {} });
      assert.equal(res.statusCode, 202, res.body);
      const started = res.json();
      assert.equal(started.status, 'running');
      assert.match(started.scan_id, /^[0-9a-f]{16}$/);
      assert.equal(res.headers['x-scan-id'], started.scan_id);
      assert.match(started.message, /POST \/api\/scanner\/scans\/[0-9a-f]+\/cancel/);
      const id = started.scan_id;
      const earlier = probe.pids().length;

      // The quick file is analysed while every slow-* probe hangs.
      const running = await waitFor('the quick file to be analysed', async () => { const r = await run(id); return r.progress.current_path === anime && r; });
      assert.deepEqual([running.status, running.result, running.finished_at, running.progress.total_files], ['running', null, null, SLOW_FILES + 1]);
      await waitFor('every slow ffprobe to start', () => probe.pids().length - earlier === SLOW_FILES);
      const status = (await t.app.inject({ url: '/api/scanner/status' })).json();
      assert.equal(status.scan_running, true);
      assert.equal(status.current_scan.scan_id, id, 'the UI can cancel any running scan');
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } })).statusCode, 409);

      const t0 = Date.now();
      const cancel = await t.app.inject({ method: 'POST', url: `/api/scanner/scans/${id}/cancel` });
      const took = Date.now() - t0;
      assert.equal(cancel.statusCode, 200, cancel.body);
      assert.ok(took < 5000, `cancel took ${took} ms`);
      const done = cancel.json();
      assert.equal(done.status, 'cancelled');
      assert.ok(done.finished_at);
      assert.equal(done.result.cancelled, true);
      assert.equal(done.result.scanned_files, 1, 'the files handled before the cancel');
      assert.equal(done.result.jobs_created, 1);
      assert.deepEqual((await t.ctx.jobs.list({ page: 1, pageSize: 10 })).jobs.map((j) => j.file_path), [anime], 'jobs made by the cancelled scan stay');
      assert.deepEqual(probe.alive(), [], 'no ffprobe is left running');
      assert.equal((await run(id)).status, 'cancelled');

      const next = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [join(root, 'Empty')] } });
      assert.equal(next.statusCode, 200, 'not 409: the cancelled scan let go of the lease at once');
      assert.equal((await t.app.inject({ url: '/api/scanner/status' })).json().current_scan, null);
    });

    test('a waited-for scan names its run in x-scan-id; the run holds the result; unknown ids are 404', async () => {
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [join(root, 'Anime')], dry_run: true } });
      assert.equal(res.statusCode, 200);
      const id = res.headers['x-scan-id'] as string;
      assert.ok(id);
      const r = await run(id);
      assert.equal(r.status, 'completed');
      assert.equal(r.dry_run, true);
      assert.deepEqual(r.paths, [join(root, 'Anime')]);
      assert.equal(r.result.scanned_files, 1);
      assert.equal(r.result.cancelled, false);
      assert.equal(r.progress.scanned_files, 1);
      const list = (await t.app.inject({ url: '/api/scanner/scans' })).json();
      assert.equal(list[0].scan_id, id, 'newest first');
      assert.equal((await t.app.inject({ url: '/api/scanner/scans/0123456789abcdef' })).statusCode, 404);
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/scanner/scans/0123456789abcdef/cancel' })).statusCode, 404);
      const again = await t.app.inject({ method: 'POST', url: `/api/scanner/scans/${id}/cancel` });
      assert.equal(again.json().status, 'completed', 'cancelling a finished run changes nothing');
    });

    test('a lease left by a dead process of this host is taken over at once; a live holder still gets 409', async () => {
      const db = t.ctx.database.db;
      const lease = (pid: number) => JSON.stringify({ owner: `${hostname()}:${pid}:dead0001`, expires_ms: Date.now() + 3_600_000 });
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      await setState(db, 'scanner.lock', lease(dead));
      const res = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [join(root, 'Empty')] } });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(await getState(db, 'scanner.lock'), null, 'released after the scan');

      const child = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 60000)'], { stdio: 'ignore' });
      try {
        await setState(db, 'scanner.lock', lease(child.pid!));
        const busy = await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [join(root, 'Empty')] } });
        assert.equal(busy.statusCode, 409);
        assert.match(busy.json().detail, new RegExp(`in process ${hostname()}:${child.pid}:`));
      } finally {
        child.kill('SIGKILL');
        await setState(db, 'scanner.lock', null);
      }
    });

    test('the scanner releases a dead lease when it starts (a server killed mid-scan)', async () => {
      const db = t.ctx.database.db;
      const dead = spawnSync(process.execPath, ['-e', '']).pid!;
      const value = JSON.stringify({ owner: `${hostname()}:${dead}:dead0002`, expires_ms: Date.now() + 3_600_000 });
      await setState(db, 'scanner.lock', value);
      await t.ctx.scanner.resume();
      assert.equal(await getState(db, 'scanner.lock'), null);
      // A live one (this process) is left alone.
      const mine = JSON.stringify({ owner: `${hostname()}:${process.pid}:live0001`, expires_ms: Date.now() + 3_600_000 });
      await setState(db, 'scanner.lock', mine);
      await t.ctx.scanner.resume();
      assert.equal(await getState(db, 'scanner.lock'), mine);
      await setState(db, 'scanner.lock', null);
    });
  });
}
