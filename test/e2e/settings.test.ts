/**
 * Settings: typed inputs per category, an invalid value answered by the API
 * with a message shown beside that field, the unsaved-changes guard, and a
 * valid save that sticks.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserSkip, ensureWebBuilt, navLink, openBrowser, screenshot, startServer, type BrowserSession, type RunningServer } from './harness.ts';

describe('settings page', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('an out-of-range value shows the API message beside the field', async () => {
    const { page } = session;
    await page.goto('/#/settings/workers');
    const input = page.locator('#setting-worker_cpu_count');
    await input.waitFor();
    await input.fill('100');
    await page.getByRole('region', { name: 'Save changes' }).getByText('1 unsaved change').waitFor();
    await page.getByRole('button', { name: 'Save changes' }).click();
    const err = page.locator('#setting-worker_cpu_count-err');
    await err.waitFor();
    assert.match((await err.textContent()) ?? '', /64/);
    assert.equal(await input.getAttribute('aria-invalid'), 'true');
    await screenshot(page, 'settings-validation-error');
    const stored = await server.api<{ value: string }>('GET', '/api/settings/worker_cpu_count');
    assert.equal(stored.body.value, '0', 'the invalid value was not stored');
  });

  test('leaving with unsaved changes asks first', async () => {
    const { page } = session;
    let asked = '';
    page.once('dialog', (d) => {
      asked = d.message();
      void d.dismiss();
    });
    await navLink(page, 'Dashboard').click();
    await page.waitForTimeout(200);
    assert.match(asked, /unsaved/i);
    assert.match(page.url(), /#\/settings\/workers/);
  });

  test('a valid value saves and survives a reload', async () => {
    const { page } = session;
    await page.locator('#setting-worker_cpu_count').fill('0');
    await page.locator('#setting-concurrent_transcriptions').fill('3');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.getByText(/updated/i).first().waitFor();
    await page.reload();
    await page.locator('#setting-concurrent_transcriptions').waitFor();
    assert.equal(await page.locator('#setting-concurrent_transcriptions').inputValue(), '3');
    await page.getByRole('link', { name: 'Transcription' }).click();
    await page.locator('#setting-whisper_model').waitFor();
    await screenshot(page, 'settings');
    assert.deepEqual(session.errors, []);
  });
});
