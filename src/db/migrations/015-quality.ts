/**
 * What a finished subtitle is worth: the quality report of a transcription
 * job (src/transcription/quality/), its score and whether a person should
 * look at it before it counts as done. `needs_review` is 1 while the score is
 * under quality_review_threshold and nobody accepted it; Accept sets
 * `review_accepted_at` and clears the flag for good (a rescan reads the job,
 * never the report again). The library index keeps the flag per item
 * (`needs_review`), with a partial index like its other filters.
 */
import { sql, type Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(db: Kysely<any>, kind: DbKind): Promise<void> {
  const real = kind === 'postgres' ? 'double precision' : 'real';
  await db.schema.alterTable('jobs').addColumn('quality_score', real).execute();
  await db.schema.alterTable('jobs').addColumn('needs_review', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await db.schema.alterTable('jobs').addColumn('quality', 'text').execute();
  await db.schema.alterTable('jobs').addColumn('review_accepted_at', 'text').execute();
  await sql`create index jobs_needs_review_idx on jobs (seq) where needs_review = 1`.execute(db);
  await db.schema.alterTable('library_items').addColumn('needs_review', 'integer', (c) => c.notNull().defaultTo(0)).execute();
  await sql`create index library_items_review_idx on library_items (sort_key, id) where needs_review = 1`.execute(db);
}
