import { Migrator, type Migration, type MigrationResultSet } from 'kysely';
import type { DatabaseHandle } from './database.js';
import { migrations } from './migrations/index.js';
import { AppError } from '../errors.js';
import { isDamaged, sqliteOpenError } from './open-errors.js';

/** A damaged SQLite file found while migrating is said as at open: the file and the fix. */
function damaged(handle: DatabaseHandle, e: unknown): AppError | null {
  return handle.file && isDamaged(e as NodeJS.ErrnoException) ? sqliteOpenError(handle.file, e as NodeJS.ErrnoException) : null;
}

function migratorFor(handle: DatabaseHandle): Migrator {
  const byName: Record<string, Migration> = {};
  for (const m of migrations) byName[m.name] = { up: (db) => m.up(db, handle.kind) };
  return new Migrator({
    db: handle.db,
    provider: { getMigrations: async () => byName },
    migrationTableName: 'schema_migrations',
    migrationLockTableName: 'schema_migrations_lock',
  });
}

/** Applies every pending migration; concurrent callers (several processes) wait on Kysely's lock. */
export async function migrateToLatest(handle: DatabaseHandle): Promise<string[]> {
  let result: MigrationResultSet;
  try {
    result = await migratorFor(handle).migrateToLatest();
  } catch (e) {
    throw damaged(handle, e) ?? e;
  }
  if (result.error) {
    const bad = damaged(handle, result.error);
    if (bad) throw bad;
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName;
    throw new AppError(500, 'migration_failed', `migration ${failed ?? '?'} failed: ${String((result.error as Error).message ?? result.error)}`);
  }
  return (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

interface MigrationStatus {
  name: string;
  applied: boolean;
  executedAt: string | null;
}

export async function migrationStatus(handle: DatabaseHandle): Promise<MigrationStatus[]> {
  const list = await migratorFor(handle)
    .getMigrations()
    .catch((e: unknown) => {
      throw damaged(handle, e) ?? e;
    });
  return list.map((m) => ({ name: m.name, applied: !!m.executedAt, executedAt: m.executedAt?.toISOString() ?? null }));
}
