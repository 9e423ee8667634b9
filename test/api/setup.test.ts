/** Setup wizard API: first-run status, standalone mode (all or nothing), Bazarr provider mode and skip, on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, chmodSync, writeFileSync, copyFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus } from './api-helpers.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { readHardware, recommendModel } from '../../src/models/recommend.js';
import { resolveTranscription } from '../../src/transcription/resolve.js';
import type { SettingKey } from '../../src/settings/definitions/index.js';

const wizard = () => ({
  library_paths: ['/media/anime', '/media/movies'],
  scan_rules: [
    { name: 'Japanese to Spanish', audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa', target_language: 'spa', action_type: 'transcribe' },
    { name: 'French to English', audio_language_is: 'fre', missing_external_subtitle_lang: 'eng', target_language: 'eng', action_type: 'translate', quality_preset: 'best', priority: 4, file_extension: 'mkv' },
  ],
  worker_config: { count: 1, type: 'cpu' },
  scanner_config: { interval_minutes: 360 },
});

for (const kind of databaseKinds()) {
  describe(`setup wizard API (${kind})`, () => {
    let t: TestApp;
    before(async () => {
      // No GPU here, whatever this machine has: a GPU worker must be refused.
      t = await createTestApp(kind, undefined, { env: { NVIDIA_SMI: '/nonexistent/nvidia-smi' } });
    });
    after(async () => t.close());
    const status = async () => expectStatus(await t.app.inject({ url: '/api/setup/status' }), 200);
    const standalone = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: payload as object });
    const setting = (key: SettingKey) => t.ctx.settings.get(key);
    const ruleCount = async () => expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200).length;

    it('a fresh instance is a first run', async () => {
      const s = await status();
      assertKeys(s, ['is_first_run', 'setup_completed']);
      assert.equal(s.is_first_run, true);
      assert.equal(s.setup_completed, false);
    });

    it('a bad request writes nothing: relative path, bad rule, unknown worker type, GPU without GPU', async () => {
      const cases: Array<[Record<string, unknown>, number, RegExp]> = [
        [{ library_paths: ['media/anime'] }, 400, /absolute/],
        [{ library_paths: ['/media/ok', ''] }, 400, /library_paths\[1\]/],
        [{ scan_rules: [wizard().scan_rules[0], { ...wizard().scan_rules[1], target_language: 'klingon' }] }, 400, /scan_rules\[1\].*language/i],
        [{ scan_rules: [{ ...wizard().scan_rules[0], action_type: 'dub' }] }, 400, /action_type/],
        [{ scan_rules: [{ ...wizard().scan_rules[0], colour: 'red' }] }, 400, /colour/],
        [{ scan_rules: [wizard().scan_rules[0], wizard().scan_rules[0]] }, 409, /named/],
        [{ worker_config: { count: 1, type: 'tpu' } }, 400, /cpu or gpu/],
        [{ worker_config: { count: 1, type: 'gpu' } }, 400, /GPU/],
        [{ worker_config: { count: -1, type: 'cpu' } }, 400, /count/],
        [{ scanner_config: { interval_minutes: 0 } }, 400, /interval_minutes/],
        [{ library_paths: 'not-a-list' }, 400, /library_paths/],
      ];
      for (const [over, code, re] of cases) {
        const body = expectStatus(await standalone({ ...wizard(), ...over }), code);
        assert.match(body.detail, re, JSON.stringify(over));
      }
      assert.equal(await ruleCount(), 0, 'no rule was created');
      assert.deepEqual(setting('library_paths'), []);
      assert.equal(setting('setup_completed'), false);
      assert.equal(setting('worker_cpu_count'), 0);
      assert.equal((await status()).is_first_run, true);
    });

    it('standalone stores folders, rules, workers and the scan interval, and completes setup', async () => {
      const body = expectStatus(await standalone(wizard()), 200);
      assert.deepEqual([body.success, body.message, body.bazarr_info], [true, 'Standalone mode configured successfully', null]);
      assert.equal(body.warnings.length, 1, 'Japanese → Spanish needs a translation provider, and none is set up');
      assert.match(body.warnings[0], /"Japanese to Spanish" needs a translation provider/);
      assert.deepEqual(setting('library_paths'), ['/media/anime', '/media/movies']);
      assert.equal(setting('worker_cpu_count'), 1);
      assert.equal(setting('worker_gpu_count'), 0);
      assert.equal(setting('scanner_schedule_interval_minutes'), 360);
      assert.equal(setting('scanner_cron'), '', 'the interval applies only without a cron expression');
      assert.equal(setting('auto_scan_enabled'), true);
      assert.equal(setting('operation_mode'), 'standalone');
      assert.equal(setting('setup_completed'), true);
      const rules = expectStatus(await t.app.inject({ url: '/api/scan-rules' }), 200);
      const byName = Object.fromEntries(rules.map((r: { name: string }) => [r.name, r]));
      assert.deepEqual(byName['Japanese to Spanish'].conditions.audio_language_is, 'jpn');
      assert.deepEqual(byName['Japanese to Spanish'].conditions.missing_external_subtitle_lang, 'spa');
      assert.deepEqual(byName['Japanese to Spanish'].action, { action_type: 'transcribe', target_language: 'spa', quality_preset: 'fast', job_priority: 0, sync_external_subtitles: false });
      assert.equal(byName['French to English'].conditions.audio_language_is, 'fra');
      assert.equal(byName['French to English'].conditions.file_extension, '.mkv');
      assert.equal(byName['French to English'].action.quality_preset, 'best');
      assert.equal(byName['French to English'].priority, 4);
      const s = await status();
      assert.deepEqual([s.is_first_run, s.setup_completed], [false, true]);
      // The stored database row, not only the cache, holds the values.
      await t.ctx.settings.refresh();
      assert.deepEqual(setting('library_paths'), ['/media/anime', '/media/movies']);
    });

    it('running standalone again with a rule name that exists is a 409 and changes nothing', async () => {
      const again = { ...wizard(), library_paths: ['/other'], scan_rules: [wizard().scan_rules[0]] };
      expectStatus(await standalone(again), 409);
      assert.deepEqual(setting('library_paths'), ['/media/anime', '/media/movies']);
      assert.equal(await ruleCount(), 2);
    });

    it('a library path holding a comma survives the list setting', async () => {
      expectStatus(await standalone({ library_paths: ['/media/Movies, Classic', '/media/tv/'] }), 200);
      assert.deepEqual(setting('library_paths'), ['/media/Movies, Classic', '/media/tv']);
    });

    it('bazarr-slave makes a provider key of its own (never the API key), enables the provider and answers the URL for Bazarr', async () => {
      const apiKey = t.ctx.settings.getString('api_key');
      assert.ok(apiKey.length >= 32, 'a key was generated on first start');
      // A Host that is not this machine needs the key, also on a loopback connection.
      const res = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: 'nas.local:8123', 'x-api-key': apiKey } }), 200);
      assertKeys(res, ['success', 'message', 'bazarr_info']);
      assert.equal(res.success, true);
      assert.equal(res.message, 'Bazarr slave mode configured successfully');
      const info = res.bazarr_info;
      assertKeys(info, ['mode', 'host', 'port', 'api_key', 'provider_url']);
      assert.equal(info.mode, 'bazarr_slave');
      assert.equal(info.host, 'nas.local');
      assert.equal(info.port, 8123);
      assert.notEqual(info.api_key, apiKey, 'the provider URL never carries the API key');
      assert.equal(info.key_rotated, true, 'a fresh install had no provider key: one was made');
      assert.equal(info.provider_url, `http://nas.local:8123/provider/${info.api_key}`);
      assert.equal(info.public_url_source, 'request_host');
      assert.equal(setting('api_key'), apiKey, 'other nodes and clients keep working');
      assert.equal(setting('bazarr_api_key'), info.api_key);
      assert.equal(setting('bazarr_provider_enabled'), true);
      assert.equal(setting('operation_mode'), 'standalone,provider', 'library folders exist, so both modes');
      assert.equal(setting('setup_completed'), true);
      const remote = { remoteAddress: '10.0.0.5' };
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': apiKey }, ...remote }), 200);
      const again = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: 'nas.local:8123', 'x-api-key': apiKey } }), 200);
      assert.equal(again.bazarr_info.api_key, info.api_key, 'calling it again keeps the provider key');
      assert.equal(again.bazarr_info.key_rotated, false);
    });

    it('bazarr-slave builds the Endpoint from public_url, stores it, and notes a loopback address', async () => {
      const apiKey = t.ctx.settings.getString('bazarr_api_key');
      const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', payload });
      const res = expectStatus(await post({ public_url: 'https://subs.example.org/transcriptorio/' }), 200).bazarr_info;
      assert.equal(res.provider_url, `https://subs.example.org/transcriptorio/provider/${apiKey}`);
      assert.deepEqual([res.host, res.port, res.loopback, res.public_url_source], ['subs.example.org', 443, false, 'request']);
      assert.equal(setting('public_url'), 'https://subs.example.org/transcriptorio');
      // Later calls without one use the setting, whatever the Host header says.
      const later = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: '127.0.0.1:9999' } }), 200).bazarr_info;
      assert.equal(later.provider_url, `https://subs.example.org/transcriptorio/provider/${apiKey}`);
      assert.equal(later.public_url_source, 'setting');
      const local = expectStatus(await post({ public_url: 'http://localhost:8000' }), 200).bazarr_info;
      assert.equal(local.loopback, true);
      for (const bad of ['nas.local:8000', 'ftp://nas.local', 'http://nas.local:8000/?x=1']) {
        assert.match(expectStatus(await post({ public_url: bad }), 400).detail, /public_url/, bad);
      }
      assert.equal(setting('public_url'), 'http://localhost:8000', 'a bad URL changed nothing');
    });

    it('rotate_key makes a new provider key and leaves the API key alone', async () => {
      const apiKey = t.ctx.settings.getString('api_key');
      const info = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', payload: { rotate_key: true } }), 200).bazarr_info;
      assert.equal(info.key_rotated, true);
      assert.notEqual(info.api_key, apiKey);
      assert.ok(info.api_key.length >= 32, 'at least 192 bits');
      assert.equal(setting('bazarr_api_key'), info.api_key);
      assert.equal(setting('api_key'), apiKey, 'the API key is not rotated');
      assert.ok(info.provider_url.endsWith(`/provider/${info.api_key}`));
      // The provider URL with the new key answers Bazarr's /status.
      expectStatus(await t.app.inject({ url: `/provider/${info.api_key}/status`, remoteAddress: '10.0.0.5' }), 200);
      const kept = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave' }), 200).bazarr_info;
      assert.equal(kept.api_key, info.api_key, 'the rotated key is the one kept from now on');
    });

    it('skip marks setup completed', async () => {
      await t.ctx.settings.update('setup_completed', 'false');
      assert.deepEqual(expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/skip' }), 200), { message: 'Setup wizard skipped' });
      assert.equal(setting('setup_completed'), true);
      assert.equal((await status()).setup_completed, true);
    });
  });
}

describe('setup wizard on a listening server', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp('sqlite');
  });
  after(async () => t.close());

  it('bazarr-slave reports the host and port the request reached, provider-only without a library', async () => {
    const url = await t.app.listen({ host: '127.0.0.1', port: 0 });
    const port = Number(new URL(url).port);
    const res = await fetch(`${url}/api/setup/bazarr-slave`, { method: 'POST' });
    assert.equal(res.status, 200);
    const { bazarr_info: info } = (await res.json()) as { bazarr_info: { host: string; port: number; provider_url: string; api_key: string } };
    assert.equal(info.host, '127.0.0.1');
    assert.equal(info.port, port);
    assert.equal(info.provider_url, `http://127.0.0.1:${port}/provider/${info.api_key}`);
    assert.equal(t.ctx.settings.get('operation_mode'), 'provider');
  });

  it('is_first_run is false once rules or library folders exist, even before the wizard', async () => {
    const t2 = await createTestApp('sqlite');
    try {
      expectStatus(await t2.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name: 'r', action: { target_language: 'eng' } } }), 201);
      const s = expectStatus(await t2.app.inject({ url: '/api/setup/status' }), 200);
      assert.deepEqual([s.is_first_run, s.setup_completed], [false, false]);
    } finally {
      await t2.close();
    }
  });

  it('GPU workers are accepted up to the number of GPUs found', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tio-smi-'));
    const fake = join(dir, 'nvidia-smi');
    writeFileSync(fake, '#!/bin/sh\necho "0, Tesla T4, 15360, 0, 15360, 0"\n');
    chmodSync(fake, 0o755);
    const gpuBox = await createTestApp('sqlite', undefined, { env: { NVIDIA_SMI: fake } });
    try {
      expectStatus(await gpuBox.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: { library_paths: ['/m'], worker_config: { count: 2, type: 'gpu' } } }), 400);
      expectStatus(await gpuBox.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: { library_paths: ['/m'], worker_config: { count: 1, type: 'gpu' } } }), 200);
      assert.equal(gpuBox.ctx.settings.get('worker_gpu_count'), 1);
      assert.equal(gpuBox.ctx.settings.get('worker_cpu_count'), 0);
    } finally {
      await gpuBox.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

for (const kind of databaseKinds()) {
  describe(`setup wizard: the model jobs will use (${kind})`, () => {
    let t: TestApp;
    let modelDir: string;
    let outside: string;
    let testModel: string;
    before(async () => {
      testModel = await ensureTestModel('minimal');
      t = await createTestApp(kind);
      modelDir = mkdtempSync(join(tmpdir(), 'tio-setup-models-'));
      outside = mkdtempSync(join(tmpdir(), 'tio-setup-outside-'));
      await t.ctx.settings.update('model_path', modelDir);
    });
    after(async () => {
      await t.close();
      rmSync(modelDir, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
    });
    const standalone = (payload: object) => t.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: { library_paths: ['/media/tv'], worker_config: { count: 1, type: 'cpu' }, ...payload } });
    const jobModel = () => resolveTranscription({}, (k) => t.ctx.settings.get(k as never));

    it('with no model installed and none asked for, the recommendation for this hardware is set up', async () => {
      const rec = recommendModel(await readHardware(t.ctx.config.tools.nvidiaSmi), { preferGpu: false });
      const body = expectStatus(await standalone({}), 200);
      assert.deepEqual(body.model, { name: rec.name, source: 'recommended', installed: false });
      assert.equal(t.ctx.settings.get('whisper_model'), rec.name);
      assert.ok(['small', 'base'].includes(rec.name), 'a CPU-only machine gets small or base');
      const api = expectStatus(await t.app.inject({ url: '/api/models/recommendation?worker_type=cpu' }), 200);
      assert.equal(api.name, rec.name);
      assert.equal(api.model_dir, modelDir, 'the model folder as an absolute path');
      assert.equal(api.installed, false);
      const listed = expectStatus(await t.app.inject({ url: '/api/models' }), 200);
      assert.deepEqual(listed.filter((m: { recommended: boolean }) => m.recommended).map((m: { name: string }) => m.name), [api.name]);
    });

    it('without a model in the request, a ggml file put into the model folder is what jobs use', async () => {
      copyFileSync(testModel, join(modelDir, 'my-model.bin'));
      const body = expectStatus(await standalone({}), 200);
      assert.deepEqual(body.model, { name: join(modelDir, 'my-model.bin'), source: 'installed', installed: true });
      assert.equal(jobModel().modelPath, join(modelDir, 'my-model.bin'));
      assert.equal(jobModel().modelInstalled, true);
    });

    it('an installed model in use is kept', async () => {
      const body = expectStatus(await standalone({}), 200);
      assert.equal(body.model.source, 'kept');
      assert.equal(t.ctx.settings.get('whisper_model'), join(modelDir, 'my-model.bin'));
    });

    it('a model in the request: a catalogue name, a file in the model folder, a file picked in a browsable folder', async () => {
      assert.deepEqual(expectStatus(await standalone({ model: 'base' }), 200).model, { name: 'base', source: 'request', installed: false });
      assert.equal(t.ctx.settings.get('whisper_model'), 'base');
      assert.equal(expectStatus(await standalone({ model: 'my-model.bin' }), 200).model.name, join(modelDir, 'my-model.bin'));
      assert.equal(jobModel().modelInstalled, true);
      const picked = join(outside, 'picked', 'ggml-picked.bin');
      mkdirSync(join(outside, 'picked'));
      copyFileSync(testModel, picked);
      await t.ctx.settings.update('browse_roots', outside);
      assert.equal(expectStatus(await standalone({ model: picked }), 200).model.name, picked);
      assert.equal(jobModel().modelPath, picked);
      // The model in use stays acceptable once the folder it lies in is no longer browsable.
      await t.ctx.settings.update('browse_roots', '/media');
      assert.equal(expectStatus(await standalone({ model: picked }), 200).model.name, picked);
    });

    it('a bad model is refused and nothing is written', async () => {
      await t.ctx.settings.update('browse_roots', '/media');
      writeFileSync(join(modelDir, 'notes.bin'), 'not a model');
      copyFileSync(testModel, join(outside, 'ggml-other.bin'));
      const before = t.ctx.settings.get('whisper_model');
      const cases: Array<[string, number, RegExp]> = [
        [join(outside, 'ggml-other.bin'), 403, /outside the browsable folders/],
        ['notes.bin', 400, /not a ggml Whisper model/],
        ['no-such-model', 400, /neither a known model name nor a file in the model folder/],
        ['silero-v6.2.0', 400, /voice detection model/],
        [join(modelDir, 'missing.bin'), 400, /does not exist/],
      ];
      for (const [model, status, re] of cases) {
        assert.match(expectStatus(await standalone({ model, library_paths: ['/elsewhere'] }), status).detail, re, model);
      }
      assert.equal(t.ctx.settings.get('whisper_model'), before);
      assert.deepEqual(t.ctx.settings.get('library_paths'), ['/media/tv']);
    });

    it('a translation provider given with the rules is stored, and a rule that needs one warns without it', async () => {
      const rule = { name: 'Japanese to Spanish', audio_language_is: 'jpn', target_language: 'spa' };
      const bad = expectStatus(await standalone({ scan_rules: [rule], translation: { provider: 'libretranslate' } }), 400);
      assert.match(bad.detail, /translation.url is required/);
      assert.equal(t.ctx.settings.get('translation_provider'), '');
      const warned = expectStatus(await standalone({ scan_rules: [{ ...rule, name: 'r1' }] }), 200);
      assert.equal(warned.warnings.length, 1);
      const english = expectStatus(await standalone({ scan_rules: [{ ...rule, name: 'r2', target_language: 'eng' }] }), 200);
      assert.deepEqual(english.warnings, [], 'Whisper makes English from Japanese itself');
      const ok = expectStatus(await standalone({ scan_rules: [{ ...rule, name: 'r3' }], translation: { provider: 'libretranslate', url: 'http://translate.local:5000' } }), 200);
      assert.deepEqual(ok.warnings, []);
      assert.equal(t.ctx.settings.get('translation_provider'), 'libretranslate');
      assert.equal(t.ctx.settings.get('translation_url'), 'http://translate.local:5000');
      const st = expectStatus(await t.app.inject({ url: '/api/setup/status' }), 200);
      assert.equal(st.translation_configured, true);
    });
  });
}

for (const kind of databaseKinds()) {
  describe(`first-run defaults on upgrade (${kind})`, () => {
    it('the example path mapping /tv → /Volumes/TV is emptied where it was never changed, and kept where it was', async () => {
      const { up } = await import('../../src/db/migrations/012-first-run.js');
      const t = await createTestApp(kind);
      try {
        const db = t.ctx.database.db;
        const { readSettingRow, writeSettingRow } = await import('../helpers/settings-rows.js');
        const set = (key: string, value: string) => writeSettingRow(db, key, value);
        const get = (key: string) => readSettingRow(db, key);
        assert.equal(t.ctx.settings.getString('path_mapping_from'), '', 'a fresh install has no example mapping');
        // As an older version left them.
        await set('path_mapping_from', '/tv');
        await set('path_mapping_to', '/Volumes/TV');
        await up(db, kind);
        assert.deepEqual([await get('path_mapping_from'), await get('path_mapping_to')], ['', '']);
        // A mapping someone uses stays.
        await set('path_mapping_from', '/tv');
        await set('path_mapping_to', '/Volumes/TV');
        await set('use_path_mapping', 'true');
        await up(db, kind);
        assert.deepEqual([await get('path_mapping_from'), await get('path_mapping_to')], ['/tv', '/Volumes/TV']);
        await set('use_path_mapping', 'false');
        await set('path_mapping_to', '/mnt/tv');
        await up(db, kind);
        assert.deepEqual([await get('path_mapping_from'), await get('path_mapping_to')], ['/tv', '/mnt/tv'], 'a changed pair is the user’s');
      } finally {
        await t.close();
      }
    });
  });
}
