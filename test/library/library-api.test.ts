/**
 * The library index over a generated library, on real SQLite and PostgreSQL:
 * built by a real scan from the probe cache, it shows exactly the tracks and
 * subtitles present, marks a removed file missing, follows the rules at once,
 * and pages, searches and filters right.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { expectStatus } from '../api/api-helpers.js';
import { probeCount } from '../../src/scanner/ffprobe.js';
import { createLibraryFixture, type LibraryFixture } from './library-media.js';

for (const kind of databaseKinds()) {
  describe(`library index (${kind})`, () => {
    let t: TestApp;
    let lib: LibraryFixture;
    let jpnRule: number;
    let engRule: number;
    before(async () => {
      lib = await createLibraryFixture();
      t = await createTestApp(kind);
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root });
      jpnRule = (await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa', quality_preset: 'balanced' } })).id;
      engRule = (await t.ctx.rules.create({ name: 'Not English to English', priority: 1, conditions: { audio_language_not: 'eng' }, action: { target_language: 'eng', quality_preset: 'fast' } })).id;
      // A dry run indexes without queuing; then the file "gone" disappears and a second dry run finds it missing.
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      rmSync(lib.gone);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
    });
    after(async () => t?.close());

    const get = async (url: string, status = 200) => expectStatus(await t.app.inject({ url }), status);
    const items = async (qs = '') => get(`/api/library/items?page_size=200${qs ? `&${qs}` : ''}`);
    const byPath = async (p: string) => (await items()).items.find((i: any) => i.path === p);
    const names = (page: any) => page.items.map((i: any) => basename(i.path)).sort();

    test('every analysed file is indexed once, with its parsed title', async () => {
      const page = await items();
      assert.equal(page.total, 7);
      assert.equal(page.items.length, 7);
      const a1 = page.items.find((i: any) => i.path === lib.a1);
      assert.deepEqual([a1.kind, a1.show, a1.season, a1.episode, a1.folder, a1.root], ['episode', 'Alpha Show', 1, 1, dirname(lib.a1), lib.root]);
      const b1 = page.items.find((i: any) => i.path === lib.b1);
      assert.deepEqual([b1.kind, b1.show, b1.season, b1.episode], ['episode', 'Beta Show', 1, 1]);
      const gamma = page.items.find((i: any) => i.path === lib.gamma);
      assert.deepEqual([gamma.kind, gamma.title, gamma.year, gamma.show], ['movie', 'Gamma Movie', 2019, null]);
      assert.ok(gamma.size > 0 && gamma.duration_seconds > 1 && gamma.is_video);
    });

    test('tracks and subtitles are exactly those present', async () => {
      const a1 = await byPath(lib.a1);
      assert.deepEqual(a1.audio_tracks.map((a: any) => [a.index, a.language, a.default, a.codec]), [[0, 'jpn', true, 'aac'], [1, 'eng', false, 'aac']]);
      assert.deepEqual(a1.embedded_subtitles.map((s: any) => [s.language, s.forced, s.codec, s.title]), [['eng', false, 'subrip', 'Full']]);
      assert.deepEqual(a1.external_subtitles, []);
      const a2 = await byPath(lib.a2);
      assert.deepEqual(a2.external_subtitles.map((s: any) => [s.file_name, s.language, s.generated, s.forced, s.sdh]), [[basename(lib.a2UserSub), 'spa', false, false, false]]);
      const a3 = await byPath(lib.a3);
      assert.deepEqual(a3.external_subtitles.map((s: any) => [s.file_name, s.language, s.generated]), [[basename(lib.a3Generated), 'spa', true]]);
      const b1 = await byPath(lib.b1);
      assert.deepEqual(b1.embedded_subtitles.map((s: any) => [s.language, s.forced]), [['spa', true]]);
      const gamma = await byPath(lib.gamma);
      assert.deepEqual(gamma.external_subtitles.map((s: any) => [s.language, s.generated]), [['eng', false]]);
    });

    test('a file removed after the scan is marked missing, not dropped', async () => {
      const gone = await byPath(lib.gone);
      assert.equal(gone.missing, true);
      assert.deepEqual(gone.wanted, []);
      const missing = await items('filter=missing');
      assert.deepEqual(names(missing), [basename(lib.gone)]);
      assert.equal((await byPath(lib.gamma)).missing, false);
    });

    test('wanted follows the scanner\'s decision per rule, with the rule\'s reason', async () => {
      const a1 = await byPath(lib.a1);
      assert.deepEqual(a1.wanted.map((w: any) => [w.language, w.rule_name, w.quality_preset, w.audio_language]), [['spa', 'Japanese to Spanish', 'balanced', 'jpn']]);
      // The scanner's own reason for a job (its wording belongs to the rules engine).
      assert.match(a1.wanted[0].reason, /rule "Japanese to Spanish"/);
      // The user's Spanish subtitle satisfies the Spanish rule; English is still wanted.
      assert.deepEqual((await byPath(lib.a2)).wanted.map((w: any) => w.language), ['eng']);
      assert.deepEqual((await byPath(lib.a3)).wanted.map((w: any) => w.language), ['eng']);
      const b1 = await byPath(lib.b1);
      assert.deepEqual(b1.wanted, []);
      assert.ok(b1.decision, 'a reason is given when nothing is wanted');
      assert.deepEqual((await byPath(lib.gamma)).wanted, [], 'its English subtitle exists');
      assert.deepEqual((await byPath(lib.delta)).wanted.map((w: any) => w.language), ['eng']);
      const wanted = await items('filter=wanted');
      assert.deepEqual(names(wanted), [lib.a1, lib.a2, lib.a3, lib.delta].map((p) => basename(p)).sort());
      assert.deepEqual(names(await items('filter=wanted&language=spa')), [basename(lib.a1)]);
      assert.equal(wanted.wanted_pending, false);
    });

    test('a rule disabled or edited changes wanted at once', async () => {
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/scan-rules/${engRule}/toggle` }), 200);
      let wanted = await items('filter=wanted');
      assert.deepEqual(names(wanted), [basename(lib.a1)]);
      assert.deepEqual((await get(`/api/library/items/${(await byPath(lib.a2)).id}`)).wanted, []);
      // The Spanish rule now makes French subtitles: a1, a2 and a3 (no French anywhere) want them.
      expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${jpnRule}`, payload: { action: { target_language: 'fra' } } }), 200);
      wanted = await items('filter=wanted&language=fre');
      assert.deepEqual(names(wanted), [lib.a1, lib.a2, lib.a3].map((p) => basename(p)).sort());
      const tree = await get('/api/library/tree');
      assert.equal(tree.totals.wanted, 3);
      // Back as they were.
      expectStatus(await t.app.inject({ method: 'PUT', url: `/api/scan-rules/${jpnRule}`, payload: { action: { target_language: 'spa' } } }), 200);
      expectStatus(await t.app.inject({ method: 'POST', url: `/api/scan-rules/${engRule}/toggle` }), 200);
      assert.equal((await items('filter=wanted')).total, 4);
    });

    test('a rule another server edits (straight in the shared database) changes wanted on the next read', async () => {
      const before = await items('filter=wanted');
      assert.equal(before.total, 4);
      const db = t.ctx.database.db;
      // Not through this process's rules service: as another node would write it.
      await db.updateTable('scan_rules').set({ enabled: 0, updated_at: new Date(Date.now() + 1000).toISOString() }).where('id', '=', engRule).execute();
      assert.deepEqual(names(await items('filter=wanted')), [basename(lib.a1)]);
      await db.updateTable('scan_rules').set({ enabled: 1, updated_at: new Date(Date.now() + 2000).toISOString() }).where('id', '=', engRule).execute();
      assert.equal((await items('filter=wanted')).total, 4);
    });

    test('the generated filter lists files with our subtitles (the record proves it, edited or not)', async () => {
      assert.deepEqual(names(await items('filter=generated')), [basename(lib.a3), basename(lib.delta)].sort());
      assert.deepEqual(names(await items('filter=generated&language=spa')), [basename(lib.a3), basename(lib.delta)].sort());
      assert.equal((await items('filter=generated&language=eng')).total, 0);
    });

    test('pagination: pages of the title order, total on each', async () => {
      const all = await items();
      const order = all.items.map((i: any) => i.id);
      const seen: number[] = [];
      for (let p = 1; p <= 4; p++) {
        const page = await get(`/api/library/items?page=${p}&page_size=2`);
        assert.equal(page.total, 7);
        assert.equal(page.page, p);
        assert.equal(page.items.length, p < 4 ? 2 : 1);
        seen.push(...page.items.map((i: any) => i.id));
      }
      assert.deepEqual(seen, order);
      // Shows by season and episode: Alpha S01E01, S01E02, S02E01 come in that order.
      const alpha = (await items('show=Alpha%20Show')).items.map((i: any) => [i.season, i.episode]);
      assert.deepEqual(alpha, [[1, 1], [1, 2], [2, 1]]);
      const bySize = (await items('sort=-size')).items.map((i: any) => i.size);
      assert.deepEqual(bySize, [...bySize].sort((a, b) => b - a));
      assert.equal((await get('/api/library/items?page=9&page_size=2')).items.length, 0);
    });

    test('search matches title, show and path; filters combine', async () => {
      assert.deepEqual(names(await items('q=alpha%20s01e02')), [basename(lib.a2)]);
      assert.deepEqual(names(await items('q=GAMMA')), [basename(lib.gamma)]);
      assert.deepEqual(names(await items('q=2021')), [basename(lib.delta)]);
      assert.equal((await items('q=movies')).total, 3, 'the path matches too');
      assert.equal((await items('q=100%25')).total, 0, 'punctuation is no wildcard');
      assert.deepEqual(names(await items('q=alph%20show%20s01')), [basename(lib.a1), basename(lib.a2)].sort(), 'words match by their beginning');
      assert.deepEqual(names(await items(`folder=${encodeURIComponent(join(lib.root, 'tv', 'Alpha Show'))}&filter=wanted&language=eng`)), [basename(lib.a2), basename(lib.a3)].sort());
      assert.deepEqual(names(await items('show=Alpha%20Show&season=2')), [basename(lib.a3)]);
      assert.deepEqual(names(await items('kind=movie&language=fre')), [basename(lib.delta)]);
      assert.equal((await items('language=jpn')).total, 3);
    });

    test('the tree: library folder, shows with seasons, movies, subfolders, with counts', async () => {
      const tree = await get('/api/library/tree');
      assert.deepEqual(tree.totals, { files: 6, wanted: 4, generated: 2, failed: 0, missing: 1, needs_review: 0 });
      assert.deepEqual(tree.roots.map((r: any) => [r.path, r.files]), [[lib.root, 6]]);
      assert.deepEqual(tree.shows.map((s: any) => [s.show, s.files, s.wanted, s.seasons.map((x: any) => [x.season, x.files, x.wanted, x.generated])]), [
        ['Alpha Show', 3, 3, [[1, 2, 2, 0], [2, 1, 1, 1]]],
        ['Beta Show', 1, 0, [[1, 1, 0, 0]]],
      ]);
      assert.deepEqual([tree.movies.files, tree.movies.missing, tree.movies.wanted], [2, 1, 1]);
      assert.deepEqual(tree.folders.map((f: any) => [basename(f.path), f.files]), [['movies', 2], ['tv', 4]]);
      const tv = await get(`/api/library/tree?folder=${encodeURIComponent(join(lib.root, 'tv'))}`);
      assert.deepEqual(tv.folders.map((f: any) => [basename(f.path), f.files, f.wanted]), [['Alpha Show', 3, 3], ['Beta Show', 1, 0]]);
      // The tree of a folder counts only what lies in it.
      assert.deepEqual(tv.totals, { files: 4, wanted: 3, generated: 1, failed: 0, missing: 0, needs_review: 0 });
      assert.deepEqual(tv.roots.map((r: any) => [r.path, r.files]), [[lib.root, 4]]);
      assert.deepEqual(tv.shows.map((s: any) => s.show), ['Alpha Show', 'Beta Show']);
      assert.deepEqual([tv.movies.files, tv.movies.missing], [0, 0]);
      const alpha = await get(`/api/library/tree?folder=${encodeURIComponent(join(lib.root, 'tv', 'Alpha Show'))}`);
      assert.deepEqual(alpha.shows.map((s: any) => [s.show, s.files]), [['Alpha Show', 3]]);
      assert.deepEqual(alpha.totals.files, 3);
    });

    test('pages never probe: the index is read, not the files', async () => {
      const before = probeCount();
      await items();
      await get('/api/library/tree');
      await get(`/api/library/items/${(await byPath(lib.a1)).id}`);
      assert.equal(probeCount(), before);
    });

    test('bad input is a 4xx that names it', async () => {
      assert.match((await get('/api/library/items?filter=everything', 400)).detail, /filter must be one of .*"everything"/);
      assert.match((await get('/api/library/items?sort=colour', 400)).detail, /sort must be one of/);
      assert.match((await get('/api/library/items?language=klingonish', 400)).detail, /Unknown language "klingonish"/);
      assert.match((await get('/api/library/items?kind=song', 400)).detail, /kind must be one of/);
      assert.match((await get('/api/library/items?folder=%2Fetc', 403)).detail, /\/etc is outside the library folders/);
      assert.match((await get('/api/library/items?folder=relative%2Fpath', 400)).detail, /absolute/);
      assert.match((await get('/api/library/items?page_size=1000', 400)).detail, /page_size/);
      assert.match((await get('/api/library/items/999999', 404)).detail, /Library item 999999 not found/);
      assert.match((await get('/api/library/tree?folder=%2Fproc', 403)).detail, /proc/);
    });
  });
}
