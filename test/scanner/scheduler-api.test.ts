import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/db.js';
import { createTestLibrary, type TestLibrary } from './media.js';
import { waitFor } from '../helpers/wait.js';


for (const kind of databaseKinds()) {
  describe(`scanner scheduler (${kind})`, () => {
    let db: TestDatabase;
    let t: TestApp;
    let lib: TestLibrary;
    before(async () => {
      lib = createTestLibrary();
      db = await createTestDatabase(kind);
      t = await createTestApp(kind, db);
    });
    after(async () => {
      await t.close();
      await db.drop();
    });

    const post = (url: string, payload?: object) => t.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}) });
    const status = async () => (await t.app.inject({ url: '/api/scanner/status' })).json();

    test('status has every field of the contract', async () => {
      const s = await status();
      for (const k of ['scheduler_enabled', 'scheduler_running', 'next_scan_time', 'watcher_enabled', 'watcher_running', 'watched_paths', 'last_scan_time', 'total_scans']) assert.ok(k in s, k);
      assert.deepEqual([s.scheduler_enabled, s.scheduler_running, s.next_scan_time, s.total_scans], [false, false, null, 0]);
    });

    test('a bad cron expression is a 400 and changes nothing', async () => {
      const res = await post('/api/scanner/scheduler/start', { cron_expression: 'every day at noon' });
      assert.equal(res.statusCode, 400);
      assert.match(res.json().detail, /Invalid cron expression "every day at noon"/);
      assert.equal(t.ctx.settings.getBoolean('auto_scan_enabled'), false);
      assert.equal((await status()).scheduler_running, false);
    });

    test('a per-second cron fires scans; stop ends them', async () => {
      const res = await post('/api/scanner/scheduler/start', { cron_expression: '*/1 * * * * *', paths: [lib.root], recursive: true });
      assert.equal(res.statusCode, 200);
      assert.equal(res.json().message, 'Scheduler started successfully (cron: */1 * * * * *)');
      assert.equal(t.ctx.settings.getBoolean('auto_scan_enabled'), true);
      assert.equal(t.ctx.settings.getString('scanner_cron'), '*/1 * * * * *');
      assert.deepEqual(t.ctx.settings.getList('library_paths'), [lib.root]);
      const s = await status();
      assert.equal(s.scheduler_running, true);
      assert.ok(Date.parse(s.next_scan_time) - Date.now() <= 1100);
      const fired = await waitFor('a scheduled scan', async () => { const x = await status(); return x.total_scans >= 1 && x; }, 8000);
      assert.ok(fired.total_scans >= 1, 'the scheduler ran a scan');
      assert.ok(fired.last_scan_time);
      const stop = await post('/api/scanner/scheduler/stop');
      assert.equal(stop.json().message, 'Scheduler stopped successfully');
      const after = await status();
      assert.deepEqual([after.scheduler_enabled, after.scheduler_running, after.next_scan_time], [false, false, null]);
      // Nothing is left armed that could fire, and a scan that was already running is allowed to end.
      assert.equal(t.ctx.scanner.scheduler.hasPendingRun(), false, 'no scan after stop');
      await waitFor('the scan to end', async () => { const x = await status(); return !x.scan_running && x; }, 8000);
    });

    test('interval schedule; next run time persisted and kept across a restart', async () => {
      const res = await post('/api/scanner/scheduler/start', { cron_expression: '' });
      assert.equal(res.json().message, 'Scheduler started successfully (every 360 minutes)');
      const s = await status();
      const next = Date.parse(s.next_scan_time);
      assert.ok(Math.abs(next - (Date.now() + 360 * 60_000)) < 5000);
      const sys = (await t.app.inject({ url: '/api/status' })).json();
      assert.deepEqual([sys.scanner.scheduler_enabled, sys.scanner.scheduler_running, sys.scanner.next_scan_time], [true, true, s.next_scan_time]);

      // Restart: a new server process on the same database.
      await t.close();
      t = await createTestApp(kind, db);
      assert.equal((await status()).scheduler_running, false, 'nothing runs before the background start');
      await t.ctx.scanner.resume(); // what the scanner background component does at boot
      const resumed = await status();
      assert.equal(resumed.scheduler_running, true);
      assert.equal(resumed.next_scan_time, s.next_scan_time, 'the rhythm is kept, not pushed a full interval away');
      assert.ok(resumed.total_scans >= 1, 'the scan count survives the restart');
      await post('/api/scanner/scheduler/stop');
    });

    test('enabling through the settings API starts the scheduler too', async () => {
      const res = await t.app.inject({ method: 'PUT', url: '/api/settings/auto_scan_enabled', payload: { value: 'true' } });
      assert.equal(res.statusCode, 200, res.body);
      const s = await waitFor('the scheduler running', async () => { const x = await status(); return x.scheduler_running && x; }, 2000);
      assert.equal(s.scheduler_running, true);
      await post('/api/scanner/scheduler/stop');
    });
  });
}
