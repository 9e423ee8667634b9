/**
 * The rule editor says what a rule will do while it is edited: a Spanish
 * target for Japanese audio warns that a translation provider is needed
 * (with a link to the settings), English needs none (Whisper translates
 * itself), and the number of library files the rule matches now is shown
 * from the last scan.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ARTIFACTS, browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, tempDir, type BrowserSession, type RunningServer } from './harness.ts';
import { mux, speech } from '../scanner/media.ts';

describe('rule editor explains the rule', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;

  before(async () => {
    ensureWebBuilt();
    const library = tempDir('tio-e2e-rules-');
    const ja = speech(join(library, '..', `${library.split('/').pop()}-ja.wav`), 'ja', 'こんにちは');
    mux(join(library, 'Anime', 'Season 01', 'Anime S01E01.mkv'), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(join(library, 'Anime', 'Season 01', 'Anime S01E02.mkv'), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(join(library, 'Film', 'Film.mkv'), { audio: [{ wav: ja, language: 'fra', default: true }] });
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('PUT', '/api/settings/library_paths', { value: library })).status, 200);
    const other = await server.api('POST', '/api/scan-rules', { name: 'French films', priority: 20, conditions: { audio_language_is: 'fra' }, action: { target_language: 'eng' } });
    assert.equal(other.status, 201);
    // The last scan filled the probe cache the editor counts from.
    assert.equal((await server.api('POST', '/api/scanner/scan', { dry_run: true })).status, 200);
  });

  after(async () => {
    await session?.close();
    await server?.stop();
  });

  for (const width of [1280, 360]) {
    test(`translation warning and match count (${width} px)`, async () => {
      session = await openBrowser(server.url, { width, height: 900 });
      const { page, errors } = session;
      await page.goto('/#/rules');
      await page.getByRole('heading', { name: 'Rules' }).waitFor();
      // A saved rule says what it does in the list too.
      await page.getByText('French audio → English subtitles: Whisper translates French into English itself').waitFor();
      await screenshot(page, `rules-${width}`);
      await page.getByRole('button', { name: 'New rule' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByLabel('Name').fill('Anime to Spanish');
      await page.locator('#rc-audio-is').selectOption('jpn');
      await page.locator('#ra-target').selectOption('spa');
      const preview = page.getByTestId('rule-preview');
      await preview.getByText('Japanese audio → Spanish subtitles: Whisper transcribes Japanese, then a translation provider translates it into Spanish').waitFor();
      const warning = page.getByTestId('translation-warning');
      await warning.waitFor();
      assert.match((await warning.textContent()) ?? '', /Needs a translation provider/);
      assert.equal(await warning.getByRole('link', { name: 'Set up a translation provider' }).getAttribute('href'), '#/settings/translation_provider');
      await page.getByTestId('rule-matches').getByText(/Matches 2 files in your library now/).waitFor();
      await preview.getByText(/Model .* quality, beam/).waitFor();
      await page.getByText(/Rule priority decides which rule wins/).waitFor();
      await page.getByText(/Queue order of the jobs this rule makes/).waitFor();
      await preview.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, `rules-editor-translation-${width}.png`) });

      // English needs no provider: Whisper translates into English itself.
      await page.locator('#ra-target').selectOption('eng');
      await preview.getByText('Japanese audio → English subtitles: Whisper translates Japanese into English itself').waitFor();
      await warning.waitFor({ state: 'detached' });
      // Without the audio condition every file is counted.
      await page.locator('#rc-audio-is').selectOption('');
      await page.getByTestId('rule-matches').getByText(/Matches 3 files in your library now; 1 of them goes to another rule that comes first/).waitFor();
      await preview.scrollIntoViewIfNeeded();
      await page.screenshot({ path: join(ARTIFACTS, `rules-editor-english-${width}.png`) });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at ${width} px (${overflow} px)`);
      // The warning's link leads to the setting that fixes it.
      await page.locator('#ra-target').selectOption('spa');
      await warning.getByRole('link', { name: 'Set up a translation provider' }).click();
      await page.waitForURL(/#\/settings\/translation_provider/);
      await page.getByText('Translation provider', { exact: true }).first().waitFor();
      assert.deepEqual(errors, []);
      await session.close();
    });
  }
});
