/** Scan rules API: create, unique names, partial update, filters, validation, toggle and delete, on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ACTION_KEYS, assertKeys, CONDITION_KEYS, expectStatus, RULE_KEYS } from './api-helpers.js';

const example = () => ({
  name: 'Japanese anime without Spanish subs',
  enabled: true,
  priority: 10,
  conditions: {
    audio_language_is: 'jpn',
    missing_embedded_subtitle_lang: 'spa',
    missing_external_subtitle_lang: 'spa',
    file_extension: '.mkv,.mp4',
  },
  action: { action_type: 'transcribe', target_language: 'spa', quality_preset: 'fast', job_priority: 5 },
});

for (const kind of databaseKinds()) {
  describe(`scan rules API (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      t = await createTestApp(kind);
    });
    after(async () => t.close());
    const post = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/scan-rules', payload: payload as object });

    it('POST creates the contract example (201) with nested conditions and action', async () => {
      const rule = expectStatus(await post(example()), 201);
      assertKeys(rule, RULE_KEYS, 'rule');
      assertKeys(rule.conditions, CONDITION_KEYS, 'conditions');
      assertKeys(rule.action, ACTION_KEYS, 'action');
      assert.equal(rule.name, example().name);
      assert.equal(rule.enabled, true);
      assert.equal(rule.priority, 10);
      assert.equal(rule.conditions.audio_language_is, 'jpn');
      assert.equal(rule.conditions.audio_language_not, null);
      assert.equal(rule.conditions.file_extension, '.mkv,.mp4');
      assert.deepEqual(rule.action, { ...example().action, sync_external_subtitles: false }, "the contract's action, and the sync option off by default");
      assert.equal(rule.updated_at, null);
      assert.deepEqual(expectStatus(await t.app.inject({ url: `/api/scan-rules/${rule.id}` }), 200), rule);
    });

    it('a second rule with the same name is a 409', async () => {
      expectStatus(await post(example()), 409);
    });

    it('bad conditions and actions are a 400 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, RegExp]> = [
        [{ conditions: { audio_language_is: 'klingonese' } }, /language/i],
        [{ conditions: { colour: 'red' } }, /Unknown condition/],
        [{ conditions: { audio_track_count_min: -2 } }, /audio_track_count_min/],
        [{ conditions: { file_extension: '.m k v!' } }, /file_extension/],
        [{ action: { action_type: 'dub', target_language: 'spa' } }, /action_type/],
        [{ action: { target_language: 'spa', quality_preset: 'ultra' } }, /quality_preset/],
        [{ action: { target_language: 'nope' } }, /language/i],
        [{ action: {} }, /target_language/],
      ];
      for (const [over, re] of cases) {
        const body = expectStatus(await post({ ...example(), name: `bad ${JSON.stringify(over)}`, ...over }), 400);
        assert.match(body.detail, re);
      }
      expectStatus(await post({ conditions: {}, action: { target_language: 'spa' } }), 400);
      const all = expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200);
      assert.equal(all.length, 1, 'no bad rule was stored');
    });

    it('PUT updates only the fields it names; a taken name is a 409', async () => {
      const [rule] = expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200);
      const updated = expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${rule.id}`, payload: { priority: 3 } }), 200);
      assert.equal(updated.priority, 3);
      assert.equal(updated.name, rule.name);
      assert.deepEqual(updated.conditions, rule.conditions);
      assert.deepEqual(updated.action, rule.action);
      assert.ok(updated.updated_at);

      const a2 = expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${rule.id}`, payload: { action: { quality_preset: 'best' }, conditions: { audio_language_not: 'eng,fre' } } }), 200);
      assert.equal(a2.action.quality_preset, 'best');
      assert.equal(a2.action.target_language, 'spa');
      assert.equal(a2.conditions.audio_language_not, 'eng,fra');
      assert.equal(a2.conditions.audio_language_is, 'jpn');

      const other = expectStatus(await post({ ...example(), name: 'Other' }), 201);
      expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${other.id}`, payload: { name: rule.name } }), 409);
      expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${other.id}`, payload: { action: { action_type: 'dub' } } }), 400);
      expectStatus(await t.app.inject({ method: 'PUT', url: '/api/scan-rules/99999', payload: { priority: 1 } }), 404);
    });

    it('toggle flips enabled and enabled_only lists enabled rules only', async () => {
      const rules = expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200);
      const target = rules.find((r: { name: string }) => r.name === 'Other');
      const off = expectStatus(await t.app.inject({ method: 'POST', url: `/api/scan-rules/${target.id}/toggle` }), 200);
      assertKeys(off, RULE_KEYS, 'toggled rule');
      assert.equal(off.enabled, false);
      const enabled = expectStatus(await t.app.inject({ url: '/api/scan-rules?enabled_only=true' }), 200);
      assert.deepEqual(enabled.map((r: { id: number }) => r.id), rules.filter((r: { id: number }) => r.id !== target.id).map((r: { id: number }) => r.id));
      assert.equal(expectStatus(await t.app.inject({ url: '/api/scan-rules?enabled_only=false' }), 200).length, rules.length);
      const on = expectStatus(await t.app.inject({ method: 'POST', url: `/api/scan-rules/${target.id}/toggle` }), 200);
      assert.equal(on.enabled, true);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scan-rules/99999/toggle' }), 404);
    });

    it('rules list by priority, highest first', async () => {
      await post({ ...example(), name: 'Top', priority: 50 });
      const names = expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200).map((r: { name: string }) => r.name);
      assert.equal(names[0], 'Top');
    });

    it('DELETE removes a rule; unknown or non-integer ids are 404 / 400', async () => {
      const rule = expectStatus(await post({ ...example(), name: 'Doomed' }), 201);
      assert.deepEqual(expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/scan-rules/${rule.id}` }), 200), { message: `Scan rule ${rule.id} deleted successfully` });
      expectStatus(await t.app.inject({ url: `/api/scan-rules/${rule.id}` }), 404);
      expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/scan-rules/${rule.id}` }), 404);
      expectStatus(await t.app.inject({ url: '/api/scan-rules/abc' }), 400);
    });
  });
}
