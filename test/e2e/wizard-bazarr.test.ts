/**
 * First run in Bazarr provider mode: the wizard shows the provider URL and
 * the API key to paste into Bazarr, each with a copy button, then continues
 * to the dashboard.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, type BrowserSession, type RunningServer } from './harness.ts';

describe('setup wizard, Bazarr provider mode', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('shows the provider URL and key with copy buttons', async () => {
    const { page } = session;
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto('/');
    await page.getByRole('button', { name: /bazarr provider/i }).click();
    const url = page.getByRole('textbox', { name: 'Provider URL' });
    const key = page.getByRole('textbox', { name: 'API key' });
    await url.waitFor();
    assert.match(await url.inputValue(), /^https?:\/\//);
    const keyValue = await key.inputValue();
    assert.ok(keyValue.length >= 16, `an API key is shown (${keyValue})`);
    await page.getByRole('button', { name: 'Copy API key' }).click();
    await page.getByRole('button', { name: 'Copy API key' }).getByText('Copied').waitFor();
    await screenshot(page, 'wizard-bazarr');
    await page.getByRole('button', { name: /continue to the dashboard/i }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const status = await server.api<{ setup_completed: boolean }>('GET', '/api/setup/status');
    assert.equal(status.body.setup_completed, true);
    assert.deepEqual(session.errors, []);
  });
});
