/**
 * Queue throughput: claim-and-complete of the queue alone (no handler work),
 * 8 concurrent claimers spread over several processes, on SQLite and on
 * PostgreSQL, with a count of jobs completed more than once (must be 0) and
 * of their timeline events (one 'claimed' and one 'completed' per job).
 *
 *   npm run bench:queue                       # SQLite, plus PostgreSQL when PG_TEST_URL is set
 *   npm run bench:queue -- --pg postgres://postgres@127.0.0.1:5432/test
 *   npm run bench:queue -- --jobs 8000 --processes 4 --claimers 8
 *
 * Each run uses a fresh database (a temp SQLite file; a new PostgreSQL
 * database next to the given URL, dropped afterwards).
 */
import { fork } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import type { NewJobRow } from '../src/db/schema.js';
import { migrateToLatest } from '../src/db/migrator.js';
import { claim, complete } from '../src/jobs/job-lifecycle.repository.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? process.argv[i + 1] : fallback;
}

// ---- child: `claimers` loops claiming and completing until the queue is empty ----
async function child(url: string, claimers: number, tag: string): Promise<void> {
  const h = openDatabase(url, { poolSize: claimers });
  const done: string[] = [];
  await new Promise<void>((r) => process.once('message', () => r())); // start together
  await Promise.all(
    Array.from({ length: claimers }, async (_, i) => {
      const me = `${tag}-${i}`;
      for (;;) {
        const job = await claim(h.db, h.kind, { workerId: me, leaseMs: 60_000 });
        if (!job) return;
        const ok = await complete(h.db, job.id, me, { processing_time_seconds: 0 });
        if (ok) done.push(job.id);
      }
    }),
  );
  process.send!({ done });
  await h.close();
}

// ---- parent ----
async function freshDatabase(kind: 'sqlite' | 'postgres', pgUrl: string): Promise<{ url: string; drop(): Promise<void> }> {
  if (kind === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tio-bench-'));
    return { url: `sqlite:${join(dir, 'bench.db')}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `tio_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: pgUrl });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const u = new URL(pgUrl);
  u.pathname = `/${name}`;
  return {
    url: u.toString(),
    drop: async () => {
      const c = new pg.Client({ connectionString: pgUrl });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

async function seed(url: string, n: number): Promise<void> {
  const h = openDatabase(url);
  await migrateToLatest(h);
  const now = Date.now();
  const iso = new Date(now).toISOString();
  for (let i = 0; i < n; i += 500) {
    const rows = Array.from({ length: Math.min(500, n - i) }, (_, k): NewJobRow => ({
      id: `bench${String(i + k).padStart(8, '0')}`, seq: i + k + 1, file_path: `/bench/${i + k}.mkv`, file_name: `${i + k}.mkv`, job_type: 'transcription',
      status: 'queued', priority: (i + k) % 3, source_lang: null, target_lang: 'eng', quality_preset: 'fast', transcribe_or_translate: 'transcribe',
      progress: 0, current_stage: null, eta_seconds: null, created_at: iso, started_at: null, completed_at: null, output_path: null, segments_count: null,
      error: null, retry_count: 0, max_retries: 3, worker_id: null, vram_used_mb: null, processing_time_seconds: null, model_used: null, device_used: null,
      is_manual_request: 0, lease_expires_at: null, not_before: null, cancel_requested: 0, options: null, result: null, updated_at: iso, updated_ms: now,
    }));
    await h.db.insertInto('jobs').values(rows).execute();
  }
  if (h.kind === 'postgres') await sql`analyze jobs`.execute(h.db);
  // Diagnosis: the cost of the status-counter triggers (the counters are then wrong, and reported so).
  if (process.env.BENCH_NO_COUNTERS && h.kind === 'postgres') await sql`alter table jobs disable trigger jobs_count`.execute(h.db);
  await h.close();
}

async function run(kind: 'sqlite' | 'postgres', pgUrl: string, jobs: number, processes: number, claimers: number): Promise<void> {
  const db = await freshDatabase(kind, pgUrl);
  try {
    await seed(db.url, jobs);
    const per = Math.ceil(claimers / processes);
    const kids = Array.from({ length: processes }, (_, p) =>
      fork(import.meta.filename, ['--child', db.url, String(Math.min(per, claimers - p * per)), `p${p}`], { stdio: 'inherit' }),
    );
    const results = kids.map((k) => new Promise<string[]>((r, j) => {
      k.once('message', (m: { done: string[] }) => r(m.done));
      k.once('exit', (code) => code && j(new Error(`claimer process exited ${code}`)));
    }));
    await new Promise((r) => setTimeout(r, 1500)); // let every process connect
    const t0 = performance.now();
    for (const k of kids) k.send('go');
    const all = (await Promise.all(results)).flat();
    const seconds = (performance.now() - t0) / 1000;
    const distinct = new Set(all).size;
    const h = openDatabase(db.url);
    const completed = Number((await h.db.selectFrom('jobs').select((eb) => eb.fn.countAll().as('n')).where('status', '=', 'completed').executeTakeFirstOrThrow()).n);
    const counters = await h.db.selectFrom('job_status_counts').selectAll().execute();
    // Every transition keeps its timeline: one 'claimed' and one 'completed' event per job, none lost to speed.
    const events = await h.db.selectFrom('job_events').select(['kind', (eb) => eb.fn.countAll().as('n')]).groupBy('kind').execute();
    await h.close();
    const counted = counters.filter((c) => c.status === 'completed').reduce((a, c) => a + Number(c.count), 0);
    const eventsOf = (k: string) => Number(events.find((e) => e.kind === k)?.n ?? 0);
    const [claimedEvents, completedEvents] = [eventsOf('claimed'), eventsOf('completed')];
    console.log(
      `${kind.padEnd(8)} ${jobs} jobs, ${claimers} claimers in ${processes} processes: ${seconds.toFixed(2)} s, ` +
        `${Math.round(jobs / seconds)} jobs/s, duplicates ${all.length - distinct}, completed ${completed}/${jobs}, status counter ${counted}, ` +
        `events claimed ${claimedEvents} completed ${completedEvents}`,
    );
    if (all.length !== distinct || completed !== jobs || counted !== jobs || claimedEvents !== jobs || completedEvents !== jobs) process.exitCode = 1;
  } finally {
    await db.drop();
  }
}

if (process.argv[2] === '--child') {
  await child(process.argv[3], Number(process.argv[4]), process.argv[5]);
} else {
  const jobs = Number(arg('jobs', '5000'));
  const processes = Number(arg('processes', '4'));
  const claimers = Number(arg('claimers', '8'));
  const pgUrl = arg('pg', process.env.PG_TEST_URL ?? '');
  const only = arg('only', '');
  if (only !== 'postgres') await run('sqlite', pgUrl, jobs, processes, claimers);
  if (pgUrl && only !== 'sqlite') await run('postgres', pgUrl, jobs, processes, claimers);
  else if (!pgUrl) console.log('postgres skipped: pass --pg postgres://... or set PG_TEST_URL');
}
