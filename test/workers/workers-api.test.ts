/** Workers API: validation, 404s, GPU workers that cannot run here, and workers of other nodes. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { pidAlive } from './helpers.js';

/** A stand-in nvidia-smi that reports one GPU with device id 0. */
function fakeNvidiaSmi(dir: string): string {
  const path = join(dir, 'nvidia-smi');
  writeFileSync(path, '#!/bin/sh\ncase "$*" in *query-gpu*) echo "0, NVIDIA Test GPU, 8192, 100, 8092, 0";; esac\n');
  chmodSync(path, 0o755);
  return path;
}

for (const kind of databaseKinds()) {
  test(`[${kind}] worker API validation: unknown type, GPU without device_id or with a device no GPU has -> 400; unknown ids -> 404`, async () => {
    const t = await createTestApp(kind);
    try {
      const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/workers', payload });
      const badType = await post({ worker_type: 'tpu' });
      assert.equal(badType.statusCode, 400);
      assert.match(badType.json().detail, /worker type/i);
      const noDevice = await post({ worker_type: 'gpu' });
      assert.equal(noDevice.statusCode, 400);
      assert.match(noDevice.json().detail, /device_id/);
      const noSuchGpu = await post({ worker_type: 'gpu', device_id: 7 });
      assert.equal(noSuchGpu.statusCode, 400);
      assert.match(noSuchGpu.json().detail, /device_id 7/);
      assert.equal((await t.app.inject({ url: '/api/workers/worker-cpu-99' })).statusCode, 404);
      assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/workers/worker-cpu-99' })).statusCode, 404);
      assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/workers/x?timeout=-1' })).statusCode, 400);
      assert.equal((await t.app.inject({ method: 'POST', url: '/api/workers/pool/start?cpu_workers=-1' })).statusCode, 400);
      assert.deepEqual((await t.app.inject({ url: '/api/workers' })).json(), []);
      const stats = (await t.app.inject({ url: '/api/workers/stats' })).json();
      assert.equal(stats.total_workers, 0);
      assert.equal(stats.is_running, false);
    } finally {
      await t.close();
    }
  });
}

test('a GPU worker that cannot run here (no CUDA build) goes to error with the reason; the server and CPU workers carry on', { timeout: 60_000 }, async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-smi-'));
  // The app's configuration names the stand-in; its worker processes get it in their spec.
  const t = await createTestApp('sqlite', undefined, { env: { NVIDIA_SMI: fakeNvidiaSmi(dir) } });
  try {
    const gpu = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'gpu', device_id: 0 } });
    assert.equal(gpu.statusCode, 201, gpu.body);
    assert.equal(gpu.json().status, 'error');
    assert.equal(gpu.json().device_id, 0);
    assert.match(gpu.json().error, /CUDA build/);
    const cpu = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
    assert.equal(cpu.json().status, 'idle');
    assert.ok(pidAlive(cpu.json().pid));
    const stats = (await t.app.inject({ url: '/api/workers/stats' })).json();
    assert.equal(stats.error_workers, 1);
    assert.equal(stats.idle_workers, 1);
    assert.equal((await t.app.inject({ url: '/health' })).statusCode, 200);
    // It stays in error (no restart loop) until removed.
    await new Promise((r) => setTimeout(r, 1500));
    assert.equal((await t.app.inject({ url: `/api/workers/${gpu.json().worker_id}` })).json().status, 'error');
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/api/workers/${gpu.json().worker_id}?timeout=1` })).statusCode, 200);
  } finally {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('workers of a node that stopped heart-beating show as stopped, and are removed after stale_worker_remove_seconds', async () => {
  const t = await createTestApp('sqlite');
  try {
    const db = t.ctx.database.db;
    const now = Date.now();
    const row = (id: string, hb: number) => ({
      worker_id: id, worker_type: 'cpu', device_id: null, node: 'elsewhere', pid: 4242, status: 'idle', desired_state: 'running', current_job_id: null,
      current_job_progress: null, current_job_eta: null, jobs_completed: 3, jobs_failed: 0, started_at: new Date(now - 3600_000).toISOString(),
      last_heartbeat_ms: hb, error: null, model_loaded: null, stop_deadline_ms: null,
    });
    await db.insertInto('workers').values([row('worker-cpu-7', now), row('worker-cpu-8', now - 60_000), row('worker-cpu-9', now - 3600_000)]).execute();
    const list = (await t.app.inject({ url: '/api/workers' })).json() as Array<{ worker_id: string; status: string; node: string }>;
    assert.deepEqual(list.map((w) => [w.worker_id, w.status, w.node]), [['worker-cpu-7', 'idle', 'elsewhere'], ['worker-cpu-8', 'stopped', 'elsewhere'], ['worker-cpu-9', 'stopped', 'elsewhere']]);
    await t.ctx.settings.update('stale_worker_remove_seconds', 600);
    await t.ctx.workers.supervisor.start();
    await (t.ctx.workers.supervisor as unknown as { maintain(): Promise<void> }).maintain();
    const left = (await t.app.inject({ url: '/api/workers' })).json() as Array<{ worker_id: string }>;
    assert.deepEqual(left.map((w) => w.worker_id), ['worker-cpu-7', 'worker-cpu-8']);
    // Removing a worker whose node is gone needs nobody's cooperation.
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/api/workers/worker-cpu-8?timeout=1' })).statusCode, 200);
  } finally {
    await t.close();
  }
});
