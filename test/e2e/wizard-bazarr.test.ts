/**
 * Bazarr provider mode in the wizard: nothing is committed by choosing the
 * mode; the user gives the address Bazarr reaches this server at (prefilled
 * from the page, with a note for a loopback address), turns the mode on, and
 * gets exactly what goes into Bazarr's one Endpoint field, which carries a
 * provider key of its own (never the API key). "Configure Bazarr for me"
 * shows Bazarr's changes (the fake Bazarr's settings API), writes them on
 * Apply and reads them back. The provider key is kept when setup is opened
 * again; a new one asks first and moves Bazarr's endpoint along. An older
 * install whose Endpoint carries the API key gets the Health page's "Make a
 * separate provider key".
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, type BrowserSession, type RunningServer } from './harness.ts';
import { fakeBazarr, type FakeBazarr } from '../integrations/fake-bazarr.ts';

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
  let providerKey: string;
  let bazarr: FakeBazarr;

  before(async () => {
    ensureWebBuilt();
    bazarr = await fakeBazarr();
    server = await startServer();
    apiKey = (await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value;
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
    await bazarr?.close();
  });

  test('asks for the public address, shows the one Endpoint with a provider key of its own, and configures Bazarr through its settings API', async () => {
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
    const shown = await endpoint.inputValue();
    assert.ok(shown.startsWith('http://nas.local:8000/provider/'), shown);
    providerKey = shown.split('/provider/')[1]!;
    assert.notEqual(providerKey, apiKey, 'the Endpoint never carries the API key');
    assert.equal(await page.getByRole('textbox', { name: 'API key', exact: true }).count(), 0, 'Bazarr has one field: only the Endpoint is shown, never this server’s API key');
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
    assert.equal(await endpoint.inputValue(), `http://nas.local:8000/provider/${providerKey}`);

    // Configure Bazarr for me: the diff first, written only on Apply, then read back.
    await page.getByLabel('Bazarr’s address').fill(bazarr.url);
    await page.getByLabel('Bazarr’s API key').fill(bazarr.apiKey);
    await page.getByLabel(/Also lower Bazarr’s minimum scores/).check();
    await page.getByRole('button', { name: 'Show what changes' }).click();
    const result = page.locator('.bazarr-configure-result');
    await result.getByText(/would change like this/).waitFor();
    await result.getByText('Minimum score for episodes').waitFor();
    assert.equal(bazarr.calls.filter((c) => c.method === 'POST').length, 0, 'showing the changes writes nothing');
    await shots(page, 'wizard-bazarr-configure-diff');
    await page.getByRole('button', { name: 'Apply to Bazarr' }).click();
    await result.getByText('Written to Bazarr and read back: everything is in place.').waitFor();
    assert.equal(bazarr.config.whisperai.endpoint, `http://nas.local:8000/provider/${providerKey}`);
    assert.deepEqual(bazarr.config.general.enabled_providers, ['opensubtitlescom', 'whisperai']);
    assert.equal(bazarr.config.general.minimum_score, 66);
    await shots(page, 'wizard-bazarr-configured');
    await page.getByRole('button', { name: 'Test' }).click();
    await result.getByText('Bazarr’s Whisper provider is set up for this server.').waitFor();

    await page.getByRole('button', { name: /continue to the dashboard/i }).click();
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    const status = await server.api<{ setup_completed: boolean }>('GET', '/api/setup/status');
    assert.equal(status.body.setup_completed, true);
  });

  test('opened again on a configured server, setup says nothing changes without a confirm, keeps the provider key, and a new one moves Bazarr along', async () => {
    const { page } = session;
    await page.goto('/#/setup');
    await page.getByRole('note').filter({ hasText: /already set up\. Nothing changes until you confirm/ }).waitFor();
    await shots(page, 'wizard-reopened');
    await page.getByRole('button', { name: /bazarr provider/i }).click();
    assert.equal(await page.getByLabel('Address of this server, as Bazarr sees it').inputValue(), 'http://nas.local:8000', 'the stored public address');
    await page.getByRole('button', { name: 'Turn on provider mode' }).click();
    const endpoint = page.getByRole('textbox', { name: 'Endpoint' });
    await endpoint.waitFor();
    assert.equal(await endpoint.inputValue(), `http://nas.local:8000/provider/${providerKey}`, 'the same key as before');

    await page.getByRole('button', { name: 'Make a new provider key…' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Make a new key' }).click();
    await page.waitForFunction((old) => !(document.querySelector('#bz-url') as HTMLInputElement | null)?.value.endsWith(old), providerKey);
    const rotated = await endpoint.inputValue();
    const newKey = rotated.split('/provider/')[1]!;
    assert.notEqual(newKey, apiKey);
    assert.notEqual(newKey, providerKey);
    await page.getByRole('note').filter({ hasText: /Bazarr’s Whisper endpoint now uses the provider key/ }).waitFor();
    assert.equal(bazarr.config.whisperai.endpoint, `http://nas.local:8000/provider/${newKey}`, 'Bazarr was moved to the new key');
    assert.equal((await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value, apiKey, 'the API key is still the same');
    const answer = await fetch(`${server.url}/provider/${newKey}/status`);
    assert.equal(answer.status, 200, 'the new Endpoint answers');
    providerKey = newKey;

    // Settings → Bazarr: the same "Configure Bazarr for me", Bazarr connected; the Test reads it back.
    await page.goto('/#/settings/provider');
    const row = page.locator('.bazarr-configure-row');
    await row.getByRole('button', { name: 'Test' }).click();
    await row.getByText('Bazarr’s Whisper provider is set up for this server.').waitFor();
    await shots(page, 'settings-bazarr-configure');
    assert.deepEqual(session.errors, []);
  });

  test("an Endpoint that carries the API key gets a Health warning whose button makes a separate key and moves Bazarr's endpoint", async () => {
    const { page } = session;
    // What the wizard wrote before provider keys were separate.
    const put = await server.api('PUT', '/api/settings/bazarr_api_key', { value: apiKey });
    assert.equal(put.status, 200, JSON.stringify(put.body));
    bazarr.config.whisperai.endpoint = `http://nas.local:8000/provider/${apiKey}`;
    await page.goto('/#/health');
    const item = page.locator('.health-item').filter({ hasText: /carries this server’s API key/ });
    await item.waitFor();
    await shots(page, 'health-provider-key');
    await item.getByRole('button', { name: 'Make a separate provider key' }).click();
    await page.waitForFunction(() => !document.body.textContent?.includes('carries this server’s API key'));
    const now = bazarr.config.whisperai.endpoint as string;
    const key = now.split('/provider/')[1]!;
    assert.notEqual(key, apiKey);
    assert.equal((await fetch(`${server.url}/provider/${key}/status`)).status, 200);
    await shots(page, 'health-provider-key-fixed');
    assert.deepEqual(session.errors, []);
  });
});
