/**
 * jobs.node_affinity: a job that only one node can run (a provider request
 * whose upload sits on the server's disk) names that node; claims from other
 * nodes skip it. Library jobs leave it null and run anywhere.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('node_affinity', 'text').execute();
  await sql`create index jobs_node_affinity_idx on jobs (node_affinity) where node_affinity is not null`.execute(db);
}
