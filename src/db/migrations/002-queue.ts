/**
 * Worker pool and queue throughput.
 *
 * - workers.stop_deadline_ms: a stop request (from a supervisor, or the API of
 *   another node) carries the time by which the worker must have finished or
 *   handed back its job.
 * - Sharded status counters on PostgreSQL: with one counter row per status,
 *   every claim and every completion updated the same two rows, so all
 *   claimers queued on those row locks (156 jobs/s with 8 claimers, see
 *   docs/PERFORMANCE.md). Each connection now updates the shard of its backend
 *   pid (16 shards), and readers sum 16 rows per status: still O(1) in the
 *   number of jobs. SQLite serializes writers anyway and keeps one shard.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export const COUNTER_SHARDS = 16;

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('workers').addColumn('stop_deadline_ms', big).execute();
  await sql`create index workers_heartbeat_idx on workers (last_heartbeat_ms)`.execute(db);

  await db.schema.alterTable('job_status_counts').addColumn('shard', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  if (kind !== 'postgres') return;
  await sql`alter table job_status_counts drop constraint job_status_counts_pkey`.execute(db);
  await sql`alter table job_status_counts add primary key (status, shard)`.execute(db);
  await sql`insert into job_status_counts (status, shard, count)
    select s.status, g, 0 from (select distinct status from job_status_counts) s, generate_series(1, ${sql.lit(COUNTER_SHARDS - 1)}) g`.execute(db);
  await sql`
    create or replace function jobs_count_trigger() returns trigger language plpgsql as $$
    declare
      sh integer := pg_backend_pid() % ${sql.lit(COUNTER_SHARDS)};
    begin
      if (tg_op = 'INSERT') then
        update job_status_counts set count = count + 1 where status = new.status and shard = sh;
      elsif (tg_op = 'DELETE') then
        update job_status_counts set count = count - 1 where status = old.status and shard = sh;
      elsif (new.status is distinct from old.status) then
        update job_status_counts set count = count - 1 where status = old.status and shard = sh;
        update job_status_counts set count = count + 1 where status = new.status and shard = sh;
      end if;
      return null;
    end $$`.execute(db);
}
