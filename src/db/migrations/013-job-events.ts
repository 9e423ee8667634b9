/**
 * job_events: the timeline of a job, one row per thing that happened to it
 * (created by whom, claimed by which worker on which node, each stage, each
 * attempt that failed and why, a retry by hand, the end). Written by the job
 * life cycle (src/jobs/job-events.repository.ts), read by
 * GET /api/jobs/{id}/events. The rows go with their job (ON DELETE CASCADE;
 * SQLite connections run with foreign_keys on).
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('job_events')
    .addColumn('id', kind === 'postgres' ? 'bigserial' : 'integer', (c) => (kind === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement()))
    .addColumn('job_id', 'text', (c) => c.notNull().references('jobs.id').onDelete('cascade'))
    .addColumn('at_ms', big, (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('stage', 'text')
    .addColumn('worker_id', 'text')
    .addColumn('node', 'text')
    .addColumn('error_code', 'text')
    .addColumn('message', 'text')
    .addColumn('data', 'text')
    .execute();
  await sql`create index job_events_job_idx on job_events (job_id, id)`.execute(db);
}
