import { test } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp } from '../helpers/app.js';
import { claimNextJob } from '../../src/queue/queue.repository.js';

for (const kind of databaseKinds()) {
  test(`${kind}: a job bound to a node is claimed only by workers of that node; unbound jobs by any`, async (t) => {
    const ta = await createTestApp(kind);
    t.after(() => ta.close());
    const { db } = ta.ctx.database;
    const bound = await ta.ctx.jobs.create({ file_path: 'provider://asr/abc', synthetic_path: true, target_lang: 'eng', node_affinity: 'server-node', priority: 10 });
    const free = await ta.ctx.jobs.create({ file_path: '/media/a.mkv', target_lang: 'eng', priority: 0 });

    const other = await claimNextJob(db, ta.ctx.database.kind, { workerId: 'w-remote', leaseMs: 60_000, node: 'gpu-box' });
    assert.equal(other?.id, free.id, 'the remote node skips the bound job and takes the free one');
    assert.equal(await claimNextJob(db, ta.ctx.database.kind, { workerId: 'w-remote', leaseMs: 60_000, node: 'gpu-box' }), undefined);

    const local = await claimNextJob(db, ta.ctx.database.kind, { workerId: 'w-local', leaseMs: 60_000, node: 'server-node' });
    assert.equal(local?.id, bound.id);
  });
}
