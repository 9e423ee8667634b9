/**
 * The setup wizard ends ready to work: a rule that would need a translation
 * provider is flagged with the way out (→ English by Whisper), the model step
 * shows the recommendation and the model folder as an absolute path, a ggml
 * file on the server is picked with the path browser, a failed download keeps
 * its reason on screen, and the last step scans now and leads to the queue,
 * where the job completes with the picked model. The Models page then marks
 * the recommended model and the bundled Silero VAD.
 */
import assert from 'node:assert/strict';
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureTestModel, ensureWebBuilt, makeMovie, openBrowser, screenshot, startServer, tempDir, waitFor, type BrowserSession, type RunningServer } from './harness.ts';

const MOVIE = 'Wizard Movie (2024).mkv';

/** Screenshots at 1280 and 360 px wide, with no sideways scrolling at either. */
async function shots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 860 });
    await page.waitForTimeout(400);
    await screenshot(page, `${name}-${width}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    const wide = await page.evaluate(() => [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1).slice(0, 5).map((e) => `${e.tagName}.${e.className}`).join(', '));
    assert.ok(overflow <= 1, `${name}: no sideways scrolling at ${width} px (${overflow} px: ${wide})`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });
}

describe('setup wizard: translation warning, model step, scan now', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let root: string;
  let library: string;
  let picked: string;

  before(async () => {
    ensureWebBuilt();
    root = tempDir('tio-e2e-wizard-');
    library = join(root, 'library');
    makeMovie(join(library, 'Wizard Movie (2024)'), MOVIE);
    mkdirSync(join(root, 'downloads'));
    picked = join(root, 'downloads', 'ggml-mine.bin');
    copyFileSync(ensureTestModel(), picked);
    // Downloads go to a closed port, so a download fails at once with a reason.
    server = await startServer({ env: { TRANSCRIPTORIO_MODEL_BASE_URL: 'http://127.0.0.1:9/models' } });
    // Arranged through the API: an empty model folder of its own, and the test folder browsable.
    await server.api('PUT', '/api/settings/model_path', { value: join(root, 'models') });
    await server.api('PUT', '/api/settings/browse_roots', { value: root });
    await server.api('PUT', '/api/settings/vad_enabled', { value: 'false' });
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
    if (root) rmSync(root, { recursive: true, force: true });
  });

  test('a Japanese → Spanish rule warns that it needs a translation provider and offers English', async () => {
    const { page } = session;
    await page.goto('/');
    await page.getByRole('button', { name: /standalone/i }).click();
    await page.getByLabel('Add to Library folders').fill(library);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'First rules' }).waitFor();
    await page.locator('#wr-audio-0').selectOption('jpn');
    await page.locator('#wr-target-0').selectOption('spa');
    const warning = page.locator('.rule-warning');
    await warning.waitFor();
    assert.match(await warning.innerText(), /needs a translation provider/);
    await shots(page, 'wizard-rules-translation-warning');
    await page.getByRole('button', { name: 'Set up a translation provider' }).click();
    await page.getByLabel('Provider').waitFor();
    await page.getByRole('button', { name: /English instead \(Whisper translate\)/ }).click();
    assert.equal(await page.locator('#wr-target-0').inputValue(), 'eng');
    assert.equal(await warning.count(), 0, 'the warning is gone with an English target');
    assert.match(await page.locator('.rule-meaning').innerText(), /Japanese .*English subtitles/);
    await page.locator('#wr-audio-0').selectOption('');
    await page.getByRole('button', { name: 'Next' }).click();
  });

  test('the model step recommends a model, shows the model folder, keeps a failed download’s reason, and picks a file', async () => {
    const { page } = session;
    await page.getByLabel('Worker type').selectOption('cpu');
    await page.getByLabel('Number of workers').fill('1');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('heading', { name: 'Model', exact: true }).waitFor();
    const rec = page.getByTestId('model-recommendation');
    await rec.waitFor();
    assert.match(await rec.innerText(), /Recommended for this machine: (small|base)\./);
    assert.equal(await page.getByTestId('model-dir').innerText(), join(root, 'models'), 'the model folder as an absolute path');
    await shots(page, 'wizard-model-step');

    await page.getByRole('button', { name: /Download .* now/ }).click();
    const err = page.locator('.model-step .field-error');
    await err.waitFor({ timeout: 30_000 });
    assert.match(await err.innerText(), /download of .* failed: .+/i);
    const errBox = await err.boundingBox();
    assert.ok(errBox && errBox.x + errBox.width <= 1280, 'the reason fits the viewport');
    await shots(page, 'wizard-model-download-failed');

    await page.getByRole('button', { name: 'Browse for model file' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('button', { name: 'Open folder downloads' }).click();
    await dialog.getByRole('button', { name: 'Choose file ggml-mine.bin' }).click();
    assert.equal(await page.locator('#wizard-model-file').inputValue(), picked);
    await page.getByText('Jobs will use:').getByText('ggml-mine.bin').waitFor();
    assert.equal(await page.getByRole('radio', { name: /ggml-mine\.bin/ }).isChecked(), true, 'the picked file is the chosen model');
    await shots(page, 'wizard-model-picked');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel(/scan the library every/i).fill('360');
    await page.getByRole('button', { name: 'Finish setup' }).click();
  });

  test('setup ends with Scan now and a way to the queue, where the job completes with the picked model', { timeout: 240_000 }, async () => {
    const { page } = session;
    await page.getByRole('heading', { name: 'Ready to work' }).waitFor();
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/whisper_model')).body.value, picked);
    await page.getByRole('button', { name: 'Scan now' }).click();
    await page.getByRole('status').filter({ hasText: /Scan done: 1 media file found, 1 job created/ }).waitFor({ timeout: 60_000 });
    await shots(page, 'wizard-ready');
    await page.getByRole('link', { name: 'Open the queue' }).click();
    const row = page.locator('tr', { hasText: MOVIE });
    await row.waitFor();
    const final = await waitFor('the job to finish', async () => {
      const st = await row.getAttribute('data-status');
      return st === 'completed' || st === 'failed' ? st : null;
    }, 200_000);
    assert.equal(final, 'completed', `the job failed: ${await row.textContent()}`);
    assert.deepEqual(session.errors, []);
  });

  test('setup opened again changes nothing until the changes are confirmed', async () => {
    const { page } = session;
    const before = (await server.api<{ value: string }>('GET', '/api/settings/library_paths')).body.value;
    await page.goto('/#/setup');
    await page.getByRole('note').filter({ hasText: /already set up/ }).waitFor();
    await page.getByRole('button', { name: /standalone/i }).click();
    assert.ok(await page.getByRole('list', { name: 'Library folders' }).getByText(library).isVisible(), 'the folders in use are filled in');
    await page.getByLabel('Add to Library folders').fill(join(root, 'downloads'));
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    for (let i = 0; i < 4; i++) await page.getByRole('button', { name: 'Next' }).click();
    await page.getByRole('button', { name: 'Finish setup' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Library folders become: .*downloads/).waitFor();
    await shots(page, 'wizard-reconfigure-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/library_paths')).body.value, before, 'nothing changed');
  });

  test('the Models page marks the recommended model and lists the bundled Silero VAD as installed', async () => {
    const { page } = session;
    await page.goto('/#/models');
    await page.getByRole('heading', { name: /Recommended for this machine/ }).waitFor();
    const installed = page.locator('section', { has: page.getByRole('heading', { name: 'Installed' }) });
    const vad = installed.locator('tr[data-model="silero-v6.2.0"]');
    await vad.waitFor();
    assert.match(await vad.innerText(), /bundled/i);
    assert.equal(await vad.getByRole('button', { name: /Delete/ }).count(), 0, 'the shipped model cannot be deleted');
    const recommended = page.locator('tr', { has: page.locator('.model-tag', { hasText: 'recommended' }) });
    assert.equal(await recommended.count(), 1);
    // The size stays on one line.
    const size = recommended.locator('td.cell-size');
    const lines = await size.evaluate((el) => {
      const r = document.createRange();
      r.selectNodeContents(el);
      return new Set([...r.getClientRects()].map((c) => Math.round(c.top))).size;
    });
    assert.equal(lines, 1, 'the size is on one line');
    await shots(page, 'models');
    await recommended.getByRole('button', { name: /^Download/ }).click();
    const toast = page.locator('.toast-error');
    await toast.waitFor({ timeout: 30_000 });
    assert.match(await toast.innerText(), /failed: .+/);
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 860 });
      const b = await toast.boundingBox();
      assert.ok(b && b.x >= 0 && b.x + b.width <= width && b.y >= 0, `the error toast fits the viewport at ${width} px`);
      await screenshot(page, `models-download-error-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
  });
});
