/**
 * Worker pool: a stop deadline on worker rows, so a supervisor (or the API on
 * another node) can ask a worker to finish or hand back its job by a given
 * time; and an index for the supervisors' per-node queries.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const big = kind === 'postgres' ? 'bigint' : 'integer';
  await db.schema.alterTable('workers').addColumn('stop_deadline_ms', big).execute();
  await sql`create index workers_heartbeat_idx on workers (last_heartbeat_ms)`.execute(db);
}
