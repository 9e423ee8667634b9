/**
 * The Library as a user works with it: browse a show to a season, queue its
 * wanted episodes, watch one complete (its badge turns from wanted to
 * generated without a reload, a real CPU worker on the generated test
 * model), preview the generated subtitle on the item page, and see what is
 * left on the Wanted page. Screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, tempDir, testModelSettings, waitFor, type BrowserSession, type RunningServer } from './harness.ts';
import { mux, speech } from '../scanner/media.ts';

interface Items { total: number; items: Array<{ id: number; file_name: string; wanted: unknown[] }> }

async function noSideways(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what}: no sideways scrolling (${overflow} px)`);
}

describe('library: browse, queue a season, watch it complete, preview', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let library: string;

  before(async () => {
    ensureWebBuilt();
    library = tempDir('tio-e2e-library-');
    const ja = speech(join(library, '..', `${library.split('/').pop()}-ja.wav`), 'ja', 'こんにちは、元気ですか');
    const ep = (s: number, e: number) => join(library, 'Anime', `Season ${String(s).padStart(2, '0')}`, `Anime S${String(s).padStart(2, '0')}E${String(e).padStart(2, '0')}.mkv`);
    mux(ep(1, 1), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(ep(1, 2), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(ep(2, 1), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(join(library, 'Movies', 'Film (2020)', 'Film (2020).mkv'), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('PUT', '/api/settings/library_paths', { value: library })).status, 200);
    assert.equal((await server.api('POST', '/api/settings/bulk-update', { settings: testModelSettings() })).status, 200);
    // Japanese audio → English: Whisper translates itself, no provider needed.
    assert.equal((await server.api('POST', '/api/scan-rules', { name: 'Japanese to English', conditions: { audio_language_is: 'jpn' }, action: { target_language: 'eng' } })).status, 201);
    // A dry run fills the index without queuing anything: the user decides in the Library.
    assert.equal((await server.api('POST', '/api/scanner/scan', { dry_run: true })).status, 200);
    await waitFor('four wanted files in the index', async () => (await server.api<Items>('GET', '/api/library/items?filter=wanted')).body.total === 4);
    assert.equal((await server.api('POST', '/api/workers', { worker_type: 'cpu' })).status < 300, true);
  });

  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('browse a show, queue a season, watch an episode complete and preview its subtitle (1280 px)', async () => {
    session = await openBrowser(server.url);
    const { page, errors } = session;
    await page.goto('/#/library');
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await page.locator('[data-item-id]').first().waitFor();
    await screenshot(page, 'library-1280');

    const tree = page.getByRole('navigation', { name: 'Browse the library' });
    await tree.getByRole('button', { name: 'Expand Anime' }).click();
    await tree.getByRole('button', { name: /^Season 1/ }).click();
    const rows = page.getByRole('list', { name: 'Files' }).locator('[data-item-id]');
    await waitFor('the two episodes of season 1', async () => (await rows.count()) === 2);
    assert.equal(await rows.locator('[data-source="wanted"][data-lang="eng"]').count(), 2, 'both want English');
    await page.getByRole('button', { name: /Queue 2 wanted files in Anime · Season 1/ }).click();
    await page.getByText('2 files queued').waitFor();

    // The first episode's badge changes while the page stays open: wanted → queued/processing → generated.
    const first = rows.filter({ hasText: 'S01E01' });
    await first.locator('[data-source="generated"][data-lang="eng"]').waitFor({ timeout: 240_000 });
    assert.equal(await first.locator('[data-source="wanted"]').count(), 0, 'no longer wanted');
    await screenshot(page, 'library-season-done-1280');

    await first.getByRole('link').first().click();
    await page.getByRole('heading', { name: 'Subtitle files' }).waitFor();
    await page.getByRole('button', { name: /^Preview Anime S01E01\..*eng/ }).click();
    const preview = page.getByTestId('subtitle-preview');
    await preview.locator('.cue-text').first().waitFor();
    assert.match((await preview.textContent()) ?? '', /\d\d:\d\d:\d\d[,.]\d{3} → /);
    await page.getByRole('heading', { name: 'Job history' }).waitFor();
    assert.equal(await page.locator('.job-history [data-job-id]').count(), 1);
    await screenshot(page, 'library-item-1280');

    await page.goto('/#/wanted');
    await page.getByRole('heading', { name: 'Wanted' }).waitFor();
    await page.getByRole('heading', { name: /Movies/ }).waitFor();
    await page.getByRole('link', { name: 'S02E01' }).waitFor();
    await screenshot(page, 'wanted-1280');
    assert.deepEqual(errors, []);
    await session.close();
  });

  test('Library, item and Wanted at 360 px', async () => {
    session = await openBrowser(server.url, { width: 360, height: 780 });
    const { page, errors } = session;
    await page.goto('/#/library');
    await page.locator('[data-item-id]').first().waitFor();
    await noSideways(page, 'library');
    await screenshot(page, 'library-360');
    await page.getByRole('button', { name: 'All files' }).first().click();
    await page.getByRole('button', { name: 'Expand Anime' }).waitFor();
    await screenshot(page, 'library-tree-360');
    const items = (await server.api<Items>('GET', '/api/library/items?q=S01E01')).body.items;
    await page.goto(`/#/library/item/${items[0]!.id}`);
    await page.getByRole('heading', { name: 'Job history' }).waitFor();
    await noSideways(page, 'item');
    await screenshot(page, 'library-item-360');
    await page.goto('/#/wanted');
    await page.getByRole('heading', { name: /Movies/ }).waitFor();
    await noSideways(page, 'wanted');
    await screenshot(page, 'wanted-360');
    // "Queue all" queues every wanted file (the rest of the show and the movie).
    await page.getByRole('button', { name: 'Queue all 2 files' }).click();
    await page.getByText('2 files queued').waitFor();
    const jobs = await server.api<{ jobs: Array<{ file_path: string }> }>('GET', '/api/jobs?page_size=50');
    assert.equal(jobs.body.jobs.length, 4, 'season 1 before, now season 2 and the movie');
    assert.deepEqual(errors, []);
    await session.close();
  });
});
