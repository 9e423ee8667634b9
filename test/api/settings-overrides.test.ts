/**
 * Settings are stored as overrides: a row only for a value someone set, the
 * defaults in the definitions. So a default changed in its definition
 * reaches every install that never set the setting, with no migration, and
 * a setting set back to its default follows the definition again. On SQLite
 * and PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus, SETTING_KEYS } from './api-helpers.js';
import { readSettingRow } from '../helpers/settings-rows.js';
import { definitionByKey } from '../../src/settings/definitions/index.js';
import { migrateToLatest } from '../../src/db/migrator.js';

for (const kind of databaseKinds()) {
  describe(`a default changed in its definition (${kind})`, () => {
    it("changes the effective value of every install that never set it, with no migration; a value the user set stays the user's", async (tc) => {
      const tdb = await createTestDatabase(kind);
      tc.after(() => tdb.drop());
      // An install runs and its user sets one setting.
      const first = await createTestApp(kind, tdb);
      try {
        expectStatus(await first.app.inject({ method: 'PUT', url: '/api/settings/whisper_model', payload: { value: 'small' } }), 200);
        assert.equal(first.ctx.settings.getNumber('whisper_threads'), 4);
      } finally {
        await first.close();
      }

      // A new version ships other defaults for both settings.
      const threads = definitionByKey.get('whisper_threads')!;
      const model = definitionByKey.get('whisper_model')!;
      const shipped = { threads: threads.default, model: model.default };
      threads.default = '6';
      model.default = 'base';
      tc.after(() => {
        threads.default = shipped.threads;
        model.default = shipped.model;
      });

      const next = await createTestApp(kind, tdb);
      try {
        assert.deepEqual(await migrateToLatest(next.ctx.database), [], 'no migration ran');
        assert.equal(next.ctx.settings.getNumber('whisper_threads'), 6, 'the new default is in force');
        const shown = expectStatus(await next.app.inject({ url: '/api/settings/whisper_threads' }), 200);
        assert.equal(shown.value, '6');
        assert.equal(shown.default_value, '6');
        assert.equal(shown.effective_value, undefined);
        assert.equal(next.ctx.settings.getString('whisper_model'), 'small', "the user's value is kept");
        assert.equal(expectStatus(await next.app.inject({ url: '/api/settings/whisper_model' }), 200).value, 'small');
      } finally {
        await next.close();
      }
    });
  });

  describe(`settings at their default (${kind})`, () => {
    let tdb: TestDatabase;
    let t: TestApp;
    before(async () => {
      tdb = await createTestDatabase(kind);
      t = await createTestApp(kind, tdb);
    });
    after(async () => {
      await t.close();
      await tdb.drop();
    });
    const get = async (key: string) => expectStatus(await t.app.inject({ url: `/api/settings/${key}` }), 200);
    const put = (key: string, value: unknown) => t.app.inject({ method: 'PUT', url: `/api/settings/${key}`, payload: { value } });
    const row = (key: string) => readSettingRow(t.ctx.database.db, key);

    it('a fresh install stores only what it set itself (the generated API key)', async () => {
      const keys = (await t.ctx.database.db.selectFrom('system_settings').select('key').execute()).map((r) => r.key);
      assert.deepEqual(keys, ['api_key']);
    });

    it('are listed with every contract field: the default, a negative id of their own and no dates', async () => {
      const all = expectStatus(await t.app.inject({ url: '/api/settings' }), 200) as Array<Record<string, unknown>>;
      assert.equal(all.length, definitionByKey.size, 'every built-in setting is listed');
      for (const s of all) assertKeys(s, SETTING_KEYS, `setting ${s.key}`);
      const ids = all.map((s) => s.id as number);
      assert.equal(new Set(ids).size, ids.length, 'ids are distinct');
      const cron = all.find((s) => s.key === 'scanner_cron')!;
      assert.equal(cron.value, definitionByKey.get('scanner_cron')!.default);
      assert.ok((cron.id as number) < 0);
      assert.equal(cron.created_at, null);
      assert.equal(cron.updated_at, null);
      assert.equal((await get('scanner_cron')).id, cron.id, 'the same id every time');
      // The stored API key is a row: a positive id, its dates, and masked.
      const key = all.find((s) => s.key === 'api_key')!;
      assert.ok((key.id as number) > 0 && typeof key.created_at === 'string');
      assert.equal(key.masked, true);
      // A secret at its default (empty) is shown as it is.
      assert.equal(all.find((s) => s.key === 'plex_token')!.value, '');
      const general = expectStatus(await t.app.inject({ url: '/api/settings?category=general' }), 200) as Array<{ key: string; category: string }>;
      assert.deepEqual(general.map((s) => s.key).sort(), [...definitionByKey.values()].filter((d) => d.category === 'general').map((d) => d.key).sort());
    });

    it('the presentation lists every setting, stored or not', async () => {
      const p = expectStatus(await t.app.inject({ url: '/api/settings/presentation' }), 200);
      assert.equal(p.settings.length, definitionByKey.size);
    });

    it('PUT stores a changed value; PUT of the default removes the row again', async () => {
      const changed = expectStatus(await put('whisper_threads', 8), 200);
      assert.equal(await row('whisper_threads'), '8');
      assert.ok(changed.id > 0 && changed.created_at && changed.updated_at);
      const back = expectStatus(await put('whisper_threads', '4'), 200);
      assert.equal(await row('whisper_threads'), undefined, 'no row: the setting follows its definition again');
      assert.equal(back.value, '4');
      assert.ok(back.id < 0);
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 4);
    });

    it('bulk-update stores changed values and removes the rows of values set back to their default', async () => {
      expectStatus(await put('worker_cpu_count', 2), 200);
      const res = expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings/bulk-update', payload: { settings: { worker_cpu_count: 0, auto_scan_enabled: true } } }), 200);
      assert.deepEqual(res, { message: 'Updated 2 settings successfully' });
      assert.equal(await row('worker_cpu_count'), undefined);
      assert.equal(await row('auto_scan_enabled'), 'true');
      assert.equal(t.ctx.settings.getNumber('worker_cpu_count'), 0);
      assert.equal(t.ctx.settings.getBoolean('auto_scan_enabled'), true);
    });

    it('a built-in setting cannot be created again, nor deleted; a custom one is a stored row', async () => {
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload: { key: 'scanner_cron', value: '1 2 * * *' } }), 409);
      expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/settings/scanner_cron' }), 400);
      const created = expectStatus(await t.app.inject({ method: 'POST', url: '/api/settings', payload: { key: 'my_note', value: 'hello' } }), 201);
      assert.ok(created.id > 0);
      assert.equal(await row('my_note'), 'hello');
      assert.equal(expectStatus(await put('my_note', 'bye'), 200).value, 'bye');
      assert.equal(await row('my_note'), 'bye');
      expectStatus(await t.app.inject({ method: 'DELETE', url: '/api/settings/my_note' }), 200);
      assert.equal(await row('my_note'), undefined);
    });

    it('another process setting a value back to its default is seen on refresh()', async () => {
      expectStatus(await put('whisper_threads', 12), 200);
      await t.ctx.database.db.deleteFrom('system_settings').where('key', '=', 'whisper_threads').execute();
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 12, 'this process still holds what it read');
      await t.ctx.settings.refresh();
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 4);
    });
  });
}
