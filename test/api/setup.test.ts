/** Setup wizard API: first-run status, standalone mode (all or nothing), Bazarr provider mode and skip, on SQLite and PostgreSQL. */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, chmodSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { databaseKinds } from '../helpers/db.js';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { assertKeys, expectStatus } from './api-helpers.js';

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
      delete process.env.NVIDIA_SMI;
      t = await createTestApp(kind);
    });
    after(async () => t.close());
    const status = async () => expectStatus(await t.app.inject({ url: '/api/setup/status' }), 200);
    const standalone = (payload: unknown) => t.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: payload as object });
    const setting = (key: string) => t.ctx.settings.get(key);
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
      process.env.NVIDIA_SMI = '/nonexistent/nvidia-smi';
      for (const [over, code, re] of cases) {
        const body = expectStatus(await standalone({ ...wizard(), ...over }), code);
        assert.match(body.detail, re, JSON.stringify(over));
      }
      delete process.env.NVIDIA_SMI;
      assert.equal(await ruleCount(), 0, 'no rule was created');
      assert.deepEqual(setting('library_paths'), []);
      assert.equal(setting('setup_completed'), false);
      assert.equal(setting('worker_cpu_count'), 0);
      assert.equal((await status()).is_first_run, true);
    });

    it('standalone stores folders, rules, workers and the scan interval, and completes setup', async () => {
      const body = expectStatus(await standalone(wizard()), 200);
      assert.deepEqual(body, { success: true, message: 'Standalone mode configured successfully', bazarr_info: null });
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
      assert.deepEqual(byName['Japanese to Spanish'].action, { action_type: 'transcribe', target_language: 'spa', quality_preset: 'fast', job_priority: 0 });
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

    it('bazarr-slave generates a strong key, enables the provider and answers the URL for Bazarr', async () => {
      const oldKey = t.ctx.settings.getString('api_key');
      // A Host that is not this machine needs the key, also on a loopback connection.
      const res = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: 'nas.local:8123', 'x-api-key': oldKey } }), 200);
      assertKeys(res, ['success', 'message', 'bazarr_info']);
      assert.equal(res.success, true);
      assert.equal(res.message, 'Bazarr slave mode configured successfully');
      const info = res.bazarr_info;
      assertKeys(info, ['mode', 'host', 'port', 'api_key', 'provider_url']);
      assert.equal(info.mode, 'bazarr_slave');
      assert.equal(info.host, 'nas.local');
      assert.equal(info.port, 8123);
      assert.ok(info.api_key.length >= 32, 'at least 192 bits');
      assert.notEqual(info.api_key, oldKey);
      assert.equal(info.provider_url, `http://nas.local:8123/provider/${info.api_key}`);
      assert.equal(setting('api_key'), info.api_key);
      assert.equal(setting('bazarr_api_key'), info.api_key);
      assert.equal(setting('bazarr_provider_enabled'), true);
      assert.equal(setting('operation_mode'), 'standalone,provider', 'library folders exist, so both modes');
      assert.equal(setting('setup_completed'), true);
      // The new key is the API key at once; the old one no longer opens the API.
      const remote = { remoteAddress: '10.0.0.5' };
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': info.api_key }, ...remote }), 200);
      expectStatus(await t.app.inject({ url: '/api/jobs', headers: { 'x-api-key': oldKey }, ...remote }), 401);
      const again = expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/bazarr-slave', headers: { host: 'nas.local:8123', 'x-api-key': info.api_key } }), 200);
      assert.notEqual(again.bazarr_info.api_key, info.api_key, 'each call makes a new key');
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
    process.env.NVIDIA_SMI = fake;
    try {
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: { library_paths: ['/m'], worker_config: { count: 2, type: 'gpu' } } }), 400);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/setup/standalone', payload: { library_paths: ['/m'], worker_config: { count: 1, type: 'gpu' } } }), 200);
      assert.equal(t.ctx.settings.get('worker_gpu_count'), 1);
      assert.equal(t.ctx.settings.get('worker_cpu_count'), 0);
    } finally {
      delete process.env.NVIDIA_SMI;
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
