/**
 * The first schema: jobs with their per-status counters, rules, settings,
 * workers, the probe cache and small key/value state.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  const real = kind === 'postgres' ? 'double precision' : 'real';

  await db.schema
    .createTable('jobs')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('seq', big, (c) => c.notNull())
    .addColumn('file_path', 'text', (c) => c.notNull())
    .addColumn('file_name', 'text', (c) => c.notNull())
    .addColumn('job_type', 'text', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('priority', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('source_lang', 'text')
    .addColumn('target_lang', 'text', (c) => c.notNull())
    .addColumn('quality_preset', 'text', (c) => c.notNull())
    .addColumn('transcribe_or_translate', 'text', (c) => c.notNull())
    .addColumn('progress', real, (c) => c.notNull().defaultTo(0))
    .addColumn('current_stage', 'text')
    .addColumn('eta_seconds', 'integer')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('started_at', 'text')
    .addColumn('completed_at', 'text')
    .addColumn('output_path', 'text')
    .addColumn('segments_count', 'integer')
    .addColumn('error', 'text')
    .addColumn('retry_count', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('max_retries', 'integer', (c) => c.notNull().defaultTo(3))
    .addColumn('worker_id', 'text')
    .addColumn('vram_used_mb', 'integer')
    .addColumn('processing_time_seconds', real)
    .addColumn('model_used', 'text')
    .addColumn('device_used', 'text')
    .addColumn('is_manual_request', 'integer', (c) => c.notNull().defaultTo(1))
    .addColumn('lease_expires_at', big)
    .addColumn('not_before', big)
    .addColumn('cancel_requested', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('options', 'text')
    .addColumn('result', 'text')
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('updated_ms', big, (c) => c.notNull())
    .execute();

  if (kind === 'postgres') await sql`create sequence jobs_seq_counter`.execute(db);
  // The queue: next job by priority, FIFO within a priority.
  await sql`create index jobs_claim_idx on jobs (status, priority desc, seq)`.execute(db);
  // Listing newest first, with and without a status filter.
  await sql`create unique index jobs_seq_idx on jobs (seq)`.execute(db);
  await sql`create index jobs_status_seq_idx on jobs (status, seq)`.execute(db);
  // One live job per file.
  await sql`create unique index jobs_live_file_idx on jobs (file_path) where status in ('queued', 'processing')`.execute(db);
  // Lease recovery and the live event stream.
  await sql`create index jobs_lease_idx on jobs (lease_expires_at) where status = 'processing'`.execute(db);
  await sql`create index jobs_updated_idx on jobs (updated_ms)`.execute(db);
  await sql`create index jobs_file_path_idx on jobs (file_path)`.execute(db);

  await db.schema
    .createTable('job_status_counts')
    .addColumn('status', 'text', (c) => c.primaryKey())
    .addColumn('count', big, (c) => c.notNull().defaultTo(0))
    .execute();
  for (const status of JOB_STATUSES) {
    await db.insertInto('job_status_counts').values({ status, count: 0 }).execute();
  }
  // Counters kept by triggers make stats and list totals O(1) at any queue size.
  if (kind === 'postgres') {
    await sql`
      create function jobs_count_trigger() returns trigger language plpgsql as $$
      begin
        if (tg_op = 'INSERT') then
          update job_status_counts set count = count + 1 where status = new.status;
        elsif (tg_op = 'DELETE') then
          update job_status_counts set count = count - 1 where status = old.status;
        elsif (new.status is distinct from old.status) then
          update job_status_counts set count = count - 1 where status = old.status;
          update job_status_counts set count = count + 1 where status = new.status;
        end if;
        return null;
      end $$`.execute(db);
    await sql`create trigger jobs_count after insert or delete or update of status on jobs
      for each row execute function jobs_count_trigger()`.execute(db);
  } else {
    await sql`create trigger jobs_count_ins after insert on jobs begin
      update job_status_counts set count = count + 1 where status = new.status; end`.execute(db);
    await sql`create trigger jobs_count_del after delete on jobs begin
      update job_status_counts set count = count - 1 where status = old.status; end`.execute(db);
    await sql`create trigger jobs_count_upd after update of status on jobs when old.status <> new.status begin
      update job_status_counts set count = count - 1 where status = old.status;
      update job_status_counts set count = count + 1 where status = new.status; end`.execute(db);
  }

  const autoId = (t: any) =>
    kind === 'postgres'
      ? t.addColumn('id', 'serial', (c: any) => c.primaryKey())
      : t.addColumn('id', 'integer', (c: any) => c.primaryKey().autoIncrement());

  await autoId(db.schema.createTable('scan_rules'))
    .addColumn('name', 'text', (c: any) => c.notNull().unique())
    .addColumn('enabled', 'integer', (c: any) => c.notNull().defaultTo(1))
    .addColumn('priority', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('audio_language_is', 'text')
    .addColumn('audio_language_not', 'text')
    .addColumn('audio_track_count_min', 'integer')
    .addColumn('has_embedded_subtitle_lang', 'text')
    .addColumn('missing_embedded_subtitle_lang', 'text')
    .addColumn('missing_external_subtitle_lang', 'text')
    .addColumn('file_extension', 'text')
    .addColumn('action_type', 'text', (c: any) => c.notNull())
    .addColumn('target_language', 'text', (c: any) => c.notNull())
    .addColumn('quality_preset', 'text', (c: any) => c.notNull())
    .addColumn('job_priority', 'integer', (c: any) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text')
    .execute();
  await sql`create index scan_rules_priority_idx on scan_rules (enabled, priority desc, id)`.execute(db);

  await autoId(db.schema.createTable('system_settings'))
    .addColumn('key', 'text', (c: any) => c.notNull().unique())
    .addColumn('value', 'text', (c: any) => c.notNull())
    .addColumn('description', 'text')
    .addColumn('category', 'text', (c: any) => c.notNull())
    .addColumn('value_type', 'text', (c: any) => c.notNull())
    .addColumn('created_at', 'text', (c: any) => c.notNull())
    .addColumn('updated_at', 'text')
    .execute();
  await sql`create index system_settings_category_idx on system_settings (category, key)`.execute(db);

  await db.schema
    .createTable('workers')
    .addColumn('worker_id', 'text', (c) => c.primaryKey())
    .addColumn('worker_type', 'text', (c) => c.notNull())
    .addColumn('device_id', 'integer')
    .addColumn('node', 'text', (c) => c.notNull())
    .addColumn('pid', 'integer')
    .addColumn('status', 'text', (c) => c.notNull())
    .addColumn('desired_state', 'text', (c) => c.notNull().defaultTo('running'))
    .addColumn('current_job_id', 'text')
    .addColumn('current_job_progress', real)
    .addColumn('current_job_eta', 'integer')
    .addColumn('jobs_completed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('jobs_failed', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('started_at', 'text', (c) => c.notNull())
    .addColumn('last_heartbeat_ms', big, (c) => c.notNull())
    .addColumn('error', 'text')
    .addColumn('model_loaded', 'text')
    .execute();
  await sql`create index workers_node_idx on workers (node)`.execute(db);

  await db.schema
    .createTable('probe_cache')
    .addColumn('path', 'text', (c) => c.primaryKey())
    .addColumn('size', big, (c) => c.notNull())
    .addColumn('mtime_ms', big, (c) => c.notNull())
    .addColumn('probed_at', 'text', (c) => c.notNull())
    .addColumn('result', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('app_state')
    .addColumn('key', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}
