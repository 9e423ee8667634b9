/**
 * POST /api/scan-rules/preview: a draft rule tried on the scanned library
 * (generated media, real ffprobe filling the probe cache): the files it
 * matches now, what its action does, and the translation warning; nothing
 * is probed and nothing is queued.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { probeCount } from '../../src/scanner/ffprobe.js';
import { createTestLibrary, type TestLibrary } from '../scanner/media.js';
import { expectStatus } from './api-helpers.js';

const jpnToSpa = { name: 'Anime to Spanish', conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, action: { target_language: 'spa' } };

for (const kind of databaseKinds()) {
  describe(`rule preview (${kind})`, () => {
    let t: TestApp;
    let lib: TestLibrary;
    before(async () => {
      lib = createTestLibrary();
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
    });
    after(async () => t.close());
    const preview = (body: object) => t.app.inject({ method: 'POST', url: '/api/scan-rules/preview', payload: body });

    test('before any scan the probe cache is empty: no file is counted and nothing is probed', async () => {
      const before = probeCount();
      const p = expectStatus(await preview(jpnToSpa), 200);
      assert.deepEqual([p.matches, p.files_checked, p.sample], [0, 0, []]);
      assert.equal(probeCount(), before);
    });

    test('after a scan: the files it matches now, with reasons, and no probe and no job', async () => {
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const before = probeCount();
      const p = expectStatus(await preview(jpnToSpa), 200);
      assert.equal(probeCount(), before, 'the preview reads the probe cache only');
      assert.equal(p.files_checked, 7, 'every readable media file of the library');
      // Episode 02 has our Spanish subtitle already; only the first episode would get a job.
      assert.equal(p.matches, 1);
      assert.deepEqual(p.sample, [{ path: lib.anime, reason: 'rule "Anime to Spanish": Japanese audio → Spanish subtitles' }]);
      assert.equal((await t.ctx.jobs.stats()).total_jobs, 0);
      const any = expectStatus(await preview({ action: { target_language: 'eng' } }), 200);
      assert.equal(any.matches, 4, 'Episode 02, English Show, song.mp3 and track.flac have no English subtitle yet');
    });

    test('a target that needs translation warns while no provider is configured, and names the provider once one is', async () => {
      const p = expectStatus(await preview(jpnToSpa), 200);
      assert.equal(p.explanation.summary, 'Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then a translation provider translates it into Spanish');
      assert.equal(p.explanation.needs_translation_provider, true);
      assert.match(p.explanation.warning, /Needs a translation provider/);
      await t.ctx.settings.bulkUpdate({ translation_provider: 'libretranslate', translation_url: 'http://127.0.0.1:5000' });
      try {
        const ok = expectStatus(await preview(jpnToSpa), 200);
        assert.equal(ok.explanation.summary, 'Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then LibreTranslate translates it into Spanish');
        assert.equal(ok.explanation.needs_translation_provider, false);
        assert.equal(ok.explanation.warning, null);
      } finally {
        await t.ctx.settings.bulkUpdate({ translation_provider: '', translation_url: '' });
      }
      const eng = expectStatus(await preview({ conditions: { audio_language_is: 'jpn' }, action: { target_language: 'eng', action_type: 'transcribe' } }), 200);
      assert.equal(eng.explanation.summary, 'Japanese audio → English subtitles: Whisper translates Japanese into English itself');
      assert.equal(eng.explanation.needs_translation_provider, false);
      const tr = expectStatus(await preview({ ...jpnToSpa, action: { target_language: 'spa', action_type: 'translate' } }), 200);
      assert.match(tr.explanation.action_type_note, /Whisper can only translate into English itself/);
    });

    test('the model and beam come from the resolver for the rule\'s preset', async () => {
      await t.ctx.settings.bulkUpdate({ preset_best_model: 'tiny' });
      try {
        const p = expectStatus(await preview({ ...jpnToSpa, action: { target_language: 'spa', quality_preset: 'best' } }), 200);
        assert.deepEqual([p.explanation.preset, p.explanation.model, p.explanation.model_source, p.explanation.beam_size], ['best', 'tiny', 'preset_best_model', 5]);
      } finally {
        await t.ctx.settings.bulkUpdate({ preset_best_model: '' });
      }
    });

    test('a higher-priority rule taking the file, a queued job and a file gone from disk are told apart', async () => {
      const first = await t.ctx.rules.create({ name: 'Japanese to French', priority: 50, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'fra' } });
      const p = expectStatus(await preview({ ...jpnToSpa, priority: 1 }), 200);
      assert.equal(p.taken_by_other_rules, 1);
      // Editing that rule itself: the draft replaces it, so nothing else takes the file.
      const self = expectStatus(await preview({ rule_id: first.id, priority: 1, conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, action: { target_language: 'spa' } }), 200);
      assert.equal(self.taken_by_other_rules, 0);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: {} }), 200);
      const queued = expectStatus(await preview(jpnToSpa), 200);
      assert.deepEqual([queued.matches, queued.already_queued, queued.sample.length], [1, 1, 0]);
      rmSync(lib.anime);
      const gone = expectStatus(await preview(jpnToSpa), 200);
      assert.equal(gone.matches, 0);
      assert.equal(gone.files_checked, 6);
    });

    test('count: false explains a saved rule without reading the library', async () => {
      const rule = await t.ctx.rules.create({ name: 'Saved', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'deu' } });
      const p = expectStatus(await preview({ rule_id: rule.id, count: false }), 200);
      assert.equal(p.explanation.summary, 'Japanese audio → German subtitles: Whisper transcribes Japanese, then a translation provider translates it into German');
      assert.deepEqual([p.matches, p.files_checked], [0, 0]);
    });

    test('bad drafts are refused with the reason', async () => {
      const bad = expectStatus(await preview({ conditions: { audio_language_is: 'klingonish' }, action: { target_language: 'spa' } }), 400);
      assert.match(bad.detail, /Unknown language "klingonish"/);
      expectStatus(await preview({ action: {} }), 400);
      expectStatus(await preview({ rule_id: 99999, action: { target_language: 'spa' } }), 404);
    });
  });
}
