/**
 * A newcomer with no model installed: before any job can fail, every page
 * shows a banner that says so, with the fix and a link to the Models page,
 * and the Health page lists it; once a model file is there, the banner goes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { browserSkip, ensureTestModel, ensureWebBuilt, openBrowser, screenshot, startServer, type RunningServer } from './harness.ts';

describe('health banner and page', { skip: browserSkip() }, () => {
  let server: RunningServer;
  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
  });
  after(async () => server?.stop());

  test('no model: a banner on every page with the fix and a link to Models; the Health page lists it; gone once a model is set', async () => {
    for (const [width, name] of [[1280, 'desktop'], [360, 'phone']] as const) {
      const b = await openBrowser(server.url, { width, height: 800 });
      try {
        for (const view of ['dashboard', 'queue', 'settings/general']) {
          await b.page.goto(`${server.url}/#/${view}`);
          const banner = b.page.locator('.health-banner');
          await banner.waitFor({ timeout: 15_000 });
          assert.match(await banner.innerText(), /No model is installed for the fast, balanced, best presets/);
          assert.equal(await banner.getByRole('link', { name: 'Fix it' }).getAttribute('href'), '#/models');
        }
        await b.page.goto(`${server.url}/#/dashboard`);
        await b.page.locator('.health-banner').waitFor();
        await screenshot(b.page, `health-banner-${name}`);
        await b.page.goto(`${server.url}/#/health`);
        await b.page.getByRole('heading', { name: 'Health' }).waitFor();
        const item = b.page.locator('.health-item').first();
        await item.waitFor();
        assert.match(await item.innerText(), /Download .* on the Models page, or copy its ggml file into \//);
        assert.equal(await b.page.locator('.health-banner').count(), 0, 'the Health page itself lists the checks instead');
        const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `no sideways scrolling at ${width} px (${overflow} px)`);
        await screenshot(b.page, `health-${name}`);
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    }
    await server.api('PUT', '/api/settings/whisper_model', { value: ensureTestModel() });
    const b = await openBrowser(server.url);
    try {
      await b.page.goto(`${server.url}/#/dashboard`);
      await b.page.getByRole('heading', { name: 'Dashboard' }).waitFor();
      const checks = (await server.api<{ checks: Array<{ id: string }> }>('GET', '/api/system/health')).body.checks;
      assert.ok(!checks.some((c) => c.id.startsWith('model_missing')), 'the model check passes');
      await b.page.waitForTimeout(500);
      assert.ok(!(await b.page.locator('.health-banner').innerText().catch(() => '')).includes('No model'), 'no model banner');
    } finally {
      await b.close();
    }
  });
});
