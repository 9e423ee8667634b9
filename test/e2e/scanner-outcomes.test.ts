/**
 * A real scan on the Scanner page lists every file's outcome like the dry
 * run does: the skipped episode names the subtitle the user already has,
 * the queued one names its rule once and links to the job it created.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, tempDir, type BrowserSession, type RunningServer } from './harness.ts';
import { mux, speech, srtText } from '../scanner/media.ts';

describe('scanner: per-file outcomes of a real scan', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;

  before(async () => {
    ensureWebBuilt();
    const library = tempDir('tio-e2e-scan-');
    const ja = speech(join(library, '..', `${library.split('/').pop()}-ja.wav`), 'ja', 'こんにちは');
    const season = join(library, 'Show', 'Season 01');
    mux(join(season, 'Show S01E01.mkv'), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    mux(join(season, 'Show S01E02.mkv'), { audio: [{ wav: ja, language: 'jpn', default: true }] });
    writeFileSync(join(season, 'Show S01E02.spa.srt'), srtText('Hola'));
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('PUT', '/api/settings/library_paths', { value: library })).status, 200);
    const rule = await server.api('POST', '/api/scan-rules', { name: 'Japanese to Spanish', conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa' }, action: { target_language: 'spa' } });
    assert.equal(rule.status, 201);
  });

  after(async () => {
    await session?.close();
    await server?.stop();
  });

  for (const width of [1280, 360]) {
    test(`a real scan lists its outcomes with links to the new jobs (${width} px)`, async () => {
      session = await openBrowser(server.url, { width, height: 900 });
      const { page, errors } = session;
      await page.goto('/#/scanner');
      await page.getByRole('heading', { name: 'Scan now' }).waitFor();
      await page.getByLabel(/Dry run/).uncheck();
      await page.getByRole('button', { name: 'Scan library' }).click();
      // The result of this scan (the table shows the last one's decisions until then).
      await page.getByRole('list', { name: 'Scan result' }).waitFor();
      const table = page.locator('table.decisions');
      await table.waitFor();
      const skipped = table.locator('tr', { hasText: 'Show S01E02.mkv' });
      await skipped.getByText('already has Spanish subtitles: Show S01E02.spa.srt (nearest rule: "Japanese to Spanish")').waitFor();
      const first = table.locator('tr', { hasText: 'Show S01E01.mkv' });
      const reason = (await first.locator('td[data-label="Reason"]').textContent()) ?? '';
      if (width === 1280) {
        assert.match(reason, /rule "Japanese to Spanish": Japanese audio → Spanish subtitles/);
        assert.equal(reason.split('Japanese to Spanish').length - 1, 1, 'the rule is named once');
        await first.getByRole('link', { name: /^Job / }).waitFor();
      } else {
        // The first run queued it; this second scan says why it is skipped now.
        assert.match(reason, /a job is already queued or running for this file/);
      }
      await screenshot(page, `scanner-real-scan-${width}`);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at ${width} px (${overflow} px)`);
      if (width === 1280) {
        await first.getByRole('link', { name: /^Job / }).click();
        await page.waitForURL(/#\/queue\?job=/);
        await page.getByRole('dialog').waitFor();
      }
      assert.deepEqual(errors, []);
      await session.close();
    });
  }
});
