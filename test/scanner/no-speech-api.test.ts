/**
 * A file in which a job found no speech gets no subtitle (nothing to write),
 * so a rescan must not queue it again and again: it is skipped with the job
 * named, until the file changes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { utimesSync } from 'node:fs';
import { createTestApp } from '../helpers/app.js';
import { createTestLibrary } from './media.js';

test('a file whose job found no speech is not queued again until it changes', async (t) => {
  const lib = createTestLibrary();
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  await app.ctx.settings.bulkUpdate({ library_paths: lib.root });
  await app.ctx.rules.create({ name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
  const scan = async () => (await app.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [lib.root] } })).json();
  const decisionFor = async () => {
    const r = await app.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { paths: [lib.root], dry_run: true } });
    return (r.json().decisions as Array<{ file_path: string; action: string; reason: string | null }>).find((d) => d.file_path === lib.anime)!;
  };

  await scan();
  const first = (await app.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs.find((j) => j.file_path === lib.anime)!;
  assert.ok(first, 'the first scan queued the file');
  // As a worker leaves a job on silent audio: completed, 0 segments, no file written.
  const done = new Date(Date.now() + 1000).toISOString();
  await app.ctx.database.db.updateTable('jobs').set({ status: 'completed', segments_count: 0, output_path: null, completed_at: done, progress: 100 }).where('id', '=', first.id).execute();

  const again = await decisionFor();
  assert.equal(again.action, 'skip');
  assert.equal(again.reason, `no speech was found in this file by job ${first.id}; it is queued again when the file changes`);
  const r = await scan();
  assert.equal((await app.ctx.jobs.list({ page: 1, pageSize: 50 })).jobs.filter((j) => j.file_path === lib.anime).length, 1, 'no second job');
  assert.ok(r.scanned_files > 0);

  // A new copy of the file (newer than the job) is judged again.
  const later = new Date(Date.now() + 60_000);
  utimesSync(lib.anime, later, later);
  assert.equal((await decisionFor()).action, 'job');
});
