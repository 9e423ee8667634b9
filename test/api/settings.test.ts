/** Settings API: typed validation, atomic bulk updates, defaults that are never stored nor overwrite, custom settings, on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus, SETTING_KEYS } from './api-helpers.js';

for (const kind of databaseKinds()) {
  describe(`settings API (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => t.close());
    const get = async (key: string) => expectStatus(await t.app.inject({ url: `/api/settings/${key}` }), 200);
    const put = (key: string, value: unknown) => t.app.inject({ method: 'PUT', url: `/api/settings/${key}`, payload: { value } });

    it('GET lists every setting with the contract fields, and filters by category', async () => {
      const all = expectStatus(await t.app.inject({ url: '/api/settings' }), 200);
      assert.ok(all.length > 40);
      for (const s of all) assertKeys(s, SETTING_KEYS, `setting ${s.key}`);
      for (const key of ['operation_mode', 'library_paths', 'worker_cpu_count', 'whisper_model', 'scanner_cron', 'bazarr_api_key', 'path_mapping_from']) {
        assert.ok(all.some((s: { key: string }) => s.key === key), `missing setting ${key}`);
      }
      const workers = expectStatus(await t.app.inject({ url: '/api/settings?category=workers' }), 200);
      assert.ok(workers.length > 0 && workers.every((s: { category: string }) => s.category === 'workers'));
      expectStatus(await t.app.inject({ url: '/api/settings?category=nonsense' }), 400);
    });

    it('GET /api/settings/{key} returns one setting; an unknown key is a 404', async () => {
      const s = await get('worker_cpu_count');
      assertKeys(s, SETTING_KEYS);
      assert.equal(s.value_type, 'integer');
      assert.equal(s.category, 'workers');
      expectStatus(await t.app.inject({ url: '/api/settings/no_such_key' }), 404);
    });

    it('PUT validates by type: an integer refuses "abc", a boolean refuses "maybe", a choice refuses others', async () => {
      const before = (await get('worker_cpu_count')).value;
      assert.match(expectStatus(await put('worker_cpu_count', 'abc'), 400).detail, /integer/);
      assert.equal((await get('worker_cpu_count')).value, before);
      expectStatus(await put('worker_cpu_count', '-1'), 400);
      expectStatus(await put('auto_scan_enabled', 'maybe'), 400);
      expectStatus(await put('operation_mode', 'everything'), 400);
      expectStatus(await put('no_such_key', '1'), 404);
      const ok = expectStatus(await put('worker_cpu_count', '2'), 200);
      assertKeys(ok, SETTING_KEYS);
      assert.equal(ok.value, '2');
      assert.ok(ok.updated_at);
      assert.equal(t.ctx.settings.getNumber('worker_cpu_count'), 2, 'the running service sees the change at once');
      assert.equal(expectStatus(await put('auto_scan_enabled', true), 200).value, 'true');
    });

    it('bulk-update saves all values, or none when one is bad', async () => {
      const res = expectStatus(await t.app.inject({
        method: 'POST', url: '/api/settings/bulk-update',
        payload: { settings: { worker_cpu_count: '3', worker_gpu_count: '0', scanner_enabled: 'true' } },
      }), 200);
      assert.deepEqual(res, { message: 'Updated 3 settings successfully' });
      assert.equal((await get('worker_cpu_count')).value, '3');
      const one = expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: { scanner_enabled: 'true' } } }), 200);
      assert.deepEqual(one, { message: 'Updated 1 setting successfully' });

      const bad = expectStatus(await t.app.inject({
        method: 'POST', url: '/api/settings/bulk-update',
        payload: { settings: { worker_cpu_count: '5', whisper_threads: 'lots', scanner_enabled: 'false' } },
      }), 400);
      assert.match(bad.detail, /whisper_threads/);
      assert.equal((await get('worker_cpu_count')).value, '3', 'nothing was saved');
      assert.equal((await get('scanner_enabled')).value, 'true');

      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: { worker_cpu_count: '4', ghost_key: '1' } } }), 404);
      assert.equal((await get('worker_cpu_count')).value, '3');
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: {} } }), 400);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { nope: 1 } }), 400);
    });

    it('init-defaults is idempotent, stores no defaults and never overwrites a user value', async () => {
      expectStatus(await put('whisper_model', 'small'), 200);
      const stored = async () => (await t.ctx.database.db.selectFrom('system_settings').select('key').execute()).map((r) => r.key).sort();
      const before = await stored();
      assert.ok(!before.includes('scanner_cron'), 'a setting nobody set has no row');
      for (let i = 0; i < 2; i++) {
        assert.deepEqual(expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/init-defaults' }), 200), { message: 'Default settings initialized successfully' });
      }
      assert.deepEqual(await stored(), before, 'nothing was written');
      assert.equal((await get('whisper_model')).value, 'small');
      assert.equal((await get('scanner_cron')).value, '0 2 * * *', 'the default, from the definition');
    });

    it('POST creates a custom setting (201), a duplicate is a 409, DELETE removes it', async () => {
      const payload = { key: 'custom_setting', value: 'value', description: 'Custom setting description', category: 'general', value_type: 'string' };
      const created = expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload }), 201);
      assertKeys(created, SETTING_KEYS);
      assert.equal(created.value, 'value');
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload }), 409);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload: { key: 'custom_int', value: 'abc', value_type: 'integer' } }), 400);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload: { key: 'custom_x', value: '1', value_type: 'complex' } }), 400);
      assert.deepEqual(expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/settings/custom_setting' }), 200), { message: "Setting 'custom_setting' deleted successfully" });
      expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/settings/custom_setting' }), 404);
      expectStatus(await t.app.inject({ url: '/api/settings/custom_setting' }), 404);
    });

    it('built-in settings cannot be deleted (400)', async () => {
      expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/settings/worker_cpu_count' }), 400);
      await get('worker_cpu_count');
    });
  });
}
