import { test } from 'node:test';
import assert from 'node:assert/strict';
import { explainRuleAction } from './rules-explain.js';
import type { RuleAction } from './rules.service.js';

const action = (o: Partial<RuleAction> = {}): RuleAction => ({ action_type: 'transcribe', target_language: 'spa', quality_preset: 'fast', job_priority: 0, sync_external_subtitles: false, ...o });
const settings = (s: Record<string, string> = {}) => (k: string) => s[k];

test('the audio language fixed by the rule decides the Whisper task and whether a provider is needed', () => {
  const same = explainRuleAction({ audio_language_is: 'spa' }, action(), settings());
  assert.equal(same.summary, 'Spanish audio → Spanish subtitles: Whisper transcribes Spanish');
  assert.deepEqual([same.whisper_task, same.machine_translation, same.needs_translation_provider], ['transcribe', 'never', false]);

  const eng = explainRuleAction({ audio_language_is: 'jpn' }, action({ target_language: 'eng' }), settings());
  assert.deepEqual([eng.whisper_task, eng.needs_translation_provider, eng.warning], ['translate', false, null]);

  const spa = explainRuleAction({ audio_language_is: 'jpn' }, action(), settings());
  assert.deepEqual([spa.whisper_task, spa.machine_translation, spa.needs_translation_provider], ['transcribe', 'always', true]);
  assert.match(spa.warning!, /^Needs a translation provider: these jobs fail/);

  const deepl = explainRuleAction({ audio_language_is: 'jpn' }, action(), settings({ translation_provider: 'deepl', translation_api_key: 'k' }));
  assert.equal(deepl.summary, 'Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then DeepL translates it into Spanish');
  assert.equal(deepl.needs_translation_provider, false);
  // A provider chosen but not usable (DeepL without its key) counts as none.
  assert.equal(explainRuleAction({ audio_language_is: 'jpn' }, action(), settings({ translation_provider: 'deepl' })).needs_translation_provider, true);
});

test('without an audio condition: English never needs a provider, other targets do for audio in another language', () => {
  const eng = explainRuleAction({}, action({ target_language: 'eng' }), settings());
  assert.deepEqual([eng.whisper_task, eng.machine_translation, eng.needs_translation_provider], ['depends', 'never', false]);
  const spa = explainRuleAction({}, action(), settings());
  assert.deepEqual([spa.machine_translation, spa.needs_translation_provider], ['sometimes', true]);
  assert.match(spa.warning!, /jobs for audio that is not Spanish fail/);
  const notSpa = explainRuleAction({ audio_language_not: 'spa,eng' }, action(), settings());
  assert.equal(notSpa.machine_translation, 'always');
});

test('the Translate task is explained, and the model is the resolver\'s for the preset', () => {
  const tr = explainRuleAction({ audio_language_is: 'jpn' }, action({ action_type: 'translate' }), settings());
  assert.match(tr.action_type_note!, /Whisper can only translate into English itself/);
  const m = explainRuleAction({}, action({ quality_preset: 'best' }), settings({ whisper_model: 'small', preset_best_model: 'large-v3' }));
  assert.deepEqual([m.preset, m.model, m.model_source, m.beam_size], ['best', 'large-v3', 'preset_best_model', 5]);
  const d = explainRuleAction({}, action({ quality_preset: 'fast' }), settings({ whisper_model: 'small' }));
  assert.deepEqual([d.model, d.model_source, d.beam_size], ['small', 'whisper_model', 1]);
});
