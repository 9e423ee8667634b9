/**
 * A worker whose database fills up mid-job: the data folder (and the SQLite
 * file) on a small tmpfs, a real `transcriptorio worker` process running the
 * test-only `sleep` job, and a filler file that takes every byte left. The
 * worker must not log the failure every second nor leave the job stuck in
 * `processing` until its lease runs out (set to ten minutes here): once room
 * is made, the job goes back to the queue with no attempt counted and runs
 * to the end. Skipped, with the reason, where a tmpfs cannot be mounted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { listEvents } from '../../src/jobs/job-events.repository.js';
import { createTestApp } from '../helpers/app.js';
import { NO_TMPFS, fill, mountTmpfs, unmount } from '../helpers/tmpfs.js';
import { EXTRA_HANDLERS, waitFor } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

test('a database that fills up mid-job: the worker backs off quietly, hands the job back once there is room, and it completes with no attempt counted', { timeout: 180_000 }, async (t) => {
  const dir = mountTmpfs('32m');
  if (!dir) return void t.skip(NO_TMPFS);
  const url = `sqlite:${join(dir, 'tio.db')}`;
  const setup = await createTestApp('sqlite', { kind: 'sqlite', url, dataDir: dir, drop: async () => {} });
  // A lease of ten minutes: a job left in `processing` would not come back by lease expiry within the test.
  await setup.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1, job_lease_seconds: 600, job_retry_backoff_seconds: 0, shutdown_timeout_seconds: 2 });
  const job = await setup.ctx.jobs.create({ file_path: '/virtual/library/full.mkv', target_lang: 'eng', job_type: 'sleep', options: { ms: 8000, retry_ms: 500 } });
  await setup.close();

  let log = '';
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'worker', '--cpu', '1', '--node-name', 'full-node'], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: url, DATA_DIR: dir, LOG_LEVEL: 'info', TRANSCRIPTORIO_FROM_SOURCE: '1', TRANSCRIPTORIO_EXTRA_HANDLERS: EXTRA_HANDLERS },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  proc.stdout!.on('data', (c: Buffer) => (log += c.toString()));
  proc.stderr!.on('data', (c: Buffer) => (log += c.toString()));
  const exited = new Promise((r) => proc.once('exit', r));
  const h = openDatabase(url);
  t.after(async () => {
    try {
      process.kill(-proc.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
    await exited;
    await h.close();
    unmount(dir);
  });
  const row = () => h.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();

  await waitFor('the worker running the job', async () => (await row()).status === 'processing', 60_000);
  const filler = fill(dir);
  await waitFor('the worker noticing the full database', () => /the database is full/.test(log), 30_000);
  // Some seconds full: the worker waits, doubling its pause, rather than failing every second.
  await new Promise((r) => setTimeout(r, 6000));
  const fullLines = log.split('\n').filter((l) => /SQLITE_FULL|database is full|worker loop error/.test(l));
  assert.ok(fullLines.length <= 6, `a few lines while the database is full, not one a second:\n${fullLines.join('\n')}`);
  assert.doesNotMatch(log, /worker loop error/, 'a full database is not a loop error');

  rmSync(filler);
  const done = await waitFor('the job completed once there is room', async () => {
    const r = await row();
    return r.status === 'completed' ? r : null;
  }, 60_000);
  assert.equal(done.retry_count, 0, 'no attempt counted for the full database');
  const events = await listEvents(h.db, job.id);
  assert.ok(events.some((e) => e.kind === 'handed_back' && /database (is|was) full/.test(e.message ?? '')), `the timeline says why it ran again: ${events.map((e) => `${e.kind}: ${e.message}`).join(' | ')}`);
  assert.match(log, /jobs resume|database takes writes again/, 'the worker says it resumed');
});
