/**
 * Bazarr provider mode in the wizard: nothing is committed by choosing the
 * mode; the user gives the address Bazarr reaches this server at (prefilled
 * from the page, with a note for a loopback address), turns the mode on, and
 * gets exactly what goes into Bazarr's one Endpoint field. The API key in use
 * is kept, also when setup is opened again on a configured server; a new
 * provider key is a separate action that asks first.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, type BrowserSession, type RunningServer } from './harness.ts';

async function shots(page: Page, name: string): Promise<void> {
  for (const width of [1280, 360]) {
    await page.setViewportSize({ width, height: 860 });
    await page.waitForTimeout(400);
    await screenshot(page, `${name}-${width}`);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    assert.ok(overflow <= 1, `${name}: no sideways scrolling at ${width} px (${overflow} px)`);
  }
  await page.setViewportSize({ width: 1280, height: 860 });
}

describe('setup wizard, Bazarr provider mode', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let apiKey: string;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    apiKey = (await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value;
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('asks for the public address, then shows the one Endpoint for Bazarr with the API key kept', async () => {
    const { page } = session;
    await session.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
    await page.goto('/');
    await page.getByRole('button', { name: /bazarr provider/i }).click();
    const address = page.getByLabel('Address of this server, as Bazarr sees it');
    assert.equal(await address.inputValue(), server.url, 'prefilled from the page address');
    await page.getByRole('note').filter({ hasText: /loopback address/ }).waitFor();
    const before = await server.api<{ bazarr_provider_enabled: boolean }>('GET', '/api/setup/status');
    assert.equal(before.body.bazarr_provider_enabled, false, 'choosing the mode commits nothing');
    await shots(page, 'wizard-bazarr-address');

    await address.fill('http://nas.local:8000');
    assert.equal(await page.getByRole('note').filter({ hasText: /loopback/ }).count(), 0);
    await page.getByRole('button', { name: 'Turn on and show the Endpoint' }).click();
    const endpoint = page.getByRole('textbox', { name: 'Endpoint' });
    await endpoint.waitFor();
    assert.equal(await endpoint.inputValue(), `http://nas.local:8000/provider/${apiKey}`);
    assert.equal(await page.getByRole('textbox', { name: 'API key' }).count(), 0, 'Bazarr has one field: only the Endpoint is shown');
    await page.getByRole('button', { name: 'Copy Endpoint' }).click();
    await page.getByRole('button', { name: 'Copy Endpoint' }).getByText('Copied').waitFor();
    await shots(page, 'wizard-bazarr');
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value, apiKey, 'the API key is kept');
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/public_url')).body.value, 'http://nas.local:8000');

    // A new key asks first; cancelling changes nothing.
    await page.getByRole('button', { name: 'Make a new provider key…' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByText(/Bazarr stops getting subtitles/).waitFor();
    await shots(page, 'wizard-bazarr-rotate-confirm');
    await dialog.getByRole('button', { name: 'Cancel' }).click();
    assert.equal(await endpoint.inputValue(), `http://nas.local:8000/provider/${apiKey}`);

    await page.getByRole('button', { name: /continue to the dashboard/i }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const status = await server.api<{ setup_completed: boolean }>('GET', '/api/setup/status');
    assert.equal(status.body.setup_completed, true);
  });

  test('opened again on a configured server, setup says nothing changes without a confirm, and keeps the key', async () => {
    const { page } = session;
    await page.goto('/#/setup');
    await page.getByRole('note').filter({ hasText: /already set up\. Nothing changes until you confirm/ }).waitFor();
    await shots(page, 'wizard-reopened');
    await page.getByRole('button', { name: /bazarr provider/i }).click();
    assert.equal(await page.getByLabel('Address of this server, as Bazarr sees it').inputValue(), 'http://nas.local:8000', 'the stored public address');
    await page.getByRole('button', { name: 'Turn on provider mode' }).click();
    const endpoint = page.getByRole('textbox', { name: 'Endpoint' });
    await endpoint.waitFor();
    assert.equal(await endpoint.inputValue(), `http://nas.local:8000/provider/${apiKey}`, 'the same key as before');

    await page.getByRole('button', { name: 'Make a new provider key…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make a new key' }).click();
    await page.waitForFunction((old) => !(document.querySelector('#bz-url') as HTMLInputElement | null)?.value.endsWith(old), apiKey);
    const rotated = await endpoint.inputValue();
    const providerKey = rotated.split('/provider/')[1]!;
    assert.notEqual(providerKey, apiKey);
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value, apiKey, 'the API key is still the same');
    const bazarr = await fetch(`${server.url}/provider/${providerKey}/status`);
    assert.equal(bazarr.status, 200, 'the new Endpoint answers');
    assert.deepEqual(session.errors, []);
  });
});
