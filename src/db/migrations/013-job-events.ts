/** Job timeline events. */
import type { Kysely } from 'kysely';
import type { DbKind } from '../database.js';

export async function up(_db: Kysely<any>, _kind: DbKind): Promise<void> {
  // filled in by the change that needs it
}
