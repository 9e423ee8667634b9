/**
 * model_path's default reaches every reader as DATA_DIR/models: the Models
 * API (the page and the wizard show its model_dir), a worker process's
 * jobs, and `transcriptorio models list`. The Settings listing keeps the
 * stored text (empty at the default); a model_path someone set stays theirs;
 * an install whose models are in the old ./models of the folder the server
 * runs in keeps using them, with the health note.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createTestApp } from '../helpers/app.js';
import { makeVideo, useTestModel, waitFor } from '../workers/helpers.js';

const BIN = fileURLToPath(new URL('../../bin/transcriptorio.js', import.meta.url));
const root = mkdtempSync(join(tmpdir(), 'tio-model-wiring-'));
after(() => rmSync(root, { recursive: true, force: true }));

test('the server, its settings and its health see DATA_DIR/models by default, a chosen folder when set, the old one while it holds the models', async (t) => {
  const app = await createTestApp('sqlite');
  t.after(() => app.close());
  const data = app.database.dataDir;
  const rec = await app.app.inject({ url: '/api/models/recommendation' });
  assert.equal(rec.json().model_dir, join(data, 'models'));
  assert.equal(app.ctx.settings.getString('model_path'), join(data, 'models'), 'what jobs and every other reader get');
  const listed = await app.app.inject({ url: '/api/settings/model_path' });
  assert.equal(listed.json().value, '', 'the Settings page shows the stored text: the default, empty');

  // Models in the old ./models of the folder the server runs in: found and used, with the note.
  const install = join(root, 'old install');
  const legacy = join(install, 'models');
  mkdirSync(legacy, { recursive: true });
  writeFileSync(join(legacy, 'ggml-small.bin'), 'ggml');
  const cwd = process.cwd();
  process.chdir(install);
  t.after(() => process.chdir(cwd));
  assert.equal((await app.app.inject({ url: '/api/models/recommendation' })).json().model_dir, legacy);
  const health = (await app.app.inject({ url: '/api/system/health' })).json() as { checks: Array<{ id: string; message: string }> };
  const note = health.checks.find((c) => c.id === 'model_folder_legacy');
  assert.ok(note?.message.includes(legacy), JSON.stringify(health));

  await app.ctx.settings.update('model_path', join(root, 'chosen'));
  assert.equal((await app.app.inject({ url: '/api/models/recommendation' })).json().model_dir, join(root, 'chosen'));
  const after = (await app.app.inject({ url: '/api/system/health' })).json() as { checks: Array<{ id: string }> };
  assert.ok(!after.checks.some((c) => c.id === 'model_folder_legacy'), 'a folder someone chose is not questioned');
});

test('`transcriptorio models list` names the absolute folder: DATA_DIR/models, from any working folder', () => {
  const data = join(root, 'install', 'data');
  mkdirSync(data, { recursive: true });
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: data, TRANSCRIPTORIO_FROM_SOURCE: '1' };
  delete env.DATABASE_URL;
  delete env.TRANSCRIPTORIO_MODEL_PATH;
  const r = spawnSync(process.execPath, [BIN, 'models', 'list'], { cwd: root, env, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.ok(r.stdout.startsWith(`Model folder: ${join(data, 'models')} (the default: models in the data folder ${data})`), r.stdout);
});

test('a worker process looks for the job\'s model in DATA_DIR/models', { timeout: 180_000 }, async (t) => {
  const app = await createTestApp('sqlite');
  const media = join(root, 'media');
  t.after(() => app.close());
  await useTestModel(app.ctx, { library_paths: media, whisper_model: 'tiny', model_auto_download: false });
  const video = makeVideo(media, 'Movie.mkv');
  assert.equal((await app.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'cpu' } })).statusCode, 201);
  const r = await app.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: 'Movie.mkv', target_lang: 'eng', source_lang: 'eng' } });
  assert.equal(r.statusCode, 201, r.body);
  const job = await waitFor('the job finished', async () => {
    const j = (await app.app.inject({ url: `/api/jobs/${r.json().id}` })).json();
    return j.status === 'failed' || j.status === 'completed' ? j : null;
  }, 120_000, 100);
  assert.equal(job.status, 'failed');
  assert.ok(String(job.error).includes(`is not installed in ${join(app.database.dataDir, 'models')}`), job.error);
});
