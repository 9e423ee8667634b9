/**
 * GET /api/system/health: each check is turned on and off by the real
 * condition (a model file, a job without workers, a folder, a rule, a worker
 * row, the listen address) and speaks to a person: what is wrong, one fix,
 * the page that does it, never a CLI line.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { ensureTestModel } from '../../scripts/test-model.js';
import { createTestDatabase } from '../helpers/db.js';
import { NO_TMPFS, mountTmpfs, unmount } from '../helpers/tmpfs.js';
import { loadConfig } from '../../src/config.js';
import { createContext, closeContext } from '../../src/server/context.js';
import { buildApp } from '../../src/server/app.js';
import { createLogger } from '../../src/logger.js';

interface Check { id: string; level: string; message: string; fix: string; link: string | null }

describe('health checks', () => {
  let t: TestApp;
  let dir: string;
  const checks = async (): Promise<Check[]> => {
    const res = await t.app.inject({ url: '/api/system/health' });
    assert.equal(res.statusCode, 200, res.body);
    const body = res.json() as { status: string; checks: Check[] };
    for (const c of body.checks) {
      assert.ok(c.message && c.fix, `${c.id} says what is wrong and how to fix it`);
      assert.ok(!/`|npx |npm |transcriptorio /.test(`${c.message} ${c.fix}`), `${c.id}: no CLI line in the UI: ${c.fix}`);
    }
    assert.equal(body.status, body.checks.some((c) => c.level === 'error') ? 'error' : body.checks.length ? 'warning' : 'ok');
    return body.checks;
  };
  const ids = async () => (await checks()).map((c) => c.id.split(':')[0]);

  before(async () => {
    t = await createTestApp();
    dir = mkdtempSync(join(tmpdir(), 'tio-health-'));
    await t.ctx.settings.bulkUpdate({ model_path: join(dir, 'models'), library_paths: join(dir, 'library') });
    mkdirSync(join(dir, 'library'));
  });
  after(async () => {
    await t.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('no model installed: an error for the presets that use it, with the model folder and the Models page; gone once the file is there', async () => {
    const missing = (await checks()).filter((c) => c.id.startsWith('model_missing'));
    assert.equal(missing.length, 1, 'one check per missing model, naming every preset that uses it');
    assert.equal(missing[0].level, 'error');
    assert.match(missing[0].message, /fast, balanced, best presets/);
    assert.match(missing[0].fix, new RegExp(`Models page.*${join(dir, 'models')}`));
    assert.equal(missing[0].link, '#/models');
    await t.ctx.settings.update('whisper_model', await ensureTestModel('minimal'));
    assert.ok(!(await ids()).includes('model_missing'));
  });

  it('queued jobs and no worker: an error linking to the Workers page', async () => {
    const file = join(dir, 'library', 'Movie.mkv');
    writeFileSync(file, 'x');
    const job = await t.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: file, file_name: 'Movie.mkv', target_lang: 'eng' } });
    assert.equal(job.statusCode, 201, job.body);
    const c = (await checks()).find((x) => x.id === 'no_workers');
    assert.ok(c, 'reported');
    assert.match(c!.message, /1 job waits and no worker is running/);
    assert.equal(c!.link, '#/workers');
    await t.app.inject({ method: 'DELETE', url: `/api/jobs/${job.json().id}` });
    assert.ok(!(await ids()).includes('no_workers'));
  });

  it('a library folder that is gone is reported until it is back', async () => {
    const gone = join(dir, 'unmounted');
    await t.ctx.settings.update('library_paths', `${join(dir, 'library')},${gone}`);
    const c = (await checks()).find((x) => x.id === `library_unavailable:${gone}`);
    assert.match(c?.message ?? '', /does not exist/);
    mkdirSync(gone);
    assert.ok(!(await ids()).includes('library_unavailable'));
  });

  it('a rule that needs a translation provider while none is set up; English targets and same-language rules do not', async () => {
    const rule = async (name: string, audio: string, target: string) =>
      (await t.app.inject({ method: 'POST', url: '/api/scan-rules', payload: { name, enabled: true, priority: 0, conditions: { audio_language_is: audio }, action: { action_type: 'transcribe', target_language: target, quality_preset: 'fast', job_priority: 0 } } })).json();
    await rule('Japanese to English', 'jpn', 'eng');
    await rule('Spanish as it is', 'spa', 'spa');
    assert.ok(!(await ids()).includes('rule_needs_translation'));
    const jpnSpa = await rule('Japanese to Spanish', 'jpn', 'spa');
    const c = (await checks()).find((x) => x.id === `rule_needs_translation:${jpnSpa.id}`);
    assert.match(c?.message ?? '', /"Japanese to Spanish" makes Spanish subtitles/);
    assert.equal(c?.link, '#/settings/translation_provider');
    await t.ctx.settings.bulkUpdate({ translation_provider: 'libretranslate', translation_url: 'http://127.0.0.1:5000' });
    assert.ok(!(await ids()).includes('rule_needs_translation'));
  });

  it('a worker in error is reported with its reason', async () => {
    const now = Date.now();
    await t.ctx.database.db.insertInto('workers').values({
      worker_id: 'gpu-test-0', worker_type: 'gpu', device_id: 0, status: 'error', node: 'box', pid: null, error: 'CUDA build missing', started_at: new Date().toISOString(),
      jobs_completed: 0, jobs_failed: 0, current_job_id: null, current_job_progress: null, current_job_eta: null, last_heartbeat_ms: now, model_loaded: null,
    } as never).execute();
    const c = (await checks()).find((x) => x.id === 'worker_error:gpu-test-0');
    assert.match(c?.message ?? '', /GPU worker gpu-test-0 on box is in error: CUDA build missing/);
    await t.ctx.database.db.deleteFrom('workers').where('worker_id', '=', 'gpu-test-0').execute();
    assert.ok(!(await ids()).includes('worker_error'));
  });

  it('auth off while listening on every interface is a warning; on loopback it is not', async () => {
    await t.ctx.settings.update('auth_enabled', 'false');
    try {
      assert.ok(!(await ids()).includes('auth_off_on_network'), 'the test server listens on 127.0.0.1 (its --host)');
    } finally {
      await t.ctx.settings.update('auth_enabled', 'true');
    }
    // A server started without --host or HOST listens where api_host says: 0.0.0.0 by default.
    const db = await createTestDatabase('sqlite');
    const ctx = await createContext(loadConfig({ databaseUrl: db.url, dataDir: db.dataDir, logLevel: 'silent', port: 0 }, {}), { log: createLogger('silent') });
    const app = await buildApp(ctx, { webDir: '/nonexistent' });
    try {
      await ctx.settings.update('auth_enabled', 'false');
      const c = ((await app.inject({ url: '/api/system/health' })).json().checks as Check[]).find((x) => x.id === 'auth_off_on_network');
      assert.equal(c?.level, 'warning');
      assert.match(c?.message ?? '', /every network interface/);
      await ctx.settings.update('api_host', '127.0.0.1');
      assert.ok(!((await app.inject({ url: '/api/system/health' })).json().checks as Check[]).some((x) => x.id === 'auth_off_on_network'));
    } finally {
      await app.close();
      await closeContext(ctx);
      await db.drop();
    }
  });

  it('a nearly full disk under the library is a warning (a small tmpfs; skipped where it cannot be mounted)', async (ctx) => {
    const small = mountTmpfs('1m');
    if (!small) return void ctx.skip(NO_TMPFS);
    try {
      await t.ctx.settings.update('library_paths', small);
      const c = (await checks()).find((x) => x.id === `low_disk:${small}`);
      assert.equal(c?.level, 'warning');
      assert.match(c?.message ?? '', /MB free/);
    } finally {
      unmount(small);
      await t.ctx.settings.update('library_paths', join(dir, 'library'));
    }
  });

  it('the engine and ffmpeg are there on this machine, and the database answers', async () => {
    const found = await ids();
    for (const id of ['engine_not_built', 'ffmpeg_missing', 'database_unreachable']) assert.ok(!found.includes(id), id);
  });
});
