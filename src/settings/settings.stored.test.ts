/**
 * Stored values read back: a row that its definition does not accept (a hand
 * edit, a restored backup, an older version) is never used. Pure readings
 * first, then the settings service and the health check over a real SQLite
 * database whose rows are written behind the service's back.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { migrateToLatest } from '../db/migrator.js';
import { definitionByKey } from './definitions/index.js';
import { readStored, storedProblemMessage } from './settings.stored.js';
import { storedSettings } from './settings.health.js';
import { SettingsService, type SettingsLog } from './settings.service.js';
import type { SettingDefinition } from './settings.types.js';

const def = (key: string): SettingDefinition => definitionByKey.get(key)!;

describe('readStored', () => {
  it('a valid value is used, normalized', () => {
    assert.deepEqual(readStored(def('whisper_threads'), ' 8 '), { text: '8', problem: null });
    assert.deepEqual(readStored(def('auth_enabled'), 'FALSE'), { text: 'false', problem: null });
    assert.deepEqual(readStored(def('library_paths'), '["/a","/b"]'), { text: '["/a","/b"]', problem: null });
  });

  it('a boolean that is not true or false gives the default, and the log line says so', () => {
    const r = readStored(def('auth_enabled'), 'garbage');
    assert.equal(r.text, 'true');
    assert.ok(r.problem);
    assert.equal(
      storedProblemMessage(r.problem),
      'auth_enabled holds "garbage", but it must be true or false: using the default (true) until it is corrected in Settings',
    );
  });

  it('a security setting fails closed even where its default is weaker', () => {
    const r = readStored(def('auth_exempt_local'), 'maybe');
    assert.equal(r.text, 'false', 'the local exemption is off, though its default is on');
    assert.equal(r.problem?.failClosed, true);
    assert.match(storedProblemMessage(r.problem!), /using the safe value \(false\)/);
    // Were auth's default ever false, a broken row would still require the key.
    assert.equal(readStored({ ...def('auth_enabled'), default: 'false' }, 'garbage').text, 'true');
  });

  it('an integer in exponent notation or outside its bounds gives the default', () => {
    const huge = readStored(def('whisper_threads'), '1e9');
    assert.equal(huge.text, '4');
    assert.equal(huge.problem?.requirement, 'an integer');
    const big = readStored(def('whisper_threads'), '100000');
    assert.equal(big.text, '4');
    assert.equal(big.problem?.requirement, 'at most 256');
    assert.equal(readStored(def('vad_threshold'), '7').text, '0.5');
    assert.equal(readStored(def('api_port'), '').text, '8000', 'an empty integer is not 0');
  });

  it('a list holding a broken JSON array gives the fail-closed value, never the broken text as a folder', () => {
    assert.equal(readStored(def('library_paths'), '["/x"').text, '');
    assert.equal(readStored(def('allowed_hosts'), '["evil.example"').text, '');
    assert.equal(readStored(def('allowed_media_roots'), '[').text, '');
  });

  it('trust_proxy that proxy-addr cannot read trusts no proxy', () => {
    assert.equal(readStored(def('trust_proxy'), 'true').text, '');
    assert.equal(readStored(def('trust_proxy'), 'loopback, 10.0.0.0/8').problem, null);
  });

  it('a choice outside its choices gives the default', () => {
    assert.equal(readStored(def('subtitle_format'), 'docx').text, 'srt');
  });
});

describe('the settings service over a real database', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let lines: Array<{ obj: object; msg: string }>;
  const log: SettingsLog = { warn: (obj, msg) => lines.push({ obj, msg }) };
  /** A row written behind the service's back (another process, a hand edit): made when the setting had none. */
  const write = (key: string, value: string) => {
    const d = def(key);
    return handle.db
      .insertInto('system_settings')
      .values({ key, value, description: d.description, category: d.category, value_type: d.value_type, created_at: new Date().toISOString(), updated_at: null })
      .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
      .execute();
  };

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tio-stored-'));
    handle = openDatabase(`sqlite:${join(dir, 'test.db')}`);
    await migrateToLatest(handle);
    await new SettingsService(handle.db).initDefaults();
  });
  after(async () => {
    await handle.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(async () => {
    lines = [];
    // Every setting back at its default: no rows.
    await handle.db.deleteFrom('system_settings').execute();
  });

  it('at start a broken row is not used: the getters give the safe value or the default', async () => {
    await write('auth_enabled', 'garbage');
    await write('auth_exempt_local', 'garbage');
    await write('whisper_threads', '1e9');
    await write('library_paths', '["/x"');
    const s = new SettingsService(handle.db, log);
    await s.initDefaults();
    assert.equal(s.getBoolean('auth_enabled'), true);
    assert.equal(s.get('auth_exempt_local'), false);
    assert.equal(s.getNumber('whisper_threads'), 4);
    assert.deepEqual(s.getList('library_paths'), []);
    assert.deepEqual(s.storedProblems().map((p) => p.key).sort(), ['auth_enabled', 'auth_exempt_local', 'library_paths', 'whisper_threads']);
    assert.deepEqual(lines.map((l) => l.msg).sort(), [
      'auth_enabled holds "garbage", but it must be true or false: using the default (true) until it is corrected in Settings',
      'auth_exempt_local holds "garbage", but it must be true or false: using the safe value (false) until it is corrected in Settings',
      'library_paths holds "[\\"/x\\"", but it must be a JSON array or items separated by commas: using the default (empty) until it is corrected in Settings',
      'whisper_threads holds "1e9", but it must be an integer: using the default (4) until it is corrected in Settings',
    ]);
  });

  it('a value broken by another process is caught on refresh, and logged once per distinct bad value', async () => {
    const s = new SettingsService(handle.db, log);
    await s.initDefaults();
    await write('whisper_threads', '1e9');
    assert.equal(s.getNumber('whisper_threads'), 4);
    await s.refresh();
    await s.refresh();
    assert.equal(s.getNumber('whisper_threads'), 4);
    assert.equal(lines.length, 1, 'the same bad value is logged once, not on every refresh');
    await write('whisper_threads', '100000');
    await s.refresh();
    assert.equal(lines.length, 2, 'another bad value is logged');
    assert.match(lines[1].msg, /whisper_threads holds "100000", but it must be at most 256/);
    await write('whisper_threads', '8');
    await s.refresh();
    assert.equal(s.getNumber('whisper_threads'), 8);
    assert.deepEqual(s.storedProblems(), []);
    await write('whisper_threads', '100000');
    await s.refresh();
    assert.equal(lines.length, 3, 'a value that breaks again after a fix is logged again');
  });

  it('a valid value written through the service clears the problem at once; a bad one is refused', async () => {
    await write('auth_enabled', 'garbage');
    const s = new SettingsService(handle.db, log);
    await s.initDefaults();
    const shown = await s.getSetting('auth_enabled');
    assert.equal(shown.value, 'garbage');
    assert.equal(shown.effective_value, 'true');
    assert.match(shown.overridden_by ?? '', /the default \(true\), because the stored value is invalid: it must be true or false/);
    await assert.rejects(s.update('auth_enabled', 'nope'), /must be true or false/);
    await s.update('auth_enabled', true);
    assert.deepEqual(s.storedProblems(), []);
    const fixed = await s.getSetting('auth_enabled');
    assert.equal(fixed.effective_value, undefined);
    assert.equal(fixed.overridden_by, undefined);
  });

  it('bulk updates and internal writes go through the same reading', async () => {
    const s = new SettingsService(handle.db, log);
    await s.initDefaults();
    await s.setInternal('whisper_threads', '1e9');
    assert.equal(s.getNumber('whisper_threads'), 4);
    assert.equal(lines.length, 1);
    await s.bulkUpdate({ whisper_threads: 6 });
    assert.equal(s.getNumber('whisper_threads'), 6);
    assert.deepEqual(s.storedProblems(), []);
  });

  it('the change event carries the value in force', async () => {
    const s = new SettingsService(handle.db, log);
    await s.initDefaults();
    const seen: unknown[] = [];
    s.on('change', (_key: string, value: unknown) => seen.push(value));
    await s.setInternal('auth_enabled', 'garbage');
    assert.deepEqual(seen, [true]);
  });

  it('the health check lists each broken row from the database: an error for a security setting, a warning otherwise', async () => {
    assert.deepEqual(await storedSettings({ db: handle.db }), []);
    await write('auth_exempt_local', 'garbage');
    await write('whisper_threads', '1e9');
    const checks = await storedSettings({ db: handle.db });
    assert.deepEqual(checks, [
      {
        id: 'setting_invalid:auth_exempt_local',
        level: 'error',
        message: 'The setting auth_exempt_local holds "garbage", but it must be true or false, so its safe value false is in force instead.',
        fix: 'Set “No key from this machine” again in Settings.',
        link: '#/settings/auth_exempt_local',
      },
      {
        id: 'setting_invalid:whisper_threads',
        level: 'warning',
        message: 'The setting whisper_threads holds "1e9", but it must be an integer, so its default 4 is in force instead.',
        fix: 'Set “Threads per transcription” again in Settings.',
        link: '#/settings/whisper_threads',
      },
    ]);
  });
});
