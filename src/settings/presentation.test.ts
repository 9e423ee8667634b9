import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { settingDefinitions } from './definitions/index.js';
import { SETTING_PRESENTATION, SETTING_SECTIONS, presentationOf } from './presentation.js';

describe('settings presentation', () => {
  it('every defined setting has a label, help text and a section', () => {
    const missing = settingDefinitions.map((d) => d.key).filter((k) => !SETTING_PRESENTATION.has(k));
    assert.deepEqual(missing, [], `settings without a label and help in src/settings/presentation.ts: ${missing.join(', ')}`);
    const sections = new Set<string>(SETTING_SECTIONS.map((s) => s.id));
    for (const [key, p] of SETTING_PRESENTATION) {
      assert.ok(p.label.trim() && p.label !== key, `${key} has a human label`);
      assert.ok(p.help.trim().length > 10, `${key} has help text`);
      assert.ok(sections.has(p.section), `${key} is in a known section`);
    }
  });

  it('labels are unique, and the model comes first', () => {
    const labels = [...SETTING_PRESENTATION.values()].map((p) => p.label);
    const dupes = labels.filter((l, i) => labels.indexOf(l) !== i);
    assert.deepEqual(dupes, [], 'no two settings share a label');
    assert.equal(SETTING_SECTIONS[0]!.id, 'model');
    assert.deepEqual(presentationOf('whisper_model'), { ...presentationOf('whisper_model'), section: 'model', order: 0, advanced: false });
  });

  it('internal state is not offered as a field, and replacing a key asks first', () => {
    assert.equal(presentationOf('setup_completed').hidden, true);
    assert.match(presentationOf('api_key').confirm ?? '', /locks out every other node/);
    assert.match(presentationOf('bazarr_api_key').confirm ?? '', /Bazarr stops/);
  });

  it('a key without an entry falls back to its category and its description', () => {
    const p = presentationOf('my_custom_setting', 'scanner', 'Something of mine');
    assert.deepEqual(p, { label: 'My custom setting', help: 'Something of mine', section: 'library', order: 1000, advanced: false, hidden: false, confirm: null });
  });
});
