/**
 * The database file as the CLI meets it: a file that is not a SQLite database
 * (or a folder, or a path that cannot be made, or a read-only file system)
 * stops `server` and `db status` with one message that names the file and
 * the fix, a non-zero exit and no stack trace; `db vacuum` gives the space
 * of deleted rows back and prints the size before and after.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { PG_SKIP_REASON, PG_TEST_URL, createTestDatabase } from '../helpers/db.js';
import { NO_TMPFS, mountTmpfs, unmount } from '../helpers/tmpfs.js';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'tio-dbfile-'));
const MiB = 1024 * 1024;

function cli(args: string[], env: Record<string, string>) {
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of ['DATABASE_URL', 'PORT', 'HOST', 'LOG_LEVEL', 'LOG_FORMAT']) delete base[k];
  const res = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...base, DATA_DIR: join(work, 'data'), PORT: '0', HOST: '127.0.0.1', TRANSCRIPTORIO_FROM_SOURCE: '1', ...env },
  });
  return { code: res.status, out: res.stdout, err: res.stderr };
}

/** No stack trace: no "    at fn (file:line)" frames and no "Error:" class prefix. */
function assertNoStack(text: string) {
  assert.doesNotMatch(text, /^\s+at\s/m, `a stack trace was printed:\n${text}`);
  assert.doesNotMatch(text, /SqliteError|AppError/, `an error class was printed:\n${text}`);
}

describe('a database file that cannot be used', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('random bytes: server and db status exit non-zero, naming the file and how to fix it', () => {
    const file = join(work, 'random.db');
    writeFileSync(file, randomBytes(64 * 1024));
    for (const args of [['server'], ['db', 'status'], ['db', 'migrate']]) {
      const r = cli(args, { DATABASE_URL: `sqlite:${file}` });
      assert.notEqual(r.code, 0, `${args.join(' ')}: ${r.out}`);
      assert.ok(r.err.includes(file), `${args.join(' ')}: stderr names the file: ${r.err}`);
      assert.match(r.err, /is not a SQLite database or is damaged/);
      assert.match(r.err, /Restore it from a backup, or move it aside to start with a new, empty one/);
      assertNoStack(r.err);
      assert.equal(r.err.trim().split('\n').length, 1, `one line: ${r.err}`);
    }
  });

  it('a folder named as the database file: says so and which file to name instead', () => {
    const dir = join(work, 'a-folder.db');
    mkdirSync(dir, { recursive: true });
    const r = cli(['db', 'status'], { DATABASE_URL: `sqlite:${dir}` });
    assert.notEqual(r.code, 0);
    assert.match(r.err, new RegExp(`${dir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} is a folder, not a file`));
    assertNoStack(r.err);
  });

  it('a folder that cannot be created (a file is in the way): names it and the fix', () => {
    const blocker = join(work, 'not-a-folder');
    writeFileSync(blocker, 'x');
    const file = join(blocker, 'sub', 'transcriptorio.db');
    const r = cli(['server'], { DATABASE_URL: `sqlite:${file}` });
    assert.notEqual(r.code, 0);
    assert.ok(r.err.includes(join(blocker, 'sub')), r.err);
    assert.match(r.err, /cannot be created: part of that path is a file, not a folder\. Set DATA_DIR/);
    assertNoStack(r.err);
  });

  it('a database on a read-only file system: says it is read-only and how to fix it', (t) => {
    const mnt = mountTmpfs('8m');
    if (!mnt) return void t.skip(NO_TMPFS);
    try {
      const file = join(mnt, 'transcriptorio.db');
      const made = cli(['db', 'migrate'], { DATABASE_URL: `sqlite:${file}` });
      assert.equal(made.code, 0, made.err);
      execFileSync('mount', ['-o', 'remount,ro', mnt]);
      const r = cli(['db', 'status'], { DATABASE_URL: `sqlite:${file}` });
      assert.notEqual(r.code, 0, r.out);
      assert.ok(r.err.includes(file), r.err);
      assert.match(r.err, /read-only file system\. Mount it read-write/);
      assertNoStack(r.err);
    } finally {
      unmount(mnt);
    }
  });
});

describe('transcriptorio db vacuum', () => {
  it('SQLite: rewrites the file without the space of deleted rows, printing the size before and after', async () => {
    const file = join(work, 'vacuum', 'transcriptorio.db');
    const handle = openDatabase(`sqlite:${file}`);
    await migrateToLatest(handle);
    // Rows deleted with plain SQL (not the blob repository, which gives the space back itself): their pages stay free in the file.
    for (let i = 0; i < 10; i++) {
      await sql`insert into job_blobs (job_id, seq, data, created_ms) values ('j', ${i}, ${randomBytes(MiB)}, 0)`.execute(handle.db);
    }
    await sql`delete from job_blobs`.execute(handle.db);
    await handle.close();
    const before = statSync(file).size;
    assert.ok(before > 9 * MiB, `${before}`);

    const r = cli(['db', 'vacuum'], { DATABASE_URL: `sqlite:${file}` });
    assert.equal(r.code, 0, r.err);
    assert.ok(r.out.includes(`Database: sqlite ${file}`), r.out);
    assert.match(r.out, /Size before: \d+\.\d MiB/);
    assert.match(r.out, /Rewriting the database file \(VACUUM\)/);
    assert.match(r.out, /Size after: \d+(\.\d)? (KiB|bytes) \(\d+\.\d MiB freed\)/);
    assert.match(r.out, /Done in \d+\.\d s/);
    const after = statSync(file).size;
    assert.ok(after < MiB, `the file shrank: ${before} → ${after} bytes`);
  });

  it('a missing SQLite file is not created: says there is nothing to vacuum', () => {
    const file = join(work, 'none', 'missing.db');
    const r = cli(['db', 'vacuum'], { DATABASE_URL: `sqlite:${file}` });
    assert.notEqual(r.code, 0);
    assert.match(r.err, /There is no database at .*missing\.db: nothing to vacuum/);
    assert.throws(() => statSync(file));
  });

  it('PostgreSQL: VACUUM ANALYZE with the database size before and after', { skip: PG_TEST_URL ? false : PG_SKIP_REASON }, async () => {
    const tdb = await createTestDatabase('postgres');
    try {
      const handle = openDatabase(tdb.url, { poolSize: 1 });
      await migrateToLatest(handle);
      await handle.close();
      const r = cli(['db', 'vacuum'], { DATABASE_URL: tdb.url });
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /Database: postgres/);
      assert.match(r.out, /Size before: \d/);
      assert.match(r.out, /VACUUM ANALYZE/);
      assert.match(r.out, /Size after: \d/);
    } finally {
      await tdb.drop();
    }
  });
});
