import type { Command } from 'commander';
import { openDatabase } from '../db/database.js';
import { migrateToLatest, migrationStatus } from '../db/migrator.js';
import { configFrom, withDatabaseOptions } from './common.js';

export function register(program: Command): void {
  const db = program.command('db').description('Database migrations');
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
}
