/**
 * Subtitle sync through the API on a real MKV (espeak-ng speech at known
 * times), real ffmpeg and real Silero VAD, on SQLite and PostgreSQL:
 *
 * - a subtitle 3.2 s late: the preview proposes the shift and writes
 *   nothing; apply fixes every cue within 100 ms of the truth, changes only
 *   the timestamps and keeps the original, which Undo puts back;
 * - a subtitle in sync is never touched, even when apply is asked;
 * - the read-only check marks the late subtitle out of sync and the good
 *   one in sync without changing either file (hashes), and the library's
 *   out_of_sync filter lists the film;
 * - a subtitle edited after a sync is the user's: Undo refuses, the original stays kept.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { expectStatus } from '../api/api-helpers.js';
import { srtOf, srtTimes, syncFilm, type SyncFilm } from './sync-media.js';

const sha = (p: string) => createHash('sha256').update(readFileSync(p)).digest('hex');

for (const kind of databaseKinds()) {
  describe(`subtitle sync API (${kind})`, () => {
    let t: TestApp;
    let film: SyncFilm;
    let root: string;
    let late: string;
    let good: string;
    let itemId: number;
    let lateIndex: number;
    let goodIndex: number;

    before(async () => {
      root = mkdtempSync(join(tmpdir(), 'tio-sync-lib-'));
      film = syncFilm(join(root, 'movies', 'Flood (1999)'));
      late = join(film.dir, 'Flood (1999).en.srt');
      good = join(film.dir, 'Flood (1999).fr.srt');
      writeFileSync(late, srtOf(film.truth, 3.2));
      writeFileSync(good, srtOf(film.truth, 0));
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: root });
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const page = expectStatus(await t.app.inject({ url: '/api/library/items?page_size=50' }), 200);
      const item = page.items.find((i: any) => i.path === film.mkv);
      assert.ok(item, 'the film is indexed');
      itemId = item.id;
      lateIndex = item.external_subtitles.findIndex((s: any) => s.path === late);
      goodIndex = item.external_subtitles.findIndex((s: any) => s.path === good);
      assert.ok(lateIndex >= 0 && goodIndex >= 0, 'both subtitles are listed');
    });
    after(async () => {
      await t?.close();
      rmSync(root, { recursive: true, force: true });
    });

    const syncOf = async (n: number, payload: object = {}) => t.app.inject({ method: 'POST', url: `/api/library/items/${itemId}/subtitles/${n}/sync`, payload });

    test('the read-only check marks the late subtitle out of sync and the good one in sync, changing neither', async () => {
      const before = [sha(late), sha(good)];
      const run = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/sync-check', payload: { item_ids: [itemId] } }), 200);
      assert.equal(run.checked, 2);
      assert.equal(run.out_of_sync, 1);
      assert.deepEqual([sha(late), sha(good)], before, 'detection writes nothing');
      const state = expectStatus(await t.app.inject({ url: `/api/library/items/${itemId}/sync` }), 200);
      assert.equal(state.speech_known, true);
      const lateCheck = state.checks.find((c: any) => c.external_index === lateIndex);
      const goodCheck = state.checks.find((c: any) => c.external_index === goodIndex);
      assert.equal(lateCheck.out_of_sync, true);
      assert.ok(Math.abs(lateCheck.offset_seconds + 3.2) < 0.1, `offset ${lateCheck.offset_seconds}`);
      assert.equal(goodCheck.verdict, 'in_sync');
      assert.equal(goodCheck.out_of_sync, false);
      const listed = expectStatus(await t.app.inject({ url: '/api/library/items?filter=out_of_sync' }), 200);
      assert.deepEqual(listed.items.map((i: any) => i.id), [itemId]);
    });

    test('preview proposes the shift and writes nothing; apply fixes every cue within 100 ms and keeps the original; Undo restores it', async () => {
      const original = readFileSync(late);
      const preview = expectStatus(await syncOf(lateIndex), 200);
      assert.equal(preview.verdict, 'fix');
      assert.equal(preview.applied, false);
      assert.ok(Math.abs(preview.offset_seconds + 3.2) < 0.1, `offset ${preview.offset_seconds}`);
      assert.ok(preview.score_after > preview.score_before);
      assert.equal(preview.timeline.before.length, film.truth.length);
      assert.ok(preview.timeline.reference.length > 0);
      assert.deepEqual(readFileSync(late), original, 'a preview writes nothing');

      const applied = expectStatus(await syncOf(lateIndex, { apply: true, sha256: preview.sha256 }), 200);
      assert.equal(applied.applied, true);
      assert.ok(applied.sync_id > 0);
      const fixed = srtTimes(late);
      assert.equal(fixed.length, film.truth.length);
      fixed.forEach((c, i) => {
        assert.ok(Math.abs(c.start - film.truth[i].start) <= 0.1, `cue ${i + 1} starts at ${c.start}, truth ${film.truth[i].start}`);
        assert.ok(Math.abs(c.end - film.truth[i].end) <= 0.1, `cue ${i + 1} ends at ${c.end}, truth ${film.truth[i].end}`);
      });
      const strip = (s: string) => s.replace(/\d\d:\d\d:\d\d,\d\d\d/g, 'T');
      assert.equal(strip(readFileSync(late, 'utf8')), strip(original.toString('utf8')), 'only the timestamps changed (text and <i> tags kept)');
      assert.deepEqual(readFileSync(applied.backup), original, 'the original is kept under the data folder');

      const state = expectStatus(await t.app.inject({ url: `/api/library/items/${itemId}/sync` }), 200);
      assert.equal(state.syncs[0].id, applied.sync_id);
      assert.equal(state.syncs[0].undone_at, null);
      assert.equal(state.checks.find((c: any) => c.external_index === lateIndex)?.out_of_sync, false, 'the fixed subtitle measures in sync');

      const undone = expectStatus(await t.app.inject({ method: 'POST', url: `/api/library/items/${itemId}/syncs/${applied.sync_id}/undo` }), 200);
      assert.ok(undone.undone_at);
      assert.deepEqual(readFileSync(late), original, 'Undo puts the original back byte for byte');
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/library/items/${itemId}/syncs/${applied.sync_id}/undo` }), 409);
    });

    test('a subtitle in sync is left byte for byte, even when apply is asked', async () => {
      const before = sha(good);
      const r = expectStatus(await syncOf(goodIndex, { apply: true }), 200);
      assert.equal(r.verdict, 'in_sync');
      assert.equal(r.applied, false);
      assert.equal(sha(good), before);
    });

    test('apply with a stale preview hash is a 409, and an edit after a sync makes Undo refuse', async () => {
      const preview = expectStatus(await syncOf(lateIndex), 200);
      const edited = readFileSync(late, 'utf8').replace('Where is the boat?', 'Where is my boat?');
      writeFileSync(late, edited);
      const stale = await syncOf(lateIndex, { apply: true, sha256: preview.sha256 });
      assert.equal(stale.statusCode, 409);
      assert.match(stale.json().detail, /changed since the preview/);

      const applied = expectStatus(await syncOf(lateIndex, { apply: true }), 200);
      assert.equal(applied.applied, true);
      writeFileSync(late, readFileSync(late, 'utf8').replace('Then we row.', 'Then we row!'));
      const refused = await t.app.inject({ method: 'POST', url: `/api/library/items/${itemId}/syncs/${applied.sync_id}/undo` });
      assert.equal(refused.statusCode, 409);
      assert.match(refused.json().detail, /changed or removed since the sync/);
      assert.ok(existsSync(applied.backup), 'the original stays kept');
      assert.match(readFileSync(late, 'utf8'), /Then we row!/, "the user's edit stays");
    });

    test('bad requests name the problem', async () => {
      const own = await syncOf(lateIndex, { reference_subtitle: lateIndex });
      assert.equal(own.statusCode, 400);
      assert.match(own.json().detail, /its own reference/);
      const missing = await syncOf(9);
      assert.equal(missing.statusCode, 404);
      const lang = await syncOf(lateIndex, { audio_language: 'klingonese' });
      assert.equal(lang.statusCode, 400);
    });

    test("a sync named by paths (Bazarr's post-processing) previews like the item route; paths outside the library are refused", async () => {
      writeFileSync(late, srtOf(film.truth, 3.2));
      const r = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/sync', payload: { media: film.mkv, subtitle: late } }), 200);
      assert.equal(r.verdict, 'fix');
      assert.equal(r.applied, false);
      assert.ok(Math.abs(r.offset_seconds + 3.2) < 0.1);
      const outside = await t.app.inject({ method: 'POST', url: '/api/library/sync', payload: { media: film.mkv, subtitle: '/etc/passwd' } });
      assert.equal(outside.statusCode, 403);
      const noKey = await t.app.inject({ method: 'POST', url: '/api/library/sync', payload: { media: film.mkv, subtitle: late }, headers: { host: 'mybox:8000' } });
      assert.equal(noKey.statusCode, 401);
    });

    test('another subtitle can be the reference instead of the audio', async () => {
      writeFileSync(late, srtOf(film.truth, -7.5));
      const r = expectStatus(await syncOf(lateIndex, { reference_subtitle: goodIndex }), 200);
      assert.equal(r.reference, 'file');
      assert.equal(r.verdict, 'fix');
      assert.ok(Math.abs(r.offset_seconds - 7.5) < 0.05, `offset ${r.offset_seconds}`);
    });
    test('a rule that keeps its language in sync has the check fix an out-of-sync subtitle, and an Undo sticks', async () => {
      // A subtitle nobody undid a sync of (the earlier tests undid the .en.srt's).
      rmSync(late);
      late = join(film.dir, 'Flood (1999).eng.srt');
      writeFileSync(late, srtOf(film.truth, 3.2));
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const original = readFileSync(late);
      const rule = expectStatus(await t.app.inject({
        method: 'POST', url: '/api/scan-rules',
        payload: { name: 'Keep English in sync', conditions: {}, action: { target_language: 'eng', sync_external_subtitles: true } },
      }), 201);
      assert.equal(rule.action.sync_external_subtitles, true);
      const run = expectStatus(await t.app.inject({ method: 'POST', url: '/api/library/sync-check', payload: { item_ids: [itemId] } }), 200);
      assert.equal(run.out_of_sync, 0, 'fixed by the rule, the subtitle measures in sync');
      srtTimes(late).forEach((c, i) => assert.ok(Math.abs(c.start - film.truth[i].start) <= 0.1, `cue ${i + 1}`));
      const state = expectStatus(await t.app.inject({ url: `/api/library/items/${itemId}/sync` }), 200);
      const sync = state.syncs.find((x: any) => x.subtitle === late && x.undone_at === null);
      assert.ok(sync, 'the automatic sync is listed with Undo');
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/library/items/${itemId}/syncs/${sync.id}/undo` }), 200);
      assert.deepEqual(readFileSync(late), original, 'Undo sticks: the check that follows does not sync the file again');
      expectStatus(await t.app.inject({ method: 'DELETE', url: `/api/scan-rules/${rule.id}` }), 200);
    });
  });
}
