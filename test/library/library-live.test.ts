/**
 * The index kept current without a rescan, on real SQLite and PostgreSQL: the
 * watcher (chokidar) adds an arriving file and marks a deleted one missing, a
 * real scan's jobs show on their items through the background poller, skip
 * settings change wanted at once, and a rescan of an unchanged library
 * writes nothing.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { databaseKinds } from '../helpers/db.js';
import { expectStatus } from '../api/api-helpers.js';
import type { HubEvent } from '../../src/events/event-hub.js';
import { startBackground } from '../../src/core/background.js';
import { createLibraryFixture, type LibraryFixture } from './library-media.js';
import { waitFor } from '../helpers/wait.js';


for (const kind of databaseKinds()) {
  describe(`library index kept live (${kind})`, () => {
    let t: TestApp;
    let lib: LibraryFixture;
    const events: HubEvent[] = [];
    before(async () => {
      lib = await createLibraryFixture();
      t = await createTestApp(kind);
      t.ctx.events.on('event', (e: HubEvent) => events.push(e));
      await t.ctx.settings.bulkUpdate({ library_paths: lib.root, watcher_stable_seconds: 1 });
      await t.ctx.rules.create({ name: 'Japanese to Spanish', priority: 10, conditions: { audio_language_is: 'jpn' }, action: { target_language: 'spa' } });
    });
    after(async () => t?.close());

    const items = async (qs = '') => expectStatus(await t.app.inject({ url: `/api/library/items?page_size=200${qs ? `&${qs}` : ''}` }), 200);
    const itemAt = async (p: string) => (await items()).items.find((i: any) => i.path === p);

    test('a real scan indexes every file and its queued jobs show on the items', async () => {
      const background = t.ctx.background.filter((c) => c.name === 'library');
      await startBackground(background, t.ctx.log);
      const r = expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan' }), 200);
      assert.equal(r.jobs_created, 1, 'a1 is the only file without Spanish');
      const a1 = await waitFor('the queued job on a1', async () => {
        const it = await itemAt(lib.a1);
        return it?.jobs.length ? it : null;
      });
      assert.deepEqual(a1.jobs.map((j: any) => [j.target_lang, j.status]), [['spa', 'queued']]);
      assert.deepEqual(a1.wanted.map((w: any) => w.language), ['spa'], 'still wanted while the job waits');
    });

    test('a rescan of an unchanged library writes nothing', async () => {
      const before = (await items()).items.map((i: any) => [i.id, i.updated_at]);
      expectStatus(await t.app.inject({ method: 'POST', url: '/api/scanner/scan', payload: { dry_run: true } }), 200);
      const after = (await items()).items.map((i: any) => [i.id, i.updated_at]);
      assert.deepEqual(after, before);
    });

    test('a skip setting changes wanted at once', async () => {
      await t.ctx.settings.bulkUpdate({ skip_if_audio_languages: 'jpn' });
      const a1 = await itemAt(lib.a1);
      assert.deepEqual(a1.wanted, []);
      assert.match(a1.decision, /skip_if_audio_languages/);
      assert.equal((await items('filter=wanted')).total, 0);
      await t.ctx.settings.bulkUpdate({ skip_if_audio_languages: '' });
      assert.equal((await items('filter=wanted')).total, 1);
    });

    test('the watcher adds an arriving file and marks a deleted one missing', async () => {
      await t.ctx.settings.bulkUpdate({ watcher_enabled: true });
      await t.ctx.scanner.resume();
      assert.ok(t.ctx.scanner.watcher.isRunning());
      const arriving = join(lib.root, 'tv', 'Alpha Show', 'Season 02', 'Alpha Show - S02E02.mkv');
      events.length = 0;
      copyFileSync(lib.a3, arriving);
      const added = await waitFor('the new episode in the index', () => itemAt(arriving));
      assert.deepEqual([added.show, added.season, added.episode, added.missing], ['Alpha Show', 2, 2, false]);
      assert.ok(events.some((e) => e.event === 'library.item' && (e.data as any).path === arriving), 'published as library.item');
      rmSync(lib.gamma);
      const gone = await waitFor('gamma marked missing', async () => {
        const it = await itemAt(lib.gamma);
        return it?.missing ? it : null;
      });
      assert.deepEqual(gone.wanted, []);
      await t.ctx.scanner.watcher.stop();
    });
  });
}
