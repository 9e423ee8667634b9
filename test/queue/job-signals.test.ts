/**
 * Queue wake-ups (src/jobs/job-signals.ts): an idle worker claims a new job
 * when it is told, not at its next poll; a job's end reaches the process that
 * waits for it; a signal that never came is made up for by the poll; and
 * workers woken at once on several nodes still claim each job once. Real
 * worker processes (the test-only `noop` job type), real databases.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join, resolve } from 'node:path';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { createTestDatabase, databaseKinds, PG_SKIP_REASON, PG_TEST_URL, type TestDatabase } from '../helpers/db.js';
import { waitFor } from '../helpers/wait.js';
import { stopNodes } from '../helpers/workers.js';
import { EXTRA_HANDLERS } from '../workers/helpers.js';
import { SIGNAL_CHANNEL, listenForSignals, onJobSignal, type JobSignal } from '../../src/jobs/job-signals.js';
import { insertJob } from '../../src/jobs/jobs.repository.js';
import { listEvents } from '../../src/jobs/job-events.repository.js';

const ROOT = resolve(import.meta.dirname, '..', '..');
/** The workers' fallback poll (worker-process.ts IDLE_POLL_MS): a woken claim comes well before it. */
const POLL_MS = 1000;

async function appWithWorker(kind: 'sqlite' | 'postgres', db?: TestDatabase): Promise<TestApp> {
  const t = await createTestApp(kind, db, { env: { TRANSCRIPTORIO_EXTRA_HANDLERS: EXTRA_HANDLERS } });
  await t.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1 });
  const id = await t.ctx.workers.supervisor.addWorker('cpu');
  await waitFor('the worker idle', async () => (await t.ctx.database.db.selectFrom('workers').select('status').where('worker_id', '=', id).executeTakeFirst())?.status === 'idle', 60_000, 50);
  return t;
}

/** ms from the job's creation to its claim (started_at, stamped by the worker). */
async function claimDelay(t: TestApp, id: string, createdMs: number): Promise<number> {
  const row = await waitFor(`job ${id} claimed`, async () => {
    const r = await t.ctx.database.db.selectFrom('jobs').select(['status', 'started_at']).where('id', '=', id).executeTakeFirst();
    return r?.started_at ? r : null;
  }, 30_000, 10);
  return Date.parse(row.started_at!) - createdMs;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A queued `noop` job written straight into the table: no creation event, so no signal. */
async function silentJob(t: TestApp, id: string): Promise<void> {
  const iso = new Date().toISOString();
  await insertJob(t.ctx.database.db, t.ctx.database.kind, {
    id, file_path: `/virtual/${id}.mkv`, file_name: `${id}.mkv`, job_type: 'noop', status: 'queued', priority: 0, source_lang: null, target_lang: 'eng',
    quality_preset: 'fast', transcribe_or_translate: 'transcribe', progress: 0, current_stage: null, eta_seconds: null, created_at: iso, started_at: null,
    completed_at: null, output_path: null, segments_count: null, error: null, retry_count: 0, max_retries: 0, worker_id: null, vram_used_mb: null,
    processing_time_seconds: null, model_used: null, device_used: null, is_manual_request: 0, lease_expires_at: null, not_before: null, cancel_requested: 0,
    options: null, result: null, updated_at: iso, updated_ms: Date.now(), node_affinity: null, needs_review: 0,
  });
}

for (const kind of databaseKinds()) {
  test(`[${kind}] an idle worker claims a job created through the service at once (signal over the worker IPC), not at its ${POLL_MS} ms poll; its end is announced to this process after the row says so`, { timeout: 120_000 }, async (tc) => {
    const t = await appWithWorker(kind);
    try {
      const delays: number[] = [];
      const statusAtEnd = new Map<string, Promise<string>>();
      const off = onJobSignal((s) => {
        if (s.kind === 'ended' && !statusAtEnd.has(s.jobId)) statusAtEnd.set(s.jobId, t.ctx.jobs.get(s.jobId).then((j) => j.status));
      });
      tc.after(off);
      for (let i = 0; i < 5; i++) {
        // A moment into the worker's idle wait, so a poll would come late.
        await new Promise((r) => setTimeout(r, 150));
        const created = Date.now();
        const job = await t.ctx.jobs.create({ file_path: `/virtual/library/wake-${i}.mkv`, target_lang: 'eng', job_type: 'noop' });
        delays.push(await claimDelay(t, job.id, created));
        const heard = await waitFor(`the end of ${job.id} announced`, () => statusAtEnd.get(job.id), 10_000, 5);
        assert.equal(await heard, 'completed', 'announced once the row is completed');
      }
      // Polls alone would give a median near half the interval (500 ms; 125 ms even with the 250 ms poll of before); the wake-up, a few milliseconds.
      assert.ok(median(delays) < POLL_MS * 0.15, `claim delays ${delays.join(', ')} ms`);
      // The timeline keeps its order: created, then claimed.
      const [first] = await t.ctx.database.db.selectFrom('jobs').select('id').where('job_type', '=', 'noop').limit(1).execute();
      assert.deepEqual((await listEvents(t.ctx.database.db, first.id)).map((e) => e.kind), ['created', 'claimed', 'completed']);
    } finally {
      await t.close();
    }
  });

  test(`[${kind}] a job whose signal never came (written straight into the table) is still claimed by the fallback poll`, { timeout: 60_000 }, async () => {
    const t = await appWithWorker(kind);
    try {
      const created = Date.now();
      await silentJob(t, 'silent-1');
      const delay = await claimDelay(t, 'silent-1', created);
      assert.ok(delay < POLL_MS * 3, `claimed after ${delay} ms`);
      await waitFor('completed', async () => (await t.ctx.jobs.get('silent-1')).status === 'completed', 20_000, 50);
    } finally {
      await t.close();
    }
  });
}

function startNode(db: TestDatabase, name: string, workers: number): { proc: ChildProcess; exited: Promise<unknown> } {
  const proc = spawn(process.execPath, [join(ROOT, 'bin', 'transcriptorio.js'), 'worker', '--cpu', String(workers), '--node-name', name], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_URL: db.url, DATA_DIR: join(db.dataDir, name), LOG_LEVEL: 'warn', TRANSCRIPTORIO_FROM_SOURCE: '1', TRANSCRIPTORIO_EXTRA_HANDLERS: EXTRA_HANDLERS },
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  return { proc, exited: new Promise((r) => proc.once('exit', r)) };
}


test('[postgres] a NOTIFY wakes the idle workers of other nodes well before their poll; woken at once, two nodes still claim each job once', { timeout: 180_000, skip: PG_TEST_URL ? false : PG_SKIP_REASON }, async () => {
  const db = await createTestDatabase('postgres');
  const t = await createTestApp('postgres', db);
  const nodes = [startNode(db, 'nodeA', 2), startNode(db, 'nodeB', 2)];
  try {
    await t.ctx.settings.bulkUpdate({ worker_heartbeat_seconds: 1, job_lease_seconds: 10 });
    const idle = () => t.ctx.database.db.selectFrom('workers').select('worker_id').where('status', '=', 'idle').execute();
    await waitFor('four idle workers on two nodes', async () => (await idle()).length === 4, 90_000, 100);
    // Another node's wake-up: the job is written without a signal, then only a NOTIFY says it is there.
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      await new Promise((r) => setTimeout(r, 150));
      const created = Date.now();
      await silentJob(t, `notified-${i}`);
      await sql`select pg_notify(${SIGNAL_CHANNEL}, 'queued')`.execute(t.ctx.database.db);
      delays.push(await claimDelay(t, `notified-${i}`, created));
    }
    assert.ok(median(delays) < POLL_MS * 0.15, `claim delays after NOTIFY ${delays.join(', ')} ms`);

    // 60 jobs created through the service: every created job wakes all four workers on both nodes.
    for (let i = 0; i < 60; i++) await t.ctx.jobs.create({ file_path: `/virtual/library/herd-${i}.mkv`, target_lang: 'eng', job_type: 'noop' });
    await waitFor('65 jobs completed', async () => (await t.ctx.jobs.stats()).completed === 65, 90_000, 100);
    const claims = await t.ctx.database.db
      .selectFrom('job_events')
      .select(['job_id', (eb) => eb.fn.countAll<number>().as('n'), (eb) => eb.fn.max('node').as('node')])
      .where('kind', '=', 'claimed')
      .groupBy('job_id')
      .execute();
    assert.equal(claims.length, 65, 'every job claimed');
    assert.deepEqual(claims.filter((c) => Number(c.n) !== 1), [], 'no job claimed twice');
    assert.deepEqual(new Set(claims.map((c) => c.node)), new Set(['nodeA', 'nodeB']), 'both nodes took jobs');
  } finally {
    await stopNodes(nodes);
    await t.close();
  }
});

test('[postgres] listenForSignals hears the NOTIFYs of other connections on this process\'s bus; one connection however many users, gone with the last', { skip: PG_TEST_URL ? false : PG_SKIP_REASON }, async () => {
  const db = await createTestDatabase('postgres');
  const t = await createTestApp('postgres', db);
  const release = [listenForSignals(db.url), listenForSignals(db.url)];
  try {
    const listening = () => sql<{ n: number }>`select count(*)::int as n from pg_stat_activity where datname = current_database() and query ilike 'listen%'`.execute(t.ctx.database.db).then((r) => r.rows[0].n);
    await waitFor('one LISTEN connection', async () => (await listening()) === 1, 10_000, 50);
    const heard: JobSignal[] = [];
    const off = onJobSignal((s) => heard.push(s));
    await sql`select pg_notify(${SIGNAL_CHANNEL}, 'ended:job-x')`.execute(t.ctx.database.db);
    await sql`select pg_notify(${SIGNAL_CHANNEL}, 'nonsense')`.execute(t.ctx.database.db);
    await waitFor('the end heard', () => heard.some((s) => s.kind === 'ended' && s.jobId === 'job-x'), 5000, 10);
    off();
    assert.equal(await listening(), 1);
    await release[0]();
    assert.equal(await listening(), 1, 'still held by the second user');
    await release[1]();
    await waitFor('the connection closed', async () => (await listening()) === 0, 10_000, 50);
  } finally {
    for (const r of release) await r();
    await t.close();
  }
});
