/**
 * Settings: sections in a newcomer's order with human labels and help, the
 * advanced settings behind "Show advanced", internal state not offered as a
 * field, typed inputs, an invalid value answered by the API with a message
 * shown beside that field, the unsaved-changes guard, a valid save that
 * sticks, and a toast that never covers the save bar.
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

  test('sections come model first, with human labels; advanced settings and internal state stay out of the way', async () => {
    const { page } = session;
    await page.goto('/#/settings');
    const tabs = page.getByRole('navigation', { name: 'Setting sections' }).getByRole('link');
    await tabs.first().waitFor();
    assert.equal(await tabs.first().innerText(), 'Model and quality');
    const firstField = page.locator('.settings-form .setting').first();
    assert.equal(await firstField.getAttribute('data-key'), 'whisper_model', 'the model is the first setting');
    assert.equal(await page.locator('label[for="setting-whisper_model"]').innerText(), 'Whisper model');
    assert.equal(await page.locator('[data-key="cpu_compute_type"]').count(), 0, 'advanced settings are hidden at first');
    await page.getByText(/advanced settings are hidden here/).waitFor();
    await screenshot(page, 'settings-model-1280');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(400);
    await screenshot(page, 'settings-model-360');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `no sideways scrolling at 360 px (${overflow} px)`);
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByText('Show advanced', { exact: true }).first().click();
    await page.locator('[data-key="cpu_compute_type"]').waitFor();
    assert.equal(await page.locator('label[for="setting-cpu_compute_type"]').innerText(), 'CPU precision');
    await screenshot(page, 'settings-model-advanced');
    // The old category links still land in the right section; a setting key lands on its field.
    await page.goto('/#/settings/general');
    await page.locator('[data-key="auth_enabled"]').waitFor();
    assert.equal(await page.locator('[data-key="setup_completed"]').count(), 0, 'setup_completed is not a toggle');
    // The API key is not replaced by typing into it: that asks first.
    const key = page.locator('#setting-api_key');
    assert.equal(await key.getAttribute('readonly'), '');
    await page.getByRole('button', { name: 'Replace API key' }).click();
    await page.getByRole('dialog').getByText(/locks out every other node/).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await key.getAttribute('readonly'), '', 'still read-only after cancelling');
    // The port the --port flag set is shown as the value in force.
    const port = page.locator('[data-key="api_port"] .setting-effective');
    assert.match(await port.innerText(), new RegExp(`In force now: ${new URL(server.url).port}, set by`));
    await screenshot(page, 'settings-server-1280');
    await page.setViewportSize({ width: 360, height: 800 });
    await page.waitForTimeout(400);
    await screenshot(page, 'settings-server-360');
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('link', { name: 'Open the setup wizard' }).waitFor();
    await page.goto('/#/settings/path_mapping_from');
    await page.locator('#setting-path_mapping_from').waitFor();
    assert.equal(await page.locator('#setting-path_mapping_from').inputValue(), '', 'no example mapping by default');
    await page.getByText('Show advanced', { exact: true }).first().click();
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
    await page.getByText('Updated 1 setting successfully').waitFor();
    // Another edit while the toast is up: the toast does not cover the save bar.
    await page.locator('#setting-concurrent_transcriptions').fill('4');
    for (const width of [1280, 360]) {
      await page.setViewportSize({ width, height: 800 });
      await page.waitForTimeout(400);
      const t = await page.locator('.toast').first().boundingBox();
      const bar = await page.getByRole('region', { name: 'Save changes' }).boundingBox();
      assert.ok(t && bar, 'toast and save bar are shown');
      const overlap = t.x < bar.x + bar.width && bar.x < t.x + t.width && t.y < bar.y + bar.height && bar.y < t.y + t.height;
      assert.ok(!overlap, `the toast does not cover the save bar at ${width} px`);
      await screenshot(page, `settings-toast-${width}`);
    }
    await page.setViewportSize({ width: 1280, height: 860 });
    await page.getByRole('button', { name: 'Discard' }).click();
    await page.reload();
    await page.locator('#setting-concurrent_transcriptions').waitFor();
    assert.equal(await page.locator('#setting-concurrent_transcriptions').inputValue(), '3');
    await page.getByRole('link', { name: 'Model and quality' }).click();
    await page.locator('#setting-whisper_model').waitFor();
    await screenshot(page, 'settings');
    assert.deepEqual(session.errors, []);
  });
});
