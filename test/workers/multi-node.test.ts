/**
 * Several worker nodes on one database, each a separate `transcriptorio
 * worker --node-name X` process tree. The jobs are the test-only `sleep` job
 * type (60 ms each, loaded through TRANSCRIPTORIO_EXTRA_HANDLERS), not
 * transcriptions: what is checked is who runs each job and how often.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { stopNodes } from '../helpers/workers.js';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/db.js';
import { EXTRA_HANDLERS, waitFor } from './helpers.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

interface Node {
  name: string;
  proc: ChildProcess;
  exited: Promise<number | null>;
}

function startNode(db: TestDatabase, name: string, runLog: string): Node {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'worker', '--cpu', '1', '--node-name', name], {
    cwd: ROOT,
    env: {
      ...process.env, DATABASE_URL: db.url, DATA_DIR: db.dataDir, LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1',
      TRANSCRIPTORIO_EXTRA_HANDLERS: EXTRA_HANDLERS, TEST_RUN_LOG: runLog,
    },
    // Its own process group, so a test can kill the whole node (supervisor and workers) at once.
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { name, proc, exited: new Promise((r) => proc.once('exit', (code) => r(code))) };
}


type ApiWorker = { worker_id: string; node: string; status: string; current_job_id: string | null; jobs_completed: number };
const workers = async (t: TestApp) => (await t.app.inject({ url: '/api/workers' })).json() as ApiWorker[];

function runs(runLog: string): Array<{ job: string; worker: string; node: string }> {
  if (!existsSync(runLog)) return [];
  return readFileSync(runLog, 'utf8').trim().split('\n').filter(Boolean).map((l) => {
    const [job, worker, node] = l.split(' ');
    return { job, worker, node };
  });
}

for (const kind of databaseKinds()) {
  test(`[${kind}] two worker nodes share 50 cheap test-only 'sleep' jobs: every job runs exactly once; remote workers are listed and removable through the API`, { timeout: 120_000 }, async () => {
    const db = await createTestDatabase(kind);
    const t = await createTestApp(kind, db);
    const runLog = join(db.dataDir, 'runs.log');
    const nodes: Node[] = [];
    try {
      await t.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1, job_lease_seconds: 5, shutdown_timeout_seconds: 5 });
      nodes.push(startNode(db, 'nodeA', runLog), startNode(db, 'nodeB', runLog));
      await waitFor('both nodes registered', async () => {
        const list = await workers(t);
        return ['nodeA', 'nodeB'].every((n) => list.some((w) => w.node === n && w.status === 'idle'));
      }, 60_000);

      for (let i = 0; i < 50; i++) {
        await t.ctx.jobs.create({ file_path: `/virtual/library/job-${i}.mkv`, target_lang: 'eng', job_type: 'sleep', options: { ms: 60 } });
      }
      await waitFor('50 jobs completed', async () => (await t.ctx.jobs.stats()).completed === 50, 60_000, 200);

      const all = runs(runLog);
      const perJob = new Map<string, number>();
      for (const r of all) perJob.set(r.job, (perJob.get(r.job) ?? 0) + 1);
      assert.equal(perJob.size, 50, 'every job ran');
      assert.deepEqual([...perJob.values()].filter((n) => n !== 1), [], 'no job ran twice');
      assert.deepEqual(new Set(all.map((r) => r.node)), new Set(['nodeA', 'nodeB']), 'both nodes took jobs');
      const stats = await t.ctx.jobs.stats();
      assert.equal(stats.failed + stats.queued + stats.processing, 0);

      const list = await workers(t);
      assert.equal(list.length, 2);
      assert.equal(list.reduce((a, w) => a + w.jobs_completed, 0), 50, 'worker counters add up to the jobs done');
      const wStats = (await t.app.inject({ url: '/api/workers/stats' })).json();
      assert.equal(wStats.total_workers, 2);
      assert.equal(wStats.total_jobs_completed, 50);

      // Removing nodeA's worker through this server's API: nodeA's supervisor obeys.
      const a = list.find((w) => w.node === 'nodeA')!;
      const del = await t.app.inject({ method: 'DELETE', url: `/api/workers/${a.worker_id}?timeout=5` });
      assert.equal(del.statusCode, 200, del.body);
      assert.deepEqual((await workers(t)).map((w) => w.node), ['nodeB']);
      assert.equal(nodes[0].proc.exitCode, null, 'the node process itself keeps running');
    } finally {
      await stopNodes(nodes);
      await t.close();
    }
  });
}

test(`[${databaseKinds().at(-1)}] a node killed outright (SIGKILL of its whole process tree) mid-job: the lease runs out and the other node completes the job`, { timeout: 120_000 }, async () => {
  const kind = databaseKinds().at(-1)!;
  const db = await createTestDatabase(kind);
  const t = await createTestApp(kind, db);
  const runLog = join(db.dataDir, 'runs.log');
  const nodes: Node[] = [];
  try {
    await t.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1, job_lease_seconds: 3, job_retry_backoff_seconds: 0 });
    nodes.push(startNode(db, 'nodeA', runLog));
    await waitFor('nodeA registered', async () => (await workers(t)).some((w) => w.node === 'nodeA' && w.status === 'idle'), 60_000);
    // Long on nodeA, which is killed long before it could finish however slowly nodeB starts; short once retried.
    const job = await t.ctx.jobs.create({ file_path: '/virtual/library/long.mkv', target_lang: 'eng', job_type: 'sleep', options: { ms: 300_000, retry_ms: 1000 } });
    await waitFor('nodeA busy with the job', async () => (await workers(t)).some((w) => w.node === 'nodeA' && w.current_job_id === job.id), 30_000, 50);
    nodes.push(startNode(db, 'nodeB', runLog));
    await waitFor('nodeB registered', async () => (await workers(t)).some((w) => w.node === 'nodeB' && w.status === 'idle'), 60_000);
    process.kill(-nodes[0].proc.pid!, 'SIGKILL');
    const killedAt = Date.now();

    const done = await waitFor('job completed by nodeB', async () => {
      const j = await t.ctx.jobs.get(job.id);
      return j.status === 'completed' ? j : null;
    }, 60_000, 100);
    const finisher = (await workers(t)).find((w) => w.worker_id === done.worker_id);
    assert.equal(finisher?.node, 'nodeB');
    assert.equal(done.retry_count, 1, 'the lost attempt is counted');
    assert.ok(Date.now() - killedAt >= 3000, 'taken back only once the lease ran out');
    assert.deepEqual(runs(runLog).map((r) => r.node), ['nodeB'], 'the killed node never finished it');
    // The dead node's worker is shown as stopped once its heartbeat is stale.
    await waitFor('nodeA shown stopped', async () => (await workers(t)).some((w) => w.node === 'nodeA' && w.status === 'stopped'), 20_000, 250);
  } finally {
    await stopNodes(nodes);
    await t.close();
  }
});
