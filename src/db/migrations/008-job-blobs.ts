/**
 * Provider uploads stored in the database, so a worker on any node can read
 * them (nothing is left on the server's disk for one node to hold).
 *
 * - job_blobs: the audio of a provider request in bounded chunks (job id,
 *   sequence number, bytes), written by the server before the job is queued
 *   and read back in order by the worker that claims it. No foreign key: the
 *   chunks are written under the job's id before the job row exists, and the
 *   provider clean-up removes chunks whose job is gone.
 * - jobs.node: the node of the worker that claimed the job last (which
 *   machine ran it), shown in the job details.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema
    .createTable('job_blobs')
    .addColumn('job_id', 'text', (c) => c.notNull())
    .addColumn('seq', 'integer', (c) => c.notNull())
    .addColumn('data', kind === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
    .addColumn('created_ms', big, (c) => c.notNull())
    .addPrimaryKeyConstraint('job_blobs_pkey', ['job_id', 'seq'])
    .execute();
  await sql`create index job_blobs_created_idx on job_blobs (created_ms)`.execute(db);
  await db.schema.alterTable('jobs').addColumn('node', 'text').execute();
}
