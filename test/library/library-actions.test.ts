/**
 * Library actions and live updates on real SQLite and PostgreSQL: each action
 * does what it says and refuses what it must (a user's subtitle is never
 * deleted or replaced: its hash is checked), jobs go through the jobs service
 * (one live job per file), a job that finishes updates its item and publishes
 * library.item, and subtitle previews read only the item's own files.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { expectStatus } from '../api/api-helpers.js';
import type { HubEvent } from '../../src/events/event-hub.js';
import { claim, complete } from '../../src/jobs/job-lifecycle.repository.js';
import { writeSubtitleFile } from '../../src/transcription/output.js';
import { sidecarPath } from '../../src/transcription/subtitle-files.js';
import { srtText } from '../scanner/media.js';
import { createLibraryFixture, type LibraryFixture } from './library-media.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

for (const kind of databaseKinds()) {
  describe(`library actions (${kind})`, () => {
    let t: TestApp;
    let lib: LibraryFixture;
    const events: HubEvent[] = [];
    const ids: Record<string, number> = {};
    before(async () => {
      lib = await createLibraryFixture();
      t = await createTestApp(kind);
      t.ctx.events.on('event', (e: HubEvent) => events.push(e));
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa', quality_preset: 'balanced' } });
      await t.ctx.rules.create({ name: 'Not English to English', priority: 1, conditions: { audio_language_not: 'eng' }, action: { target_language: 'eng', quality_preset: 'fast' } });
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const page = expectStatus(await t.app.inject({ url: '/api/library/items?page_size=200' }), 200);
      for (const [k, p] of Object.entries(lib)) {
        const it = page.items.find((i: any) => i.path === p);
        if (it) ids[k] = it.id;
      }
    });
    after(async () => t?.close());

    const act = async (body: object, status = 200) => expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/actions', payload: body }), status);
    const item = async (id: number) => expectStatus(await t.app.inject({ url: `/api/library/items/${id}` }), 200);

    test('transcribe queues the first wanted language with the rule\'s preset and track, once per file', async () => {
      const r = await act({ action: 'transcribe', item_ids: [ids.a1] });
      assert.equal(r.matched, 1);
      assert.equal(r.refused.length, 0);
      assert.equal(r.done[0].target_lang, 'spa');
      const job = await t.ctx.jobs.get(r.done[0].job_id);
      assert.deepEqual([job.file_path, job.target_lang, job.quality_preset, job.source_lang, job.is_manual_request], [lib.a1, 'spa', 'balanced', 'jpn', true]);
      const options = JSON.parse((await t.ctx.jobs.getRow(job.id))!.options!);
      assert.deepEqual([options.audio_track_index, options.rule_name], [0, 'Japanese to Spanish']);
      // The item shows its queued job at once.
      const a1 = await item(ids.a1);
      assert.deepEqual(a1.jobs.map((j: any) => [j.target_lang, j.id, j.status]), [['spa', job.id, 'queued']]);
      assert.equal(a1.job_history[0].id, job.id);
      const again = await act({ action: 'transcribe', item_ids: [ids.a1], target_lang: 'eng' });
      assert.deepEqual(again.done, []);
      assert.equal(again.refused[0].code, 'duplicate_job');
      assert.match(again.refused[0].reason, /already queued or running/);
    });

    test('transcribe refuses a file nothing is wanted for unless a language is named, and a missing one', async () => {
      const r = await act({ action: 'transcribe', item_ids: [ids.b1] });
      assert.equal(r.refused[0].code, 'nothing_wanted');
      assert.match(r.refused[0].reason, /name target_lang/);
      const named = await act({ action: 'transcribe', item_ids: [ids.b1], target_lang: 'fr', quality_preset: 'fast' });
      const job = await t.ctx.jobs.get(named.done[0].job_id);
      assert.deepEqual([job.target_lang, job.quality_preset], ['fra', 'fast']);
    });

    test('a filter acts on everything it matches: queue all wanted in a show', async () => {
      const r = await act({ action: 'transcribe', filter: { filter: 'wanted', show: 'Alpha Show' } });
      assert.equal(r.matched, 3);
      const done = Object.fromEntries(r.done.map((d: any) => [basename(d.path), d.target_lang]));
      assert.deepEqual(done, { [basename(lib.a2)]: 'eng', [basename(lib.a3)]: 'eng' });
      assert.deepEqual(r.refused.map((x: any) => [x.item_id, x.code]), [[ids.a1, 'duplicate_job']], 'a1 already has its job');
    });

    test('delete_generated never touches a user\'s subtitle, nor ours once edited', async () => {
      const userHash = sha(lib.a2UserSub);
      const editedHash = sha(lib.deltaEdited);
      const r = await act({ action: 'delete_generated', item_ids: [ids.a2, ids.delta] });
      assert.deepEqual(r.done, []);
      assert.deepEqual(r.refused.map((x: any) => [x.item_id, x.code]), [[ids.a2, 'no_generated'], [ids.delta, 'not_generated']]);
      assert.match(r.refused[1].reason, /no record proves/);
      assert.equal(sha(lib.a2UserSub), userHash);
      assert.equal(sha(lib.deltaEdited), editedHash);
      assert.ok(existsSync(sidecarPath(lib.deltaEdited)), 'the record of the edited file stays too');
      // Named like ours (subtitle_tag) is no proof either.
      await t.ctx.settings.bulkUpdate({ subtitle_tag: 'ai' });
      const tagged = join(lib.root, 'movies', 'Gamma Movie (2019)', 'Gamma Movie (2019).ai.fra.srt');
      writeFileSync(tagged, srtText('Bonjour, par moi'));
      await t.ctx.library.indexer.refresh([lib.gamma]);
      assert.ok((await item(ids.gamma)).external_subtitles.find((s: any) => s.path === tagged).generated, 'the scanner counts the tag');
      const taggedHash = sha(tagged);
      const g = await act({ action: 'delete_generated', item_ids: [ids.gamma] });
      assert.equal(g.refused[0].code, 'not_generated');
      assert.equal(sha(tagged), taggedHash);
      await t.ctx.settings.bulkUpdate({ subtitle_tag: '' });
    });

    test('delete_generated removes our unedited subtitle and its record; the item wants it again', async () => {
      const userHash = sha(lib.a2UserSub);
      const r = await act({ action: 'delete_generated', item_ids: [ids.a3], target_lang: 'spa' });
      assert.deepEqual(r.done[0].deleted, [lib.a3Generated]);
      assert.equal(existsSync(lib.a3Generated), false);
      assert.equal(existsSync(sidecarPath(lib.a3Generated)), false);
      const a3 = await item(ids.a3);
      assert.deepEqual(a3.external_subtitles, []);
      assert.ok(a3.wanted.some((w: any) => w.language === 'spa'));
      assert.equal(sha(lib.a2UserSub), userHash);
    });

    test('a job that finishes updates its item and publishes library.item', async () => {
      // The first job of the queue is finished as a worker does it: the subtitle written, then the job completed.
      const claimed = await claim(t.ctx.database.db, t.ctx.database.kind, { workerId: 'w-test', leaseMs: 60_000 });
      assert.ok(claimed);
      const out = claimed.file_path.replace(/\.[^.]+$/, `.${claimed.target_lang}.srt`);
      await writeSubtitleFile(out, srtText('Made by the worker'), { media: claimed.file_path, language: claimed.target_lang, model: 'test' });
      assert.ok(await complete(t.ctx.database.db, claimed.id, 'w-test', { output_path: out, segments_count: 1, processing_time_seconds: 1 }));
      events.length = 0;
      await t.ctx.library.indexer.syncJobs();
      const row = expectStatus(await t.app.inject({ url: `/api/library/items?q=${encodeURIComponent(basename(claimed.file_path))}` }), 200).items[0];
      assert.equal(row.path, claimed.file_path);
      assert.equal(row.jobs.find((j: any) => j.id === claimed.id).status, 'completed');
      assert.ok(row.external_subtitles.some((s: any) => s.path === out && s.generated), 'the new subtitle is listed as ours');
      assert.ok(!row.wanted.some((w: any) => w.language === claimed.target_lang), 'no longer wanted');
      const ev = events.filter((e) => e.event === 'library.item').map((e) => e.data as any);
      assert.ok(ev.some((e) => e.id === row.id && e.jobs.some((j: any) => j.id === claimed.id && j.status === 'completed')), 'published with the finished job');
    });

    test('redo queues a language we made again; refuses one the user made or edited', async () => {
      // Delta: its Spanish subtitle was edited since we wrote it.
      const edited = await act({ action: 'redo', item_ids: [ids.delta] });
      assert.equal(edited.refused[0].code, 'edited');
      const user = await act({ action: 'redo', item_ids: [ids.a2], target_lang: 'spa' });
      assert.equal(user.refused[0].code, 'no_generated');
      // The file the worker just finished has an unedited subtitle of ours.
      const finished = (await t.ctx.jobs.list({ status: 'completed', page: 1, pageSize: 10 })).jobs[0];
      const it = expectStatus(await t.app.inject({ url: `/api/library/items?q=${encodeURIComponent(basename(finished.file_path))}` }), 200).items[0];
      const r = await act({ action: 'redo', item_ids: [it.id] });
      assert.equal(r.done.length, 1, JSON.stringify(r));
      assert.equal(r.done[0].target_lang, finished.target_lang);
      assert.match(r.done[0].message, /replaces/);
    });

    test('ignore writes the file marker the scanner honours; unignore removes it', async () => {
      const marker = `${lib.gamma}.notranscribe`;
      const r = await act({ action: 'ignore', item_ids: [ids.gamma] });
      assert.equal(r.done.length, 1);
      assert.ok(existsSync(marker));
      let g = await item(ids.gamma);
      assert.deepEqual([g.ignored, g.ignored_by, g.wanted], [true, 'file', []]);
      assert.equal((await act({ action: 'ignore', item_ids: [ids.gamma] })).refused[0].code, 'already');
      const filtered = expectStatus(await t.app.inject({ url: '/api/library/items?filter=ignored' }), 200);
      assert.deepEqual(filtered.items.map((i: any) => i.id), [ids.gamma]);
      // The scanner's decision says so too.
      const scan = expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      assert.match(scan.decisions.find((d: any) => d.file_path === lib.gamma).reason, /notranscribe/);
      const u = await act({ action: 'unignore', item_ids: [ids.gamma] });
      assert.deepEqual(u.done[0].deleted, [marker]);
      assert.equal(existsSync(marker), false);
      g = await item(ids.gamma);
      assert.equal(g.ignored, false);
      assert.equal((await act({ action: 'unignore', item_ids: [ids.gamma] })).refused[0].code, 'already');
    });

    test('a folder marker is named by unignore, never removed', async () => {
      const folderMarker = join(lib.root, 'tv', 'Beta Show', '.notranscribe');
      writeFileSync(folderMarker, '');
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const b1 = await item(ids.b1);
      assert.deepEqual([b1.ignored, b1.ignored_by, b1.missing], [true, 'folder', false]);
      const u = await act({ action: 'unignore', item_ids: [ids.b1] });
      assert.equal(u.refused[0].code, 'marker');
      assert.match(u.refused[0].reason, /Beta Show\/\.notranscribe/);
      assert.ok(existsSync(folderMarker));
    });

    test('subtitle preview: the first cues of the item\'s own subtitle', async () => {
      const a2 = await item(ids.a2);
      const n = a2.external_subtitles.findIndex((s: any) => s.path === lib.a2UserSub);
      const p = expectStatus(await t.app.inject({ url: `/api/library/items/${ids.a2}/subtitles/${n}` }), 200);
      assert.deepEqual(p.cues, [{ start: '00:00:00,100', end: '00:00:01,000', text: 'Hola, mi propia traducción' }]);
      assert.equal(p.truncated, false);
      assert.match(expectStatus(await t.app.inject({ url: `/api/library/items/${ids.a2}/subtitles/7` }), 404).detail, /Subtitle 7 of library item/);
      assert.equal(expectStatus(await t.app.inject({ url: `/api/library/items/${ids.a2}/subtitles/-1` }), 400).code, 'validation_error');
    });

    test('an item no longer inside the library folders is refused, nothing written beside it', async () => {
      await t.ctx.settings.bulkUpdate({ library_paths: join(lib.root, 'tv') });
      try {
        const r = await act({ action: 'ignore', item_ids: [ids.gamma] });
        assert.deepEqual(r.done, []);
        assert.equal(r.refused[0].code, 'outside_library');
        assert.equal(existsSync(`${lib.gamma}.notranscribe`), false);
      } finally {
        await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      }
    });

    test('bad selections are 4xx that name the problem; nothing is done', async () => {
      assert.match((await act({ action: 'transcribe', item_ids: [ids.a1, 987654] }, 404)).detail, /Library item 987654 not found/);
      assert.match((await act({ action: 'transcribe' }, 400)).detail, /either item_ids or filter/);
      assert.match((await act({ action: 'transcribe', item_ids: [ids.a1], filter: {} }, 400)).detail, /either item_ids or filter/);
      assert.match((await act({ action: 'explode', item_ids: [ids.a1] }, 400)).detail, /action/);
      assert.match((await act({ action: 'transcribe', filter: { filter: 'nope' } }, 400)).detail, /filter must be one of/);
      assert.match((await act({ action: 'transcribe', filter: { folder: '/etc' } }, 403)).detail, /outside the library folders/);
      assert.match((await act({ action: 'transcribe', item_ids: [ids.a1], target_lang: 'xx-nope' }, 400)).detail, /Unknown language "xx-nope"/);
      assert.match((await act({ action: 'transcribe', item_ids: [ids.a1], quality_preset: 'ultra' }, 400)).detail, /Invalid quality preset "ultra"/);
    });
  });
}
