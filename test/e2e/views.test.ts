/**
 * Every view renders against a real server, at desktop and at a 360 px phone
 * width, without script errors, without sideways scrolling, and with an
 * accessible name on every control. Screenshots go to test-artifacts/.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { browserSkip, ensureWebBuilt, makeMovie, navLink, openBrowser, screenshot, startServer, tempDir, type RunningServer } from './harness.ts';

const VIEWS: { route: string; heading: string; name: string }[] = [
  { route: '/#/dashboard', heading: 'Dashboard', name: 'dashboard' },
  { route: '/#/queue', heading: 'Queue', name: 'queue' },
  { route: '/#/workers', heading: 'Workers', name: 'workers' },
  { route: '/#/rules', heading: 'Rules', name: 'rules' },
  { route: '/#/scanner', heading: 'Scanner', name: 'scanner' },
  { route: '/#/models', heading: 'Models', name: 'models' },
  { route: '/#/settings/general', heading: 'Settings', name: 'settings' },
  { route: '/#/health', heading: 'Health', name: 'health' },
];

/** Controls without an accessible name (a crude but useful subset of the ARIA rules). */
// Kept as source text: the test runner's transpiler adds helpers to functions
// that do not exist in the page.
const FIND_UNLABELLED = `(() => {
  const bad = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    return r.width > 0 || r.height > 0;
  };
  for (const el of document.querySelectorAll('input, select, textarea, button, a[href]')) {
    if (el.type === 'hidden') continue;
    if (!visible(el) && el.type !== 'checkbox' && el.type !== 'radio') continue;
    const id = el.getAttribute('id');
    const named =
      el.getAttribute('aria-label') ||
      el.getAttribute('aria-labelledby') ||
      el.getAttribute('title') ||
      (id && document.querySelector('label[for="' + CSS.escape(id) + '"]')) ||
      el.closest('label') ||
      ((el.tagName === 'BUTTON' || el.tagName === 'A') && el.textContent.trim());
    if (!named) bad.push(el.outerHTML.slice(0, 120));
  }
  return bad;
})()`;

async function unlabelled(page: Page): Promise<string[]> {
  return page.evaluate(FIND_UNLABELLED) as Promise<string[]>;
}

describe('views', { skip: browserSkip() }, () => {
  let server: RunningServer;

  before(async () => {
    ensureWebBuilt();
    server = await startServer();
    const library = tempDir('tio-e2e-views-');
    makeMovie(join(library, 'Some Show'), 'Some Show S01E01.mkv');
    await server.api('POST', '/api/setup/skip');
    await server.api('PUT', '/api/settings/library_paths', { value: library });
    await server.api('POST', '/api/scan-rules', {
      name: 'Japanese anime without Spanish subs',
      enabled: true,
      priority: 10,
      conditions: { audio_language_is: 'jpn', missing_external_subtitle_lang: 'spa', file_extension: '.mkv,.mp4' },
      action: { action_type: 'transcribe', target_language: 'spa', quality_preset: 'fast', job_priority: 5 },
    });
    await server.api('POST', '/api/scan-rules', {
      name: 'English subtitles everywhere',
      enabled: false,
      priority: 1,
      conditions: {},
      action: { action_type: 'transcribe', target_language: 'eng', quality_preset: 'balanced', job_priority: 0 },
    });
    await server.api('POST', '/api/jobs', {
      file_path: join(library, 'Some Show', 'Some Show S01E01.mkv'),
      file_name: 'Some Show S01E01.mkv',
      target_lang: 'eng',
      quality_preset: 'fast',
    });
  });
  after(async () => {
    await server?.stop();
  });

  for (const viewport of [
    { width: 1280, height: 860, label: 'desktop' },
    { width: 360, height: 740, label: 'phone' },
  ]) {
    test(`every view renders on ${viewport.label} (${viewport.width}px)`, async () => {
      const session = await openBrowser(server.url, { width: viewport.width, height: viewport.height });
      try {
        const { page } = session;
        for (const v of VIEWS) {
          await page.goto(v.route);
          await page.getByRole('heading', { level: 1, name: v.heading }).waitFor();
          await page.waitForLoadState('networkidle').catch(() => undefined);
          await page.locator('.loading').first().waitFor({ state: 'detached', timeout: 5000 }).catch(() => undefined);
          await screenshot(page, `view-${v.name}-${viewport.label}`);
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert.ok(overflow <= 1, `${v.name} scrolls sideways by ${overflow}px at ${viewport.width}px`);
          assert.deepEqual(await unlabelled(page), [], `${v.name}: controls without a label`);
        }
        assert.deepEqual(session.errors, []);
      } finally {
        await session.close();
      }
    });
  }

  test('the phone layout opens the navigation from the menu button', async () => {
    const session = await openBrowser(server.url, { width: 360, height: 740 });
    try {
      const { page } = session;
      await page.goto('/#/dashboard');
      await page.getByRole('button', { name: 'Menu' }).click();
      await navLink(page, 'Rules').click();
      await page.getByRole('heading', { level: 1, name: 'Rules' }).waitFor();
      await screenshot(page, 'nav-phone');
    } finally {
      await session.close();
    }
  });

  test('the queue opens job details and the new-job form with its path browser', async () => {
    const session = await openBrowser(server.url);
    try {
      const { page } = session;
      await page.goto('/#/queue');
      await page.getByRole('button', { name: 'Some Show S01E01.mkv', exact: true }).click();
      await page.getByRole('dialog').getByText('Job ID').waitFor();
      await screenshot(page, 'job-details');
      await page.keyboard.press('Escape');
      await page.getByRole('button', { name: 'New job' }).click();
      await page.getByRole('dialog', { name: 'New transcription job' }).waitFor();
      await page.getByRole('button', { name: /browse for media file/i }).click();
      await page.getByRole('dialog', { name: 'Choose a file' }).getByRole('list', { name: 'Folder contents' }).waitFor();
      await screenshot(page, 'path-browser');
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test('rules: create with the editor, toggle, delete with confirmation', async () => {
    const session = await openBrowser(server.url);
    try {
      const { page } = session;
      await page.goto('/#/rules');
      await page.getByRole('button', { name: 'New rule' }).click();
      const dialog = page.getByRole('dialog', { name: 'New rule' });
      await dialog.getByLabel('Name').fill('French films to English');
      await dialog.locator('#rc-audio-is').selectOption('fra');
      await dialog.locator('#ra-target').selectOption('eng');
      await dialog.getByLabel('Audio language is not: add language').selectOption('deu');
      await screenshot(page, 'rule-editor');
      await dialog.getByRole('button', { name: 'Save rule' }).click();
      const rule = page.locator('.rule', { hasText: 'French films to English' });
      await rule.waitFor();
      assert.match((await rule.textContent()) ?? '', /French \(fra\)/);
      await rule.getByRole('checkbox', { name: /enable rule/i }).uncheck();
      await page.waitForFunction(() => document.querySelector('.rule-disabled') !== null);
      await rule.getByRole('button', { name: /delete rule/i }).click();
      await page.getByRole('dialog', { name: 'Delete rule' }).getByRole('button', { name: 'Delete' }).click();
      await rule.waitFor({ state: 'detached' });
      assert.deepEqual(session.errors, []);
    } finally {
      await session.close();
    }
  });

  test('with authentication on, the UI asks for the API key and then works', async () => {
    const key = 'e2e-test-key-0123456789';
    await server.api('PUT', '/api/settings/api_key', { value: key });
    await server.api('POST', '/api/settings/bulk-update', { settings: { auth_enabled: 'true', auth_exempt_local: 'false' } });
    const session = await openBrowser(server.url);
    try {
      const { page } = session;
      await page.goto('/#/dashboard');
      const field = page.getByLabel('API key');
      await field.waitFor();
      await screenshot(page, 'login');
      await field.fill('wrong-key');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByText(/not accepted/i).waitFor();
      await field.fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
      await page.locator('.live-open').waitFor({ timeout: 10_000 });
    } finally {
      await session.close();
      await server.api('POST', '/api/settings/bulk-update', { settings: { auth_exempt_local: 'true' } }, { 'X-Api-Key': key });
    }
  });
});
