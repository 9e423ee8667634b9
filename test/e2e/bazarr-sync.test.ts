/**
 * The Bazarr Wanted sync card in Settings > Bazarr and other clients: Sync
 * now against a fake Bazarr (test/integrations/fake-bazarr.ts), the last
 * sync's figures and the reasons a wanted subtitle was not made.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { join } from 'node:path';
import { browserSkip, ensureWebBuilt, makeMovie, openBrowser, screenshot, startServer, tempDir, type BrowserSession, type RunningServer } from './harness.ts';
import { fakeBazarr, type FakeBazarr } from '../integrations/fake-bazarr.ts';

describe('Bazarr Wanted sync card', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let bazarr: FakeBazarr;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    bazarr = await fakeBazarr();
    const lib = tempDir('tio-e2e-bazarr-');
    makeMovie(join(lib, 'Film'), 'Film.mkv');
    bazarr.movies.push({ radarrId: 1, title: 'Film', path: join(lib, 'Film', 'Film.mkv'), audio: ['English'], missing: ['en', 'de'], tags: [] });
    bazarr.episodes.push({ sonarrSeriesId: 2, sonarrEpisodeId: 20, seriesTitle: 'A Show With A Rather Long Name', season: 1, episode: 2, title: 'Second', path: '/elsewhere/Show/S01E02.mkv', audio: ['English'], missing: ['fr'], tags: [] });
    const put = await server.api('POST', '/api/settings/bulk-update', { settings: { library_paths: lib, bazarr_url: bazarr.url, bazarr_sync_api_key: bazarr.apiKey } });
    assert.ok(put.status < 300, JSON.stringify(put.body));
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
    await bazarr?.close();
  });

  test('Sync now shows what was queued and why the rest was not', async () => {
    const { page } = session;
    await page.goto('/#/settings/provider');
    const card = page.locator('[data-key="bazarr-sync"]');
    await card.getByText('Not synced yet.').waitFor();
    await card.getByRole('button', { name: 'Sync now' }).click();
    await card.getByText(/Last sync .*: 3 wanted, 1 queued, 0 uploaded, 2 not made\./).waitFor();
    await card.getByText(/Wanted subtitles: 1 being made/).waitFor();
    await card.getByText(/Why 2 wanted subtitles were not made/).click();
    await card.getByText(/German subtitles need a translation provider/).waitFor();
    await card.getByText(/outside the library folders/).waitFor();
    await card.scrollIntoViewIfNeeded();
    await screenshot(page, 'settings-bazarr-sync-1280');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(400);
    await screenshot(page, 'settings-bazarr-sync-360');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no sideways scrolling at 360 px (${overflow} px)`);
    assert.deepEqual(session.errors, []);
  });
});
