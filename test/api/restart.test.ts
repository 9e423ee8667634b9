/** A restarted server finds its settings, rules, jobs and API key again (same database, new context). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKinds } from '../helpers/db.js';
import { createTestApp } from '../helpers/app.js';
import { expectStatus } from './api-helpers.js';

for (const kind of databaseKinds()) {
  describe(`restart (${kind})`, () => {
    it('settings, rules, jobs and the API key survive closing and reopening', async () => {
      const database = await createTestDatabase(kind);
      try {
        const first = await createTestApp(kind, database);
        const key = first.ctx.settings.getString('api_key');
        expectStatus(await first.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: { worker_cpu_count: '3', whisper_model: 'small', library_paths: '/media/a,/media/b' } } }), 200);
        expectStatus(await first.app.inject({ method: 'POST', url: '/api/settings', payload: { key: 'my_custom', value: 'kept' } }), 201);
        const rule = expectStatus(await first.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name: 'Keep me', priority: 7, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa', quality_preset: 'best' } } }), 201);
        const jobs = [];
        for (let i = 0; i < 3; i++) {
          jobs.push(expectStatus(await first.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: `/media/a/${i}.mkv`, file_name: `${i}.mkv`, target_lang: 'spa', priority: i } }), 201));
        }
        expectStatus(await first.app.inject({ method: 'DELETE', url: `/api/jobs/${jobs[0].id}` }), 200);
        await first.close();

        const second = await createTestApp(kind, database);
        try {
          assert.equal(second.ctx.settings.getString('api_key'), key, 'the API key is not regenerated');
          assert.equal(second.ctx.settings.getNumber('worker_cpu_count'), 3);
          assert.equal(second.ctx.settings.getString('whisper_model'), 'small');
          assert.deepEqual(second.ctx.settings.getList('library_paths'), ['/media/a', '/media/b']);
          assert.equal(expectStatus(await second.app.inject({ url: '/api/settings/my_custom' }), 200).value, 'kept');
          assert.deepEqual(expectStatus(await second.app.inject({ url: `/api/scan-rules/${rule.id}` }), 200), rule);
          const list = expectStatus(await second.app.inject({ url: '/api/jobs' }), 200);
          assert.equal(list.total, 3);
          for (const j of jobs.slice(1)) assert.deepEqual(expectStatus(await second.app.inject({ url: `/api/jobs/${j.id}` }), 200), j);
          assert.equal(expectStatus(await second.app.inject({ url: `/api/jobs/${jobs[0].id}` }), 200).status, 'cancelled');
          assert.deepEqual(expectStatus(await second.app.inject({ url: '/api/jobs/stats' }), 200), { total_jobs: 3, queued: 2, processing: 0, completed: 0, failed: 0, cancelled: 1, needs_review: 0 });
          // The dedup rule still holds across the restart.
          expectStatus(await second.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: '/media/a/1.mkv', file_name: '1.mkv', target_lang: 'spa' } }), 409);
        } finally {
          await second.close();
        }
      } finally {
        await database.drop();
      }
    });
  });
}
