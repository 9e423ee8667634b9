/**
 * The worker pool as part of a real server process: workers started from the
 * settings at boot, handed-back jobs on SIGTERM, and jobs of workers that died
 * with a killed server recovered at the next boot.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { openDatabase } from '../../src/db/database.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { pidAlive, startServerProcess, waitFor } from './helpers.js';



test('server: workers from worker_cpu_count start at boot; SIGTERM hands the running job back without a retry penalty; a killed server\'s jobs are recovered at the next boot', { timeout: 180_000 }, async () => {
  const db = await createTestDatabase('sqlite');
  const setup = await createTestApp('sqlite', db);
  await setup.ctx.settings.bulkUpdate({ worker_cpu_count: 1, worker_heartbeat_seconds: 1, shutdown_timeout_seconds: 1, job_retry_backoff_seconds: 0 });
  const job = await setup.ctx.jobs.create({ file_path: '/virtual/a.mkv', target_lang: 'eng', job_type: 'sleep', options: { ms: 30_000 } });
  await setup.close();
  const h = openDatabase(db.url);
  const jobRow = () => h.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
  const workerRows = () => h.db.selectFrom('workers').selectAll().execute();
  let server = startServerProcess(db);
  try {
    const busy = await waitFor('boot worker running the job', async () => {
      const rows = await workerRows();
      return rows.length === 1 && rows[0].status === 'busy' && rows[0].current_job_id === job.id ? rows[0] : null;
    }, 60_000, 100);
    assert.ok(pidAlive(busy.pid));

    process.kill(server.proc.pid!, 'SIGTERM');
    assert.equal(await server.exited, 0);
    const handed = await jobRow();
    assert.equal(handed.status, 'queued', 'handed back to the queue');
    assert.equal(handed.worker_id, null);
    assert.equal(handed.retry_count, 0, 'no attempt counted for a shutdown');
    assert.deepEqual(await workerRows(), [], 'worker rows removed on a clean stop');
    assert.ok(!pidAlive(busy.pid), 'worker process ended with the server');

    // Now kill the whole server process tree mid-job: nothing gets to clean up.
    server = startServerProcess(db);
    const again = await waitFor('job running again', async () => {
      const rows = await workerRows();
      return rows.length === 1 && rows[0].current_job_id === job.id ? rows[0] : null;
    }, 60_000, 100);
    process.kill(-server.proc.pid!, 'SIGKILL');
    await server.exited;
    await waitFor('worker process gone', () => !pidAlive(again.pid), 10_000);
    assert.equal((await jobRow()).status, 'processing', 'left processing by the dead worker');

    server = startServerProcess(db);
    const recovered = await waitFor('job recovered at boot and running on a new worker', async () => {
      const j = await jobRow();
      const rows = await workerRows();
      return j.status === 'processing' && rows.length === 1 && rows[0].pid !== again.pid && rows[0].current_job_id === job.id ? j : null;
    }, 60_000, 100);
    assert.equal(recovered.retry_count, 1, 'a crash counts as an attempt');
  } finally {
    server.killAll();
    await h.close();
    await db.drop();
  }
});
