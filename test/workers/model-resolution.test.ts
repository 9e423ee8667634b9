/**
 * "Which model?" has one answer: on a fresh database, setting only
 * whisper_model makes library jobs of every preset and provider requests run
 * with that model, and /api/status and /api/models say so. Databases from
 * before migration 005 get the same behaviour.
 */
import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { JFK_WAV } from '../helpers/fixtures.js';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { up as migration005 } from '../../src/db/migrations/005-preset-models-inherit.js';
import { migrations } from '../../src/db/migrations/index.js';
import { writeSettingRow } from '../helpers/settings-rows.js';
import { audioPart, engineSkip, jfkPcm, multipart } from '../provider/provider-helpers.js';
import { QUALITY_PRESETS } from '../../src/quality-presets.js';
import { JobsService } from '../../src/jobs/jobs.service.js';
import { makeVideo, minimalModel, useTestModel, waitFor } from './helpers.js';

const skip = engineSkip();

test('only whisper_model set: library jobs of every preset, a Bazarr /asr request and an OpenAI request run with it; /api/status and /api/models agree', { skip, timeout: 240_000 }, async () => {
  const t = await createTestApp('sqlite');
  const media = mkdtempSync(join(tmpdir(), 'tio-media-'));
  try {
    const model = await minimalModel();
    await useTestModel(t.ctx, { library_paths: media });
    for (const p of QUALITY_PRESETS) assert.equal(t.ctx.settings.getString(`preset_${p}_model`), '', `preset_${p}_model is empty on a fresh database`);

    // What the UI shows before anything runs.
    const status = (await t.app.inject({ url: '/api/status' })).json();
    assert.deepEqual(status.transcription.models, { fast: model, balanced: model, best: model });
    assert.equal(status.transcription.model, model);
    assert.equal(status.transcription.preset, 'fast');
    assert.equal(status.transcription.engine, 'local');
    assert.equal(status.transcription.model_installed, true);
    const models = (await t.app.inject({ url: '/api/models' })).json() as Array<{ path: string; in_use: boolean; used_by: string[]; installed: boolean }>;
    const inUse = models.filter((m) => m.in_use);
    assert.deepEqual(inUse.map((m) => [m.path, m.used_by, m.installed]), [[model, ['fast', 'balanced', 'best'], true]], 'the Models page marks the model the presets resolve to, and only it');
    const provider = (await t.app.inject({ url: '/status' })).json();
    assert.equal(provider.model, model);

    const add = await t.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } });
    assert.equal(add.statusCode, 201, add.body);

    const ids: Record<string, string> = {};
    for (const preset of QUALITY_PRESETS) {
      const video = makeVideo(media, `Movie ${preset}.mkv`);
      const r = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: `Movie ${preset}.mkv`, target_lang: 'eng', source_lang: 'eng', quality_preset: preset } });
      assert.equal(r.statusCode, 201, r.body);
      ids[preset] = r.json().id;
    }
    for (const preset of QUALITY_PRESETS) {
      const done = await waitFor(`${preset} job completed`, async () => {
        const j = (await t.app.inject({ url: `/api/jobs/${ids[preset]}` })).json();
        if (j.status === 'failed') throw new Error(`${preset} job failed: ${j.error}`);
        return j.status === 'completed' ? j : null;
      }, 120_000);
      assert.equal(done.quality_preset, preset);
      assert.equal(done.model_used, model, `the ${preset} job ran whisper_model`);
    }

    // A Bazarr-style request (raw PCM, encode=false) goes through the same resolver with the provider preset.
    const { body, contentType } = multipart([audioPart(jfkPcm())]);
    const asr = await t.app.inject({ method: 'POST', url: '/asr?task=transcribe&language=en&output=srt&encode=false', payload: body, headers: { 'content-type': contentType } });
    assert.equal(asr.statusCode, 200, asr.body);
    const job = await t.ctx.jobs.get(String(asr.headers['x-job-id']));
    assert.equal(job.status, 'completed');
    assert.equal(job.quality_preset, 'balanced', 'provider requests are stored with provider_quality_preset');
    assert.equal(job.model_used, model);

    // An OpenAI client's request (model whisper-1, the alias of the configured model) runs with it too.
    const openai = multipart([{ name: 'model', value: 'whisper-1' }, { name: 'language', value: 'en' }, { name: 'file', value: readFileSync(JFK_WAV), filename: 'jfk.wav', contentType: 'audio/wav' }]);
    const v1 = await t.app.inject({ method: 'POST', url: '/v1/audio/transcriptions', payload: openai.body, headers: { 'content-type': openai.contentType } });
    assert.equal(v1.statusCode, 200, v1.body);
    const v1Jobs = await t.ctx.database.db.selectFrom('jobs').select(['model_used', 'status']).where('job_type', '=', 'provider_asr').where('id', '!=', job.id).execute();
    assert.deepEqual(v1Jobs, [{ model_used: model, status: 'completed' }], 'the OpenAI request ran whisper_model');

    // A job created without a preset gets transcription_preset.
    const plain = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: makeVideo(media, 'Plain.mkv'), file_name: 'Plain.mkv', target_lang: 'eng' } });
    assert.equal(plain.statusCode, 201, plain.body);
    assert.equal(plain.json().quality_preset, 'fast');
  } finally {
    await t.close();
    rmSync(media, { recursive: true, force: true });
  }
});

test('a preset with its own model runs that model; status and the Models page follow the setting', { timeout: 30_000 }, async () => {
  const t = await createTestApp('sqlite');
  try {
    const model = await minimalModel();
    await t.ctx.settings.bulkUpdate({ whisper_model: model, preset_best_model: 'tiny', model_path: join(t.database.dataDir, 'models') });
    const status = (await t.app.inject({ url: '/api/status' })).json();
    assert.deepEqual(status.transcription.models, { fast: model, balanced: model, best: 'tiny' });
    const models = (await t.app.inject({ url: '/api/models' })).json() as Array<{ name: string; path: string; in_use: boolean; used_by: string[] }>;
    assert.deepEqual(models.filter((m) => m.in_use).map((m) => [m.path === model ? 'whisper_model' : m.name, m.used_by]), [['tiny', ['best']], ['whisper_model', ['fast', 'balanced']]]);
    // A remote engine uses no local model.
    await t.ctx.settings.bulkUpdate({ engine_backend: 'remote_openai', remote_engine_url: 'http://gpu-box:9000/v1', remote_engine_model: 'large-v3' });
    const remote = (await t.app.inject({ url: '/api/status' })).json();
    assert.equal(remote.transcription.engine, 'remote_openai');
    assert.equal(remote.transcription.model, 'large-v3 @ http://gpu-box:9000/v1');
    assert.equal((await t.app.inject({ url: '/status' })).json().model, 'large-v3 @ http://gpu-box:9000/v1');
    const none = (await t.app.inject({ url: '/api/models' })).json() as Array<{ in_use: boolean }>;
    assert.equal(none.filter((m) => m.in_use).length, 0);
  } finally {
    await t.close();
  }
});

test('jobs created without a preset take the default the service is given (transcription_preset)', async () => {
  const t = await createTestApp('sqlite');
  try {
    const jobs = new JobsService(t.ctx.database, { maxRetries: () => 3, mode: () => 'transcribe', preset: () => 'best' });
    const job = await jobs.create({ file_path: '/media/a.mkv', target_lang: 'eng' });
    assert.equal(job.quality_preset, 'best');
    const rule = await t.ctx.rules.create({ name: 'no preset', action: { target_language: 'spa' } });
    assert.equal(rule.action.quality_preset, 'fast', 'the default of transcription_preset');
  } finally {
    await t.close();
  }
});

for (const kind of databaseKinds()) {
  describe(`migration 005-preset-models-inherit (${kind})`, () => {
    /** A database as an older version left it (the given values stored), then migration 005 run on it. */
    async function upgradeFrom(values: Record<string, string>): Promise<Record<string, string>> {
      const t = await createTestApp(kind);
      try {
        const db = t.ctx.database.db;
        for (const [key, value] of Object.entries(values)) {
          await writeSettingRow(db, key, value, { description: 'old description' });
        }
        // Run directly: the migrator refuses to re-run one migration once later ones are applied.
        await migration005(db, kind);
        const rows = await db.selectFrom('system_settings').select(['key', 'value', 'description']).where('key', 'in', Object.keys(values)).execute();
        // The description the migration shipped with (written into it, so a later definition may differ).
        for (const r of rows) assert.notEqual(r.description, 'old description', `${r.key} has the new description`);
        return Object.fromEntries(rows.map((r) => [r.key, String(r.value ?? '')]));
      } finally {
        await t.close();
      }
    }

    it('is applied after 004', () => {
      const names = migrations.map((m) => m.name);
      assert.equal(names.indexOf('005-preset-models-inherit'), names.indexOf('004-safe-browse-roots') + 1);
    });

    it('preset models still at their old defaults inherit whisper_model; transcription_preset at its old default becomes fast', async () => {
      assert.deepEqual(await upgradeFrom({ preset_fast_model: 'small', preset_balanced_model: 'medium', preset_best_model: 'large-v3', transcription_preset: 'balanced' }), {
        preset_fast_model: '', preset_balanced_model: '', preset_best_model: '', transcription_preset: 'fast',
      });
    });

    it("the user's own values are kept", async () => {
      const own = { preset_fast_model: 'tiny', preset_balanced_model: '/models/custom.bin', preset_best_model: 'large-v3-turbo', transcription_preset: 'best' };
      assert.deepEqual(await upgradeFrom(own), own);
    });
  });
}
