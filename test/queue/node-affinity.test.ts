import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp } from '../helpers/app.js';
import { claim } from '../../src/jobs/job-lifecycle.repository.js';

for (const kind of databaseKinds()) {
  test(`${kind}: a job bound to a node is claimed only by workers of that node; unbound jobs by any`, async (t) => {
    const ta = await createTestApp(kind);
    t.after(() => ta.close());
    const { db } = ta.ctx.database;
    const bound = await ta.ctx.jobs.create({ file_path: 'provider://asr/abc', synthetic_path: true, target_lang: 'eng', node_affinity: 'server-node', priority: 10 });
    const free = await ta.ctx.jobs.create({ file_path: '/media/a.mkv', target_lang: 'eng', priority: 0 });

    const other = await claim(db, ta.ctx.database.kind, { workerId: 'w-remote', leaseMs: 60_000, node: 'gpu-box' });
    assert.equal(other?.id, free.id, 'the remote node skips the bound job and takes the free one');
    assert.equal(await claim(db, ta.ctx.database.kind, { workerId: 'w-remote', leaseMs: 60_000, node: 'gpu-box' }), undefined);

    const local = await claim(db, ta.ctx.database.kind, { workerId: 'w-local', leaseMs: 60_000, node: 'server-node' });
    assert.equal(local?.id, bound.id);
  });
}

for (const kind of databaseKinds()) {
  test(`${kind}: a node runs at most concurrent_transcriptions jobs at once`, async (t) => {
    const ta = await createTestApp(kind);
    t.after(() => ta.close());
    const { db } = ta.ctx.database;
    const now = new Date().toISOString();
    for (const [id, node] of [['w1', 'box'], ['w2', 'box'], ['w3', 'other']]) {
      await db.insertInto('workers').values({
        worker_id: id, worker_type: 'cpu', device_id: null, node, pid: null, status: 'idle', desired_state: 'running',
        current_job_id: null, current_job_progress: null, current_job_eta: null, jobs_completed: 0, jobs_failed: 0,
        started_at: now, last_heartbeat_ms: Date.now(), error: null, model_loaded: null,
      } as never).execute();
    }
    for (let i = 0; i < 3; i++) await ta.ctx.jobs.create({ file_path: `/media/${i}.mkv`, target_lang: 'eng' });
    const claimOn = (workerId: string, node: string) =>
      claim(db, ta.ctx.database.kind, { workerId, leaseMs: 60_000, node, maxRunningOnNode: 1 });
    assert.ok(await claimOn('w1', 'box'), 'the first job on the node');
    assert.equal(await claimOn('w2', 'box'), undefined, 'a second one on the same node waits');
    assert.ok(await claimOn('w3', 'other'), 'another node is not held back');
  });
}
