/**
 * jobs.error_code: the registry code (src/error-codes.ts) of a failed or
 * retried job's error, beside the message, so the provider and the UI read
 * what went wrong without matching text. Null for jobs without an error and
 * for failures recorded before this migration.
 */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, _kind: DbKind): Promise<void> {
  await db.schema.alterTable('jobs').addColumn('error_code', 'text').execute();
}
