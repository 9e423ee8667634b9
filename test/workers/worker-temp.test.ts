/**
 * A worker's temporary files (the extracted audio of a job) live under
 * DATA_DIR/tmp/<worker id>, not in the system's temp folder, and a worker
 * killed mid-job does not leave them there for good: the supervisor removes
 * them when the process is gone, and at its start removes every folder of a
 * worker that is no longer alive.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { WorkerSupervisor } from '../../src/workers/supervisor.js';
import { createTestApp } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/db.js';
import { pidAlive, startServerProcess, waitFor } from './helpers.js';

const HANDLERS = resolve(import.meta.dirname, 'temp-handlers.ts');


/** The extracted audio files under DATA_DIR/tmp (any depth). */
function tempAudio(dataDir: string): string[] {
  const root = join(dataDir, 'tmp');
  if (!existsSync(root)) return [];
  return (readdirSync(root, { recursive: true }) as string[]).filter((p) => p.endsWith('audio.wav')).map((p) => join(root, p));
}

test('a worker killed with SIGKILL mid-job leaves its extracted audio in DATA_DIR/tmp; its restart, and the next server start, remove it', { timeout: 240_000 }, async () => {
  const db = await createTestDatabase('sqlite');
  const setup = await createTestApp('sqlite', db);
  await setup.ctx.settings.bulkUpdate({ worker_cpu_count: 1, worker_heartbeat_seconds: 1, shutdown_timeout_seconds: 1, job_retry_backoff_seconds: 0, job_max_retries: 10 });
  const job = await setup.ctx.jobs.create({ file_path: '/virtual/held.mkv', target_lang: 'eng', job_type: 'extract_and_hold' });
  await setup.close();
  const h = openDatabase(db.url);
  const workerRow = () => h.db.selectFrom('workers').selectAll().where('current_job_id', '=', job.id).executeTakeFirst();
  /** The worker running the job, once its audio is extracted; and that file. */
  const holding = (notPid?: number | null) =>
    waitFor('a worker holding the job with its audio extracted', async () => {
      const row = await workerRow();
      const files = tempAudio(db.dataDir);
      return row?.pid && row.pid !== notPid && pidAlive(row.pid) && files.length === 1 ? { row, file: files[0] } : null;
    }, 90_000, 100);
  let server = startServerProcess(db, HANDLERS);
  try {
    const first = await holding();
    assert.equal(first.file, join(db.dataDir, 'tmp', first.row.worker_id, first.file.split('/').at(-2)!, 'audio.wav'), `under DATA_DIR/tmp/<worker id>: ${first.file}`);

    // The worker process alone is killed: its supervisor removes its files and starts it again.
    process.kill(first.row.pid!, 'SIGKILL');
    const second = await holding(first.row.pid);
    assert.equal(existsSync(first.file), false, 'the killed process left nothing behind');
    assert.notEqual(second.file, first.file, 'the retried job extracted its audio again');

    // The whole server with its workers killed mid-job: nothing cleans up until the next start.
    process.kill(-server.proc.pid!, 'SIGKILL');
    await server.exited;
    await waitFor('the worker process gone', () => !pidAlive(second.row.pid), 10_000);
    assert.ok(existsSync(second.file), 'the file outlives the killed processes');
    server = startServerProcess(db, HANDLERS);
    const third = await holding(second.row.pid);
    assert.equal(existsSync(second.file), false, 'the next start removed it');
    assert.deepEqual(tempAudio(db.dataDir), [third.file], 'only the running job has audio there');

    // A clean stop leaves an empty DATA_DIR/tmp.
    process.kill(server.proc.pid!, 'SIGTERM');
    assert.equal(await server.exited, 0);
    assert.deepEqual(readdirSync(join(db.dataDir, 'tmp')), []);
  } finally {
    server.killAll();
    await h.close();
    await db.drop();
  }
});

test("a supervisor's start removes the temporary files of workers that are gone and keeps those of live workers", async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-temp-sweep-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const node = 'sweep-node';
  const dead = spawnSync(process.execPath, ['-e', '0']).pid;
  assert.equal(pidAlive(dead), false);
  const row = (id: string, onNode: string, pid: number | null, heartbeatAgoMs: number) => ({
    worker_id: id, worker_type: 'cpu', device_id: null, node: onNode, pid, status: 'busy', desired_state: 'running', current_job_id: null,
    current_job_progress: null, current_job_eta: null, jobs_completed: 0, jobs_failed: 0, started_at: new Date().toISOString(),
    last_heartbeat_ms: Date.now() - heartbeatAgoMs, error: null, model_loaded: null,
  });
  await app.ctx.database.db.insertInto('workers').values([
    row('worker-cpu-7', node, dead, 3_600_000), // this node, its process dead: killed with the previous run
    row('worker-cpu-8', node, process.pid, 0), // this node, alive (another supervisor on the same data folder)
    row('worker-gpu-3', 'other-node', 4242, 0), // another node sharing the folder, heart-beating
    row('worker-cpu-9', 'other-node', 4243, 3_600_000), // another node that stopped long ago
  ] as never).execute();
  const put = (path: string) => {
    mkdirSync(join(dataDir, 'tmp', path, '..'), { recursive: true });
    writeFileSync(join(dataDir, 'tmp', path), 'audio');
  };
  for (const id of ['worker-cpu-7', 'worker-cpu-8', 'worker-gpu-3', 'worker-cpu-9']) put(`${id}/transcriptorio-x/audio.wav`);
  put('transcriptorio-loose/audio.wav');
  put('tio-provider-job.flac');

  const supervisor = new WorkerSupervisor({ database: app.ctx.database, databaseUrl: app.database.url, settings: app.ctx.settings, log: app.ctx.log, node, dataDir });
  try {
    await supervisor.start();
    assert.deepEqual(readdirSync(join(dataDir, 'tmp')).sort(), ['worker-cpu-8', 'worker-gpu-3'], 'the live workers keep theirs');
    assert.ok(existsSync(join(dataDir, 'tmp', 'worker-cpu-8', 'transcriptorio-x', 'audio.wav')));
  } finally {
    await supervisor.close(0);
  }
});

test('a data folder where DATA_DIR/tmp cannot be made does not keep a worker from starting (it uses the system temp folder)', { timeout: 90_000 }, async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await app.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1 });
  const dataDir = mkdtempSync(join(tmpdir(), 'tio-temp-blocked-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  writeFileSync(join(dataDir, 'tmp'), 'a file where the folder should be');
  const supervisor = new WorkerSupervisor({ database: app.ctx.database, databaseUrl: app.database.url, settings: app.ctx.settings, log: app.ctx.log, node: 'blocked-node', dataDir });
  try {
    const id = await supervisor.addWorker('cpu');
    const started = await waitFor('the worker idle', async () => {
      const r = await app.ctx.database.db.selectFrom('workers').selectAll().where('worker_id', '=', id).executeTakeFirst();
      return r?.status === 'idle' && pidAlive(r.pid) ? r : null;
    }, 60_000, 100);
    assert.ok(started.pid);
  } finally {
    // Before the database closes (the after hooks run in the order they were added).
    await supervisor.close(5000);
  }
});
