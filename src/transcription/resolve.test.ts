import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { definitionByKey } from '../settings/definitions/index.js';
import { QUALITY_PRESETS, defaultQualityPreset, providerQualityPreset, type QualityPreset } from '../quality-presets.js';
import { presetLabels, resolveAllPresets, resolveTranscription, type Decoding } from './resolve.js';
import { pipelineOptionsFromSettings } from './settings-map.js';

const dir = mkdtempSync(join(tmpdir(), 'tio-resolve-'));
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
const modelDir = join(dir, 'models');
const customModel = join(dir, 'elsewhere', 'my-model.bin');
// Installed: small, base-q8_0 and a file outside model_path; every other model is missing.
for (const f of [join(modelDir, 'ggml-small.bin'), join(modelDir, 'ggml-base-q8_0.bin'), customModel]) {
  mkdirSync(dirname(f), { recursive: true });
  writeFileSync(f, 'x');
}

/** Settings as the service returns them: stored strings, the shipped default for anything not given. */
function settings(values: Record<string, unknown>) {
  return (k: string) => (k in values ? values[k] : definitionByKey.get(k)?.default);
}

/** The decoding each preset is documented to use over the shipped defaults (beam 1/5/5, best_of 5, fallback on, 3 windows). */
const DOCUMENTED: Record<QualityPreset, Decoding> = {
  fast: { beamSize: 1, bestOf: 1, temperature: 0, temperatureFallback: false, detectLanguageWindows: 3 },
  balanced: { beamSize: 5, bestOf: 5, temperature: 0, temperatureFallback: true, detectLanguageWindows: 3 },
  best: { beamSize: 5, bestOf: 5, temperature: 0, temperatureFallback: true, detectLanguageWindows: 5 },
};

const WHISPER_MODELS = { catalogue: 'small', path: customModel } as const;
const BACKENDS = ['local', 'remote_asr', 'remote_openai'] as const;

// Every combination: preset x whisper_model (catalogue name / file path) x the preset's own model (set / empty)
// x compute type (auto / int8) x engine_backend.
for (const preset of QUALITY_PRESETS) {
  for (const [kind, whisperModel] of Object.entries(WHISPER_MODELS)) {
    for (const ownModel of ['', 'base']) {
      for (const computeType of ['auto', 'int8']) {
        for (const backend of BACKENDS) {
          const name = `${preset}, whisper_model ${kind}, preset model ${ownModel || 'empty'}, ${computeType}, ${backend}`;
          test(`resolve: ${name}`, () => {
            const r = resolveTranscription(
              { quality_preset: preset },
              settings({
                whisper_model: whisperModel, [`preset_${preset}_model`]: ownModel, model_path: modelDir, cpu_compute_type: computeType,
                engine_backend: backend, remote_engine_url: 'http://gpu-box:9000', remote_engine_model: 'large-v3',
              }),
            );
            const configured = ownModel || whisperModel;
            // int8 picks the q8_0 file of a catalogue model; a path is used as it is.
            const expectedName = computeType === 'int8' && configured !== customModel ? `${configured}-q8_0` : configured;
            assert.equal(r.preset, preset);
            assert.equal(r.configuredModel, configured);
            assert.equal(r.modelSource, ownModel ? `preset_${preset}_model` : 'whisper_model');
            assert.equal(r.modelName, expectedName);
            assert.equal(r.modelPath, configured === customModel ? customModel : join(modelDir, `ggml-${expectedName}.bin`));
            assert.equal(r.modelInstalled, ['small', 'base-q8_0', customModel].includes(expectedName));
            assert.equal(r.computeType, computeType);
            assert.deepEqual(r.decoding, DOCUMENTED[preset]);
            assert.equal(r.engine.kind, backend);
            const label = { local: expectedName, remote_asr: 'whisper-asr-webservice @ http://gpu-box:9000', remote_openai: 'large-v3 @ http://gpu-box:9000' }[backend];
            assert.equal(r.label, label);
            // The pipeline gets exactly what the resolver decided.
            const o = pipelineOptionsFromSettings(
              settings({ whisper_model: whisperModel, [`preset_${preset}_model`]: ownModel, model_path: modelDir, cpu_compute_type: computeType, engine_backend: backend }),
              preset,
            );
            assert.deepEqual(
              [o.model, o.modelDir, o.preset, o.beamSize, o.bestOf, o.temperatureFallback, o.detectLanguageWindows],
              [expectedName, modelDir, preset, r.decoding.beamSize, r.decoding.bestOf, r.decoding.temperatureFallback, r.decoding.detectLanguageWindows],
            );
          });
        }
      }
    }
  }
}

test('with the shipped defaults every preset runs whisper_model: setting only whisper_model is enough', () => {
  for (const key of ['preset_fast_model', 'preset_balanced_model', 'preset_best_model']) assert.equal(definitionByKey.get(key)?.default, '', key);
  const all = resolveAllPresets(settings({ whisper_model: customModel }));
  assert.deepEqual(presetLabels(all), { fast: customModel, balanced: customModel, best: customModel });
  assert.deepEqual(Object.values(all).map((r) => r.modelPath), [customModel, customModel, customModel]);
  assert.equal(resolveTranscription({}, settings({})).modelName, definitionByKey.get('whisper_model')?.default);
});

test('a job without a preset gets transcription_preset (default fast); provider requests get provider_quality_preset (default balanced)', () => {
  assert.equal(resolveTranscription({}, settings({})).preset, 'fast');
  assert.equal(resolveTranscription({ quality_preset: null }, settings({ transcription_preset: 'best' })).preset, 'best');
  assert.equal(resolveTranscription({ quality_preset: 'ultra' }, settings({ transcription_preset: 'balanced' })).preset, 'balanced', 'an unknown stored preset falls back to the setting');
  assert.equal(defaultQualityPreset(settings({ transcription_preset: 'nonsense' })), 'fast');
  assert.equal(providerQualityPreset(settings({})), 'balanced');
  assert.equal(providerQualityPreset(settings({ provider_quality_preset: 'fast' })), 'fast');
  assert.equal(pipelineOptionsFromSettings(settings({ transcription_preset: 'best' })).preset, 'best');
});

test('preset beam sizes are overrides; fast never spends more than the shared settings, best never less', () => {
  const s = settings({ preset_fast_beam_size: '2', preset_balanced_beam_size: '', preset_best_beam_size: 8, whisper_best_of: 3, detect_language_windows: 7, whisper_temperature: '0.2' });
  const all = resolveAllPresets(s);
  assert.deepEqual(all.fast.decoding, { beamSize: 2, bestOf: 1, temperature: 0.2, temperatureFallback: false, detectLanguageWindows: 7 });
  assert.deepEqual(all.balanced.decoding, { beamSize: 5, bestOf: 3, temperature: 0.2, temperatureFallback: true, detectLanguageWindows: 7 }, 'an empty beam size is the preset default');
  assert.deepEqual(all.best.decoding, { beamSize: 8, bestOf: 5, temperature: 0.2, temperatureFallback: true, detectLanguageWindows: 7 });
  const high = resolveAllPresets(settings({ whisper_best_of: 9, whisper_temperature_fallback: false, detect_language_windows: 1 }));
  assert.deepEqual([high.best.decoding.bestOf, high.best.decoding.temperatureFallback, high.best.decoding.detectLanguageWindows], [9, false, 5]);
  assert.deepEqual([high.balanced.decoding.bestOf, high.balanced.decoding.detectLanguageWindows], [9, 1]);
});

test("the compute type is the job's device's: a GPU worker uses gpu_compute_type", () => {
  const s = settings({ whisper_model: 'medium', transcribe_device: 'cpu', cpu_compute_type: 'auto', gpu_compute_type: 'int8_float16', model_path: modelDir });
  assert.equal(resolveTranscription({ quality_preset: 'fast' }, s).modelName, 'medium');
  const gpu = resolveTranscription({ quality_preset: 'fast', device: 'cuda' }, s);
  assert.deepEqual([gpu.device, gpu.computeType, gpu.modelName], ['cuda', 'int8_float16', 'medium-q8_0']);
  assert.equal(resolveTranscription({}, settings({ transcribe_device: 'gpu', gpu_compute_type: 'int8', whisper_model: 'large-v3' })).modelName, 'large-v3', 'no q8_0 file: the model as named');
  assert.equal(resolveTranscription({}, settings({ cpu_compute_type: 'int8', whisper_model: 'ggml-small.bin', model_path: modelDir })).modelName, 'small-q8_0', 'a catalogue file name is a catalogue model');
});

test("a request's own model (OpenAI `model`) wins over the settings and is used as it is", () => {
  const r = resolveTranscription({ quality_preset: 'balanced', model: customModel }, settings({ whisper_model: 'small', preset_balanced_model: 'base', cpu_compute_type: 'int8' }));
  assert.deepEqual([r.modelSource, r.modelName, r.modelPath, r.modelInstalled], ['request', customModel, customModel, true]);
  assert.equal(resolveTranscription({ model: '  ' }, settings({ whisper_model: 'small' })).modelName, 'small', 'a blank request model means the settings decide');
});

test('missing and unknown models resolve without throwing: the job reports them when it runs', () => {
  const missing = resolveTranscription({}, settings({ whisper_model: 'large-v3', model_path: modelDir }));
  assert.deepEqual([missing.modelPath, missing.modelInstalled], [join(modelDir, 'ggml-large-v3.bin'), false]);
  const unknown = resolveTranscription({}, settings({ whisper_model: 'enormous', model_path: modelDir }));
  assert.deepEqual([unknown.modelName, unknown.modelPath, unknown.modelInstalled], ['enormous', null, false]);
  const gone = resolveTranscription({}, settings({ whisper_model: join(dir, 'gone.bin'), model_path: modelDir }));
  assert.deepEqual([gone.modelPath, gone.modelInstalled], [join(dir, 'gone.bin'), false]);
  assert.equal(resolveTranscription({}, settings({ whisper_model: '' })).modelName, 'medium', 'an empty whisper_model is the default');
  assert.equal(resolveTranscription({}, settings({ engine_backend: 'something' })).engine.kind, 'local');
});
