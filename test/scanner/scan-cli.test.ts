import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { createTestDatabase } from '../helpers/db.js';
import { openDatabase } from '../../src/db/database.js';
import { createTestLibrary } from './media.js';

const root = join(import.meta.dirname, '..', '..');

function cli(args: string[], dataDir: string) {
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'silent' };
  delete env.DATABASE_URL;
  const res = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: root,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: res.status, out: `${res.stdout}${res.stderr}` };
}

test('transcriptorio scan --dry-run prints each decision and a summary; a held scan lease is reported', async () => {
  const lib = createTestLibrary();
  const db = await createTestDatabase('sqlite');
  try {
    const dry = cli(['scan', join(lib.root, 'anime'), join(lib.root, 'music'), '--dry-run'], db.dataDir);
    assert.equal(dry.code, 0, dry.out);
    assert.match(dry.out, /SKIP {2}.*Show S01E01\.mkv\n\s+no enabled scan rules/);
    assert.match(dry.out, /Dry run: 4 media files scanned/);
    assert.match(dry.out, /jobs created: 0/);

    const flat = cli(['scan', lib.root, '--dry-run', '--no-recursive'], db.dataDir);
    assert.match(flat.out, /Dry run: 0 media files scanned/);

    const handle = openDatabase(`sqlite:${join(db.dataDir, 'transcriptorio.db')}`);
    await handle.db.insertInto('app_state').values({ key: 'scanner.lock', value: JSON.stringify({ owner: 'server:42:aa', expires_ms: Date.now() + 60_000 }) }).execute();
    await handle.close();
    const busy = cli(['scan', lib.root], db.dataDir);
    assert.equal(busy.code, 3);
    assert.match(busy.out, /A scan is running already/);
  } finally {
    await db.drop();
  }
});
