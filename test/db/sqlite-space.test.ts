/**
 * The SQLite file gives the space of deleted provider uploads back: new files
 * use auto_vacuum = INCREMENTAL, files made before are converted at open, and
 * deleting a job's chunks shrinks the file on disk (fs.stat, not a page count).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import SQLite from 'better-sqlite3';
import { sql } from 'kysely';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { blobStats, deleteBlob, deleteStrayBlobs, writeBlob } from '../../src/provider/job-blobs.repository.js';

const MiB = 1024 * 1024;

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'tio-space-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** `n` MiB of incompressible bytes, as a stream of 1 MiB pieces. */
const randomAudio = (n: number) => Readable.from(Array.from({ length: n }, () => randomBytes(MiB)));

async function autoVacuum(db: ReturnType<typeof openDatabase>['db']): Promise<number> {
  const { rows } = await sql<{ auto_vacuum: number }>`pragma auto_vacuum`.execute(db);
  return Number(rows[0].auto_vacuum);
}

test('a new SQLite database uses auto_vacuum = INCREMENTAL', async (t) => {
  const handle = openDatabase(`sqlite:${join(tempDir(t), 'new.db')}`);
  t.after(() => handle.close());
  await migrateToLatest(handle);
  assert.equal(await autoVacuum(handle.db), 2);
});

test('a SQLite file made without auto_vacuum is converted when it is opened, and keeps its rows', async (t) => {
  const file = join(tempDir(t), 'old.db');
  const old = new SQLite(file);
  old.pragma('journal_mode = WAL');
  old.exec('create table notes (id integer primary key, text text)');
  old.prepare('insert into notes (text) values (?)').run('kept');
  assert.equal(old.pragma('auto_vacuum', { simple: true }), 0);
  old.close();

  const handle = openDatabase(`sqlite:${file}`);
  t.after(() => handle.close());
  assert.equal(await autoVacuum(handle.db), 2);
  const { rows } = await sql<{ text: string }>`select text from notes`.execute(handle.db);
  assert.deepEqual(rows, [{ text: 'kept' }]);
});

test('the SQLite file shrinks back after ~20 MB of provider uploads are deleted', async (t) => {
  const file = join(tempDir(t), 'blobs.db');
  const handle = openDatabase(`sqlite:${file}`);
  t.after(() => handle.close());
  await migrateToLatest(handle);
  const empty = statSync(file).size;

  await writeBlob(handle.db, 'job-a', randomAudio(12));
  await writeBlob(handle.db, 'job-b', randomAudio(8));
  await sql`pragma wal_checkpoint(TRUNCATE)`.execute(handle.db);
  const full = statSync(file).size;
  assert.ok(full > empty + 19 * MiB, `the file holds the uploads: ${full} bytes`);

  assert.ok((await deleteBlob(handle.db, 'job-a')) > 0);
  const afterOne = statSync(file).size;
  assert.ok(afterOne < full - 11 * MiB, `deleting 12 MiB shrinks the file: ${full} → ${afterOne} bytes`);

  // The clean-up's delete (chunks without a job, past the grace time) gives the space back too.
  const stray = await deleteStrayBlobs(handle.db, Date.now() + 60_000);
  assert.ok(stray > 0);
  assert.equal((await blobStats(handle.db)).chunks, 0);
  const after = statSync(file).size;
  assert.ok(after < empty + 2 * MiB, `the file is back near its empty size: ${empty} → ${full} → ${after} bytes`);
});
