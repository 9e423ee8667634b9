/**
 * Stored settings that were never validated (a hand edit of the database, a
 * restored backup, a row from an older version) are not used: the server
 * starts with the safe value or the default, the setting shows the value in
 * force, the health check lists it until a valid value is saved, and a row
 * broken later by another process is caught on refresh. On SQLite and
 * PostgreSQL.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase, databaseKinds, type TestDatabase } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { expectStatus } from './api-helpers.js';
import { writeSettingRow } from '../helpers/settings-rows.js';
import { openDatabase, type DatabaseHandle } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrator.js';
import { SettingsService } from '../../src/settings/settings.service.js';
import { loadConfig } from '../../src/config.js';
import { createContext, closeContext } from '../../src/server/context.js';
import { createLogger } from '../../src/logger.js';

interface Check { id: string; level: string; message: string; fix: string; link: string | null }

/** Rows as a restored backup or a hand edit could leave them. */
const BROKEN: Record<string, string> = {
  auth_enabled: 'garbage',
  auth_exempt_local: 'garbage',
  whisper_threads: '1e9',
  library_paths: '["/x"',
  allowed_hosts: '["evil.example"',
  trust_proxy: 'true',
};

for (const kind of databaseKinds()) {
  describe(`stored settings that are not valid (${kind})`, () => {
    let tdb: TestDatabase;
    let other: DatabaseHandle;
    let t: TestApp;
    let key: string;
    const remote = { remoteAddress: '10.0.0.5' };
    const withKey = () => ({ 'x-api-key': key });
    /** Another process (a worker, another node, a hand edit) writes a row behind the server's back. */
    const write = (k: string, value: string) => writeSettingRow(other.db, k, value);
    const health = async (): Promise<Check[]> => expectStatus(await t.app.inject({ url: '/api/system/health', headers: withKey() }), 200).checks;
    const invalid = async () => (await health()).filter((c) => c.id.startsWith('setting_invalid:'));
    const setting = async (k: string) => expectStatus(await t.app.inject({ url: `/api/settings/${k}`, headers: withKey() }), 200);
    const put = async (k: string, value: unknown) => expectStatus(await t.app.inject({ method: 'PUT', url: `/api/settings/${k}`, headers: withKey(), payload: { value } }), 200);

    before(async () => {
      tdb = await createTestDatabase(kind);
      other = openDatabase(tdb.url);
      await migrateToLatest(other);
      // An install that has run before, then some rows broken.
      await new SettingsService(other.db).initDefaults();
      for (const [k, v] of Object.entries(BROKEN)) await write(k, v);
      t = await createTestApp(kind, tdb);
      key = t.ctx.settings.getString('api_key');
      assert.ok(key, 'the start made an API key');
    });
    after(async () => {
      await t?.close();
      await other?.close();
      await tdb?.drop();
    });

    it('auth_enabled="garbage" keeps the API key required: a remote request without it is refused', async () => {
      const res = await t.app.inject({ url: '/api/status', ...remote });
      assert.equal(res.statusCode, 401, `a broken auth_enabled must not turn auth off: ${res.body}`);
      expectStatus(await t.app.inject({ url: '/api/jobs', ...remote }), 401);
      expectStatus(await t.app.inject({ url: '/api/status', ...remote, headers: withKey() }), 200);
    });

    it('auth_exempt_local="garbage" fails closed: this machine needs the key too', async () => {
      expectStatus(await t.app.inject({ url: '/api/status' }), 401);
      expectStatus(await t.app.inject({ url: '/api/status', headers: withKey() }), 200);
    });

    it('whisper_threads="1e9": the default is in force, shown on the setting, and a warning is listed', async () => {
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 4);
      const s = await setting('whisper_threads');
      assert.equal(s.value, '1e9', 'the stored text is shown as it is');
      assert.equal(s.effective_value, '4');
      assert.match(s.overridden_by, /the default \(4\), because the stored value is invalid: it must be an integer/);
      const check = (await invalid()).find((c) => c.id === 'setting_invalid:whisper_threads');
      assert.ok(check, 'whisper_threads is listed');
      assert.equal(check.level, 'warning');
      assert.match(check.message, /whisper_threads holds "1e9".*its default 4 is in force/);
      assert.match(check.fix, /^Set “.+” again in Settings\.$/);
      assert.equal(check.link, '#/settings/whisper_threads');
    });

    it('list settings holding broken JSON fall back to their fail-closed value (nothing), and security ones are errors', async () => {
      assert.deepEqual(t.ctx.settings.getList('library_paths'), []);
      assert.deepEqual(t.ctx.settings.getList('allowed_hosts'), []);
      assert.equal(t.ctx.settings.getString('trust_proxy'), '');
      assert.equal((await setting('library_paths')).effective_value, '');
      const levels = Object.fromEntries((await invalid()).map((c) => [c.id.split(':')[1], c.level]));
      assert.deepEqual(levels, {
        auth_enabled: 'error', auth_exempt_local: 'error', allowed_hosts: 'error', library_paths: 'error', trust_proxy: 'error', whisper_threads: 'warning',
      });
      const auth = (await invalid()).find((c) => c.id === 'setting_invalid:auth_enabled')!;
      assert.match(auth.message, /auth_enabled holds "garbage", but it must be true or false, so its default true is in force/);
      assert.equal(auth.link, '#/settings/auth_enabled');
      const body = expectStatus(await t.app.inject({ url: '/api/system/health', headers: withKey() }), 200);
      assert.equal(body.status, 'error');
    });

    it('saving a valid value through the API clears the warning at once', async () => {
      assert.ok((await invalid()).some((c) => c.id === 'setting_invalid:whisper_threads'), 'listed before the save');
      await put('whisper_threads', 2);
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 2);
      assert.ok(!(await invalid()).some((c) => c.id === 'setting_invalid:whisper_threads'));
      const s = await setting('whisper_threads');
      assert.equal(s.effective_value, undefined);
      assert.equal(s.overridden_by, undefined);
      await put('auth_enabled', true);
      await put('library_paths', '');
      assert.ok(!(await invalid()).some((c) => c.id === 'setting_invalid:auth_enabled' || c.id === 'setting_invalid:library_paths'));
      expectStatus(await t.app.inject({ url: '/api/status', ...remote }), 401);
    });

    it('a value broken later by another process is listed at once and caught on refresh()', async () => {
      await write('whisper_threads', '100000');
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 2, 'this process still holds what it read');
      const check = (await invalid()).find((c) => c.id === 'setting_invalid:whisper_threads');
      assert.ok(check, 'the health check reads the database');
      assert.match(check.message, /holds "100000", but it must be at most 256/);
      await t.ctx.settings.refresh();
      assert.equal(t.ctx.settings.getNumber('whisper_threads'), 4);
      assert.ok(t.ctx.settings.storedProblems().some((p) => p.key === 'whisper_threads'));
    });
  });
}

describe('the server log', () => {
  it('names a broken row once at start, with its key, value and the value in force, and not again on refresh', async (tc) => {
    const tdb = await createTestDatabase('sqlite');
    const handle = openDatabase(tdb.url);
    await migrateToLatest(handle);
    await new SettingsService(handle.db).initDefaults();
    await writeSettingRow(handle.db, 'auth_enabled', 'garbage');
    await handle.close();
    const lines: Array<{ level: number; msg: string; setting?: string }> = [];
    const sink = { write: (line: string) => void lines.push(JSON.parse(line)) };
    const config = loadConfig({ databaseUrl: tdb.url, dataDir: tdb.dataDir, logLevel: 'info', port: 0, host: '127.0.0.1' }, {});
    const ctx = await createContext(config, { log: createLogger('info', 'transcriptorio', sink as never) });
    tc.after(async () => {
      await closeContext(ctx);
      await tdb.drop();
    });
    await ctx.settings.refresh();
    await ctx.settings.refresh();
    const warned = lines.filter((l) => l.setting === 'auth_enabled');
    assert.deepEqual(warned.map((l) => [l.level, l.msg]), [
      [40, 'auth_enabled holds "garbage", but it must be true or false: using the default (true) until it is corrected in Settings'],
    ]);
  });
});
