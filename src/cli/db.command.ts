import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrateToLatest, migrationStatus } from '../db/migrator.js';
import { sqliteFileSize, vacuumDatabase } from '../db/vacuum.js';
import { formatBytes } from '../format.js';
import { sqlitePathOf } from '../config.js';
import { configFrom, withDatabaseOptions } from './common.js';

export function register(program: Command): void {
  const db = program.command('db').description('Database migrations and maintenance');
  withDatabaseOptions(db.command('migrate').description('Apply pending migrations')).action(async (opts) => {
    const config = configFrom(opts);
    const handle = openDatabase(config.databaseUrl);
    try {
      const applied = await migrateToLatest(handle);
      console.log(applied.length ? `Applied: ${applied.join(', ')}` : 'Database is up to date');
    } finally {
      await handle.close();
    }
  });
  withDatabaseOptions(db.command('status').description('Show applied and pending migrations')).action(async (opts) => {
    const config = configFrom(opts);
    const handle = openDatabase(config.databaseUrl);
    try {
      const list = await migrationStatus(handle);
      console.log(`Database: ${config.databaseKind}`);
      for (const m of list) console.log(`${m.applied ? 'applied' : 'pending'}  ${m.name}${m.executedAt ? `  ${m.executedAt}` : ''}`);
      const pending = list.filter((m) => !m.applied).length;
      console.log(pending ? `${pending} pending migration(s): run \`transcriptorio db migrate\`` : 'Up to date');
    } finally {
      await handle.close();
    }
  });
  withDatabaseOptions(
    db
      .command('vacuum')
      .description('Give the space of deleted rows back to the disk (SQLite: VACUUM; PostgreSQL: VACUUM ANALYZE); best run while the server is stopped')
      .option('--full', 'PostgreSQL: VACUUM FULL, which shrinks the files but locks every table while it runs'),
  ).action(async (opts: { full?: boolean; databaseUrl?: string; dataDir?: string; logLevel?: string }) => {
    const config = configFrom(opts);
    const file = config.databaseKind === 'sqlite' ? sqlitePathOf(config.databaseUrl) : null;
    if (file && file !== ':memory:' && !existsSync(file)) {
      console.error(`There is no database at ${file}: nothing to vacuum. Check DATA_DIR or DATABASE_URL (or --data-dir / --database-url).`);
      process.exit(1);
    }
    const before = file ? sqliteFileSize(file) : undefined;
    const handle = openDatabase(config.databaseUrl, { poolSize: 1 });
    try {
      console.log(`Database: ${config.databaseKind}${file ? ` ${file}` : ''}`);
      const r = await vacuumDatabase(handle, { full: opts.full, before, progress: (line) => console.log(line) });
      const saved = r.before - r.after;
      console.log(`Size after: ${formatBytes(r.after)}${saved > 0 ? ` (${formatBytes(saved)} freed)` : ''}`);
      console.log(`Done in ${(r.ms / 1000).toFixed(1)} s`);
    } finally {
      await handle.close();
    }
  });
}
