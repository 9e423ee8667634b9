/**
 * API benchmark: the job list endpoints over 100,000 jobs, measured with
 * autocannon against the real server (a child process, as users run it).
 *
 *   npm run bench:api                                  # SQLite (and PostgreSQL when PG_TEST_URL is set)
 *   npm run bench:api -- --pg postgres://postgres@127.0.0.1:5432/test
 *   npm run bench:api -- --duration 10 --connections 100 --jobs 100000 --only sqlite
 *
 * PostgreSQL: a fresh database is made next to the one the URL names and dropped afterwards.
 */
import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { parseArgs } from 'node:util';
import { overDatabases, startServer, stopServer } from './bench-server.js';
import { createRequire } from 'node:module';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/database.js';
import type { NewJobRow } from '../src/db/schema.js';
import type { JobStatus } from '../src/job-kinds.js';

/** The part of autocannon's result the bench reads (the package ships no types). */
interface CannonResult {
  latency: { p50: number; p99: number };
  requests: { average: number };
  errors: number;
  timeouts: number;
  non2xx: number;
}
const autocannon = createRequire(import.meta.url)('autocannon') as (opts: { url: string; connections: number; duration: number; pipelining: number }) => Promise<CannonResult>;

const { values: args } = parseArgs({
  options: {
    jobs: { type: 'string', default: '100000' },
    pg: { type: 'string', default: process.env.PG_TEST_URL ?? '' },
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '100' },
    only: { type: 'string', default: '' },
  },
});
const JOBS = Number(args.jobs);
const DURATION = Number(args.duration);
const CONNECTIONS = Number(args.connections);
const PAGE_SIZE = 50;

const STATUSES: Array<[JobStatus, number]> = [['completed', 0.7], ['failed', 0.1], ['cancelled', 0.05], ['queued', 0.1], ['processing', 0.05]];
function statusFor(i: number): JobStatus {
  // Spread the mix evenly through the table rather than in blocks.
  const x = ((i * 2654435761) % 1000) / 1000;
  let acc = 0;
  for (const [s, share] of STATUSES) if (x < (acc += share)) return s;
  return 'completed';
}

/**
 * Migrations through the CLI the server is started with, so the schema is the
 * one that build expects (bin/transcriptorio.js runs dist/ when it is built).
 */
function migrateWithCli(url: string, dataDir: string): void {
  const r = spawnSync(process.execPath, ['bin/transcriptorio.js', 'db', 'migrate'], {
    encoding: 'utf8',
    env: { ...process.env, DATA_DIR: dataDir, DATABASE_URL: url, LOG_LEVEL: 'warn' },
  });
  if (r.status !== 0) throw new Error(`db migrate failed: ${r.stderr || r.stdout}`);
}

async function fill(url: string, dataDir: string): Promise<Record<string, number>> {
  migrateWithCli(url, dataDir);
  const handle = openDatabase(url);
  const counts: Record<string, number> = {};
  const t0 = Date.now();
  const now = Date.now();
  const BATCH = 500;
  // PostgreSQL's counter trigger updates one row per insert; 100,000 versions of
  // that row in one transaction make the fill quadratic, so the bench turns it
  // off while filling and sets the counters (shard 0 of each status) from the table afterwards.
  if (handle.kind === 'postgres') await sql`alter table jobs disable trigger jobs_count`.execute(handle.db);
  await handle.db.transaction().execute(async (trx) => {
    for (let start = 0; start < JOBS; start += BATCH) {
      const rows: NewJobRow[] = [];
      for (let i = start; i < Math.min(JOBS, start + BATCH); i++) {
        const status = statusFor(i);
        counts[status] = (counts[status] ?? 0) + 1;
        const created = new Date(now - (JOBS - i) * 1000).toISOString();
        const done = status === 'completed' || status === 'failed' || status === 'cancelled';
        rows.push({
          id: `bench${String(i).padStart(11, '0')}`, seq: i + 1,
          file_path: `/media/library/Show ${i % 500}/Season 1/Episode ${i}.mkv`, file_name: `Episode ${i}.mkv`,
          job_type: 'transcription', status, priority: i % 7 === 0 ? 10 : 0, source_lang: 'jpn', target_lang: 'spa',
          quality_preset: 'fast', transcribe_or_translate: 'transcribe', progress: status === 'completed' ? 100 : 0,
          current_stage: done ? 'finalizing' : null, eta_seconds: null, created_at: created,
          started_at: status === 'queued' ? null : created, completed_at: done ? created : null,
          output_path: status === 'completed' ? `/media/library/Show ${i % 500}/Season 1/Episode ${i}.spa.srt` : null,
          segments_count: status === 'completed' ? 245 : null, error: status === 'failed' ? 'ffmpeg: invalid data found when processing input' : null,
          retry_count: 0, max_retries: 3, worker_id: status === 'queued' ? null : 'worker-cpu-0', vram_used_mb: null,
          processing_time_seconds: done ? 325.5 : null, model_used: done ? 'medium' : null, device_used: done ? 'cpu' : null,
          is_manual_request: 0, lease_expires_at: status === 'processing' ? now + 3_600_000 : null, not_before: null,
          cancel_requested: 0, options: null, result: null, updated_at: created, updated_ms: now - (JOBS - i) * 1000,
        });
      }
      await trx.insertInto('jobs').values(rows).execute();
    }
  });
  if (handle.kind === 'postgres') {
    await sql`alter table jobs enable trigger jobs_count`.execute(handle.db);
    await sql`update job_status_counts c set count = case when c.shard = 0 then (select count(*) from jobs j where j.status = c.status) else 0 end`.execute(handle.db);
    await sql`select setval('jobs_seq_counter', ${JOBS})`.execute(handle.db);
    await sql`analyze jobs`.execute(handle.db);
  } else {
    await sql`analyze`.execute(handle.db);
  }
  await handle.close();
  console.log(`  filled ${JOBS} jobs in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(counts)}`);
  return counts;
}

interface Row { database: string; endpoint: string; p50: number; p99: number; rps: number; errors: number }

async function measure(base: string, path: string, seconds: number): Promise<CannonResult> {
  return autocannon({ url: `${base}${path}`, connections: CONNECTIONS, duration: seconds, pipelining: 1 });
}

async function runFor(label: string, url: string, dataDir: string): Promise<Row[]> {
  console.log(`\n${label}: ${url.replace(/\/\/[^@]*@/, '//***@')}`);
  await fill(url, dataDir);
  const { child, base } = await startServer(url, dataDir);
  const rows: Row[] = [];
  try {
    const stats = (await (await fetch(`${base}/api/jobs/stats`)).json()) as { total_jobs: number };
    if (stats.total_jobs !== JOBS) throw new Error(`stats report ${stats.total_jobs} jobs, expected ${JOBS}`);
    const lastPage = Math.ceil(JOBS / PAGE_SIZE);
    const endpoints = [
      `/api/jobs?page=1&page_size=${PAGE_SIZE}`,
      `/api/jobs?page=${lastPage}&page_size=${PAGE_SIZE}`,
      '/api/jobs?status_filter=failed',
      '/api/jobs/stats',
    ];
    for (const path of endpoints) {
      const check = await fetch(`${base}${path}`);
      if (!check.ok) throw new Error(`${path} answered ${check.status}: ${await check.text()}`);
      await measure(base, path, 2); // warm-up: JIT, page cache, connection pools
      const r = await measure(base, path, DURATION);
      const errors = r.errors + r.timeouts + r.non2xx;
      rows.push({ database: label, endpoint: path, p50: r.latency.p50, p99: r.latency.p99, rps: Math.round(r.requests.average), errors });
      console.log(`  ${path}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms, ${Math.round(r.requests.average)} req/s, errors ${errors}`);
    }
  } finally {
    await stopServer(child);
  }
  return rows;
}

const rows: Row[] = [];
console.log(`API benchmark: ${JOBS} jobs, ${CONNECTIONS} connections, ${DURATION} s per endpoint`);
console.log(`machine: ${cpus().length} x ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 1024 ** 3).toFixed(0)} GiB, Node ${process.version}`);
rows.push(...(await overDatabases({ prefix: 'tio-bench-api-', pgUrl: args.pg, only: args.only }, runFor)));

console.log(`\n| database | endpoint | p50 ms | p99 ms | req/s | errors |\n| --- | --- | --- | --- | --- | --- |`);
for (const r of rows) console.log(`| ${r.database} | \`GET ${r.endpoint}\` | ${r.p50} | ${r.p99} | ${r.rps} | ${r.errors} |`);
