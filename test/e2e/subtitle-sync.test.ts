/**
 * Subtitle sync as a user works it on the item page, on a real film (espeak-ng
 * speech at known times, real ffmpeg and Silero VAD behind the server): a
 * subtitle 3.2 s late is "not checked yet", Check sync finds it out of sync
 * (and the one in sync in sync), "Sync to audio" previews the shift with a
 * timeline drawn in the page, Apply fixes every cue on disk within 100 ms of
 * the truth, the history lists the sync and Undo puts the original bytes
 * back; the Library's "Out of sync" tab lists the film. At 360 px the same
 * dialog fits the screen, and an Undo after the user edited the file is
 * refused with the server's reason on the page. Screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, tempDir, waitFor, type BrowserSession, type RunningServer } from './harness.ts';
import { srtOf, srtTimes, syncFilm, type SyncFilm } from '../sync/sync-media.ts';

interface Items { items: Array<{ id: number; path: string }> }

/** "3.2 s late" in a text, within 0.1 s of the 3.2 s the subtitle was moved by (the measure rounds to a tenth). */
function assertLate(text: string | null, what: string): void {
  const m = /(\d+\.\d) s late/.exec(text ?? '');
  assert.ok(m && Math.abs(Number(m[1]) - 3.2) <= 0.1 + 1e-9, `${what} says about 3.2 s late: "${text}"`);
}

async function noSideways(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what}: no sideways scrolling (${overflow} px)`);
}

/** The open sync dialog: its summary says the shift, and the timeline has speech and both cue lanes drawn. */
async function previewShown(page: Page): Promise<void> {
  const dialog = page.getByRole('dialog', { name: 'Sync to audio' });
  const summary = dialog.getByTestId('sync-summary');
  await summary.waitFor({ timeout: 60_000 });
  assertLate(await summary.textContent(), 'the preview');
  assert.match((await dialog.locator('.sync-scores').textContent()) ?? '', /\d+% now → \d+% after the sync/);
  const timeline = dialog.getByTestId('sync-timeline');
  for (const lane of ['reference', 'before', 'after']) {
    assert.ok((await timeline.locator(`[data-lane="${lane}"] rect`).count()) > 0, `the ${lane} lane is drawn`);
  }
  assert.ok((await dialog.getByTestId('sync-overview').locator('rect').count()) > 3, 'the overview of the whole film is drawn');
  // The drawing fits the dialog: nothing to scroll sideways.
  const fits = await dialog.locator('.modal-body').evaluate((el) => el.scrollWidth <= el.clientWidth);
  assert.ok(fits, 'the dialog has nothing to scroll sideways');
}

describe('subtitle sync on the item page', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession | undefined;
  let film: SyncFilm;
  let late: string;
  let original: Buffer;
  let itemId: number;

  before(async () => {
    ensureWebBuilt();
    const library = tempDir('tio-e2e-sync-');
    film = syncFilm(join(library, 'Flood (1999)'));
    late = join(film.dir, 'Flood (1999).en.srt');
    writeFileSync(late, srtOf(film.truth, 3.2));
    writeFileSync(join(film.dir, 'Flood (1999).fr.srt'), srtOf(film.truth, 0));
    original = readFileSync(late);
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('PUT', '/api/settings/library_paths', { value: library })).status, 200);
    assert.equal((await server.api('POST', '/api/scanner/scan', { dry_run: true })).status, 200);
    const item = await waitFor('the film in the index', async () => (await server.api<Items>('GET', '/api/library/items')).body.items.find((i) => i.path === film.mkv));
    itemId = item.id;
  });

  after(async () => {
    // A server that died during the test says why.
    if (server && (server.proc.exitCode !== null || server.proc.signalCode !== null)) {
      console.error(`The server ended during the test (${server.proc.exitCode ?? server.proc.signalCode}):\n${server.output().slice(-4000)}`);
    }
    await session?.close();
    await server?.stop();
  });

  test('check, preview with its timeline, apply, see the history, undo (1280 px)', async () => {
    session = await openBrowser(server.url, { width: 1280, height: 800 });
    const { page, errors } = session;
    await page.goto(`/#/library/item/${itemId}`);
    const card = page.locator('section.sync-card');
    await card.getByRole('heading', { name: 'Sync with the audio' }).waitFor();
    const row = (lang: string) => card.locator('li[data-subtitle-index]').filter({ hasText: `Flood (1999).${lang}.srt` });
    await row('en').getByTestId('sync-status').filter({ hasText: 'not checked yet' }).waitFor();

    await card.getByRole('button', { name: 'Check sync' }).click();
    await row('en').getByTestId('sync-status').filter({ hasText: /^out of sync: \d+\.\d s late$/ }).waitFor({ timeout: 60_000 });
    assertLate(await row('en').getByTestId('sync-status').textContent(), 'the status');
    assert.equal((await row('fr').getByTestId('sync-status').textContent())?.trim(), 'in sync');
    assert.deepEqual(readFileSync(late), original, 'a check writes nothing');

    await page.getByRole('button', { name: 'Sync Flood (1999).en.srt to audio' }).click();
    await previewShown(page);
    const dialog = page.getByRole('dialog', { name: 'Sync to audio' });
    assert.ok(await dialog.getByLabel('Sync to').locator('option', { hasText: 'Flood (1999).fr.srt' }).count(), 'the other subtitle can be the reference');
    await dialog.getByRole('button', { name: 'Zoom in' }).click();
    await screenshot(page, 'subtitle-sync-dialog-1280');
    assert.deepEqual(readFileSync(late), original, 'a preview writes nothing');

    await dialog.getByRole('button', { name: 'Apply' }).click();
    await page.getByText(/^Synced Flood \(1999\)\.en\.srt: \d+\.\d s late/).waitFor();
    await dialog.waitFor({ state: 'hidden' });
    const fixed = srtTimes(late);
    assert.equal(fixed.length, film.truth.length);
    fixed.forEach((c, i) => {
      assert.ok(Math.abs(c.start - film.truth[i]!.start) <= 0.1, `cue ${i + 1} starts at ${c.start}, truth ${film.truth[i]!.start}`);
      assert.ok(Math.abs(c.end - film.truth[i]!.end) <= 0.1, `cue ${i + 1} ends at ${c.end}, truth ${film.truth[i]!.end}`);
    });
    await row('en').getByTestId('sync-status').filter({ hasText: /^in sync$/ }).waitFor();
    const entry = card.getByRole('list', { name: 'Sync history' }).locator('li[data-sync-id]');
    assert.equal(await entry.count(), 1);
    assert.match((await entry.textContent()) ?? '', /Flood \(1999\)\.en\.srt/);
    assertLate(await entry.textContent(), 'the history');
    await screenshot(page, 'subtitle-sync-applied-1280');

    await entry.getByRole('button', { name: 'Undo the sync of Flood (1999).en.srt' }).click();
    await card.locator('li[data-sync-id][data-undone="true"]').waitFor();
    assert.deepEqual(readFileSync(late), original, 'Undo puts the original back byte for byte');
    await row('en').getByTestId('sync-status').filter({ hasText: /^out of sync: / }).waitFor();

    await page.goto('/#/library?filter=out_of_sync');
    await page.getByRole('tab', { name: 'Out of sync', selected: true }).waitFor();
    await page.getByRole('list', { name: 'Files' }).locator(`[data-item-id="${itemId}"]`).waitFor();
    await screenshot(page, 'library-out-of-sync-1280');
    assert.deepEqual(errors, []);
    await session.close();
    session = undefined;
  });

  test('the dialog fits 360 px; an Undo after the file was edited shows why it is refused', async () => {
    session = await openBrowser(server.url, { width: 360, height: 740 });
    const { page, errors } = session;
    await page.goto(`/#/library/item/${itemId}`);
    const card = page.locator('section.sync-card');
    await card.getByRole('heading', { name: 'Sync with the audio' }).waitFor();
    await noSideways(page, 'item page');
    await page.getByRole('button', { name: 'Sync Flood (1999).en.srt to audio' }).click();
    await previewShown(page);
    await screenshot(page, 'subtitle-sync-dialog-360');

    const dialog = page.getByRole('dialog', { name: 'Sync to audio' });
    await dialog.getByRole('button', { name: 'Apply' }).click();
    await dialog.waitFor({ state: 'hidden' });
    const open = card.locator('li[data-sync-id][data-undone="false"]');
    await open.waitFor();
    await noSideways(page, 'item page after the sync');
    await screenshot(page, 'subtitle-sync-applied-360');

    writeFileSync(late, readFileSync(late, 'utf8').replace('Then we row.', 'Then we row!'));
    await open.getByRole('button', { name: /^Undo the sync/ }).click();
    await open.getByRole('alert').filter({ hasText: /changed or removed since the sync/ }).waitFor();
    assert.match(readFileSync(late, 'utf8'), /Then we row!/, "the user's edit stays");

    await page.goto('/#/library?filter=out_of_sync');
    await page.getByRole('tab', { name: 'Out of sync', selected: true }).waitFor();
    await noSideways(page, 'the library with the Out of sync tab');
    await screenshot(page, 'library-out-of-sync-360');
    assert.deepEqual(errors, []);
  });
});
