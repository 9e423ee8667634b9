/**
 * The queue as a working tool in a real browser against the real server and
 * a real worker on the generated test model: select failed jobs and retry
 * them at once, search by path, and open a job to read its timeline (who
 * created it, the worker, each stage, each failed attempt with its reason)
 * and its subtitle (first cues, download, path). Screenshots at 1280 and 360.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  browserSkip,
  ensureWebBuilt,
  makeBrokenMovie,
  makeMovie,
  openBrowser,
  screenshot,
  startServer,
  tempDir,
  testModelSettings,
  waitFor,
  type BrowserSession,
  type RunningServer,
} from './harness.ts';

/** A new width, once the layout has settled (the sidebar slides out when the page narrows). */
async function resize(page: BrowserSession['page'], width: number): Promise<void> {
  await page.setViewportSize({ width, height: width < 600 ? 780 : 860 });
  await page.waitForTimeout(400);
}

interface ApiJob { id: string; status: string; retry_count: number; output_path: string | null; error: string | null }

describe('queue: bulk retry, search, job timeline and subtitle', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  const ids: Record<string, string> = {};

  const job = async (id: string) => (await server.api<ApiJob>('GET', `/api/jobs/${id}`)).body;
  const ended = (id: string, status: string) => waitFor(`job ${id} ${status}`, async () => ((await job(id)).status === status ? job(id) : null), 90_000);

  before(async () => {
    ensureWebBuilt();
    const library = tempDir('tio-e2e-queue-');
    const movie = makeMovie(library, 'Good Movie.mkv');
    const broken = [makeBrokenMovie(library, 'Broken One.mkv'), makeBrokenMovie(library, 'Broken Two.mkv')];
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    await server.api('PUT', '/api/settings/library_paths', { value: library });
    await server.api('POST', '/api/settings/bulk-update', { settings: { ...testModelSettings(), model_auto_download: 'false' } });
    for (const [name, path] of [['good', movie], ['one', broken[0]!], ['two', broken[1]!]] as const) {
      const r = await server.api<{ id: string }>('POST', '/api/jobs', { file_path: path, file_name: path.split('/').pop(), source_lang: 'eng', target_lang: 'eng', quality_preset: 'fast' });
      assert.equal(r.status, 201, JSON.stringify(r.body));
      ids[name] = r.body.id;
    }
    const w = await server.api('POST', '/api/workers', { worker_type: 'cpu' });
    assert.equal(w.status, 201, JSON.stringify(w.body));
    await ended(ids.one!, 'failed');
    await ended(ids.two!, 'failed');
    await ended(ids.good!, 'completed');
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('select the failed jobs and retry them at once; each retry is counted', { timeout: 150_000 }, async () => {
    const { page } = session;
    await resize(page, 1280);
    await page.goto('/#/queue');
    const row = (id: string) => page.locator(`tr[data-job-id="${id}"]`);
    await row(ids.one!).waitFor();
    await row(ids.one!).getByRole('checkbox').check();
    await row(ids.two!).getByRole('checkbox').check();
    const bar = page.getByRole('region', { name: 'Selected jobs' });
    await bar.getByText('2 jobs selected').waitFor();
    await screenshot(page, 'queue-selection-1280');
    await bar.getByRole('button', { name: 'Retry' }).click();
    await page.getByText('Retried 2 jobs').waitFor();
    for (const id of [ids.one!, ids.two!]) {
      assert.equal((await job(id)).retry_count, 1, 'the retry is counted');
    }
    // The worker fails both again; each keeps why in its timeline.
    await waitFor('both failed again', async () => {
      const [a, b] = [await job(ids.one!), await job(ids.two!)];
      return a.status === 'failed' && b.status === 'failed';
    }, 90_000);
    assert.deepEqual(session.errors, []);
  });

  test('search by path narrows the list; a long error opens the details', async () => {
    const { page } = session;
    await page.goto('/#/queue');
    await page.getByRole('searchbox', { name: 'Search jobs by path' }).fill('broken');
    await page.waitForURL(/q=broken/);
    await waitFor('two rows found', async () => (await page.locator('tr[data-job-id]').count()) === 2);
    assert.equal(await page.locator(`tr[data-job-id="${ids.good}"]`).count(), 0);
    // The row shows the error cut short; Details opens the job with all of it.
    const row = page.locator(`tr[data-job-id="${ids.one}"]`);
    const full = (await job(ids.one!)).error!;
    // The row's text without its Details button.
    const shown = ((await row.locator('.row-error').textContent()) ?? '').replace(/\s*Details$/, '');
    assert.ok(shown.endsWith('…') && shown.length < full.length, `the row's error is cut short (${shown.length} of ${full.length} characters)`);
    await row.getByRole('button', { name: 'Details' }).click();
    await page.getByRole('dialog').locator('.error-pre', { hasText: full }).waitFor();
    await page.getByRole('dialog').getByRole('button', { name: 'Close' }).last().click();
    await page.getByRole('dialog').waitFor({ state: 'hidden' });
    await screenshot(page, 'queue-search-1280');
    await resize(page, 360);
    await screenshot(page, 'queue-search-360');
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= 360, `no sideways scrolling at 360 px (page is ${wide} px wide)`);
    await resize(page, 1280);
  });

  test('a failed job retried by hand shows every attempt with its reason, and retries 1', async () => {
    const { page } = session;
    await page.goto(`/#/queue?job=${ids.one}`);
    const dialog = page.getByRole('dialog');
    const timeline = dialog.getByRole('region', { name: 'Timeline' });
    await timeline.locator('li[data-kind="requeued"]').waitFor();
    assert.equal(await timeline.locator('li[data-kind="failed"]').count(), 2, 'each failed attempt is in the timeline');
    assert.match((await timeline.locator('li[data-kind="requeued"]').textContent()) ?? '', /the last attempt had failed: /);
    assert.match((await timeline.locator('li[data-kind="created"]').textContent()) ?? '', /Created by a user/);
    assert.equal(await dialog.locator('.job-retries').textContent(), '1');
    assert.match((await dialog.locator('.job-stage').textContent()) ?? '', /^failed/);
    await screenshot(page, 'job-details-failed-1280');
    await resize(page, 360);
    await screenshot(page, 'job-details-failed-360');
    await resize(page, 1280);
  });

  test('a completed job: the timeline from creation to the end, the first cues, the path and a download', async () => {
    const { page } = session;
    const done = await job(ids.good!);
    await page.goto(`/#/queue?job=${ids.good}`);
    const dialog = page.getByRole('dialog');
    const timeline = dialog.getByRole('region', { name: 'Timeline' });
    await timeline.locator('li[data-kind="completed"]').waitFor();
    assert.match((await timeline.locator('li[data-kind="claimed"]').textContent()) ?? '', /Claimed by worker .* on node .*\(attempt 1\)/);
    assert.ok((await timeline.locator('li[data-kind="stage"]').count()) >= 1, 'the stages are listed');
    assert.equal((await dialog.locator('.job-stage').textContent())?.trim(), 'done');
    const sub = dialog.getByRole('region', { name: 'Subtitle' });
    const cues = sub.getByRole('list', { name: 'First cues' }).locator('li');
    await cues.first().waitFor();
    assert.ok((await cues.count()) >= 1);
    assert.equal(await sub.locator('.subtitle-path').textContent(), done.output_path);
    const [download] = await Promise.all([page.waitForEvent('download'), sub.getByRole('link', { name: 'Download' }).click()]);
    assert.equal(download.suggestedFilename(), 'Good Movie.eng.srt');
    const saved = await download.path();
    assert.equal(readFileSync(saved, 'utf8'), readFileSync(done.output_path!, 'utf8'), 'the download is the file the job wrote');
    await screenshot(page, 'job-details-completed-1280');
    await resize(page, 360);
    await screenshot(page, 'job-details-completed-360');
    await resize(page, 1280);
    await page.goto('/#/queue');
    await page.locator('tr[data-job-id]').first().waitFor();
    await screenshot(page, 'queue-1280');
    await resize(page, 360);
    await screenshot(page, 'queue-360');
    assert.deepEqual(session.errors, []);
  });
});
