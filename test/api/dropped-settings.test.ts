/**
 * Settings that did nothing are gone from fresh and upgraded databases alike
 * (migration 007). A key that came back with the feature it promised
 * (bazarr_url, read by the Bazarr Wanted sync) is listed again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createTestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { definitionByKey } from '../../src/settings/definitions/index.js';
import { DROPPED_SETTINGS, up as migration007 } from '../../src/db/migrations/007-drop-dead-settings.js';

for (const kind of databaseKinds()) {
  test(`dead settings are removed on upgrade and never listed (${kind})`, async () => {
    const t = await createTestApp(kind);
    try {
      const db = t.ctx.database.db;
      const now = new Date().toISOString();
      // As an older version left them.
      await db.insertInto('system_settings').values(DROPPED_SETTINGS.map((key) => ({ key, value: '1', description: 'old', category: 'bazarr', value_type: 'string', created_at: now, updated_at: null }))).onConflict((oc) => oc.column('key').doNothing()).execute();
      await migration007(db, kind);
      const left = await db.selectFrom('system_settings').select('key').where('key', 'in', DROPPED_SETTINGS).execute();
      assert.deepEqual(left, []);
      const listed = ((await t.app.inject({ url: '/api/settings' })).json() as Array<{ key: string }>).map((s) => s.key);
      for (const k of DROPPED_SETTINGS.filter((k) => !definitionByKey.has(k))) assert.ok(!listed.includes(k), `${k} is not listed`);
    } finally {
      await t.close();
    }
  });
}
