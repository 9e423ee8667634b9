/**
 * A job that fails (the file is not media) shows its error in the queue and
 * on the dashboard, and Retry puts it back in the queue.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  browserSkip,
  ensureWebBuilt,
  makeBrokenMovie,
  navLink,
  openBrowser,
  screenshot,
  startServer,
  tempDir,
  testModelSettings,
  waitFor,
  type BrowserSession,
  type RunningServer,
} from './harness.ts';

describe('failed job retry', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let jobId = '';

  before(async () => {
    ensureWebBuilt();
    const library = tempDir('tio-e2e-broken-');
    const file = makeBrokenMovie(library, 'Broken Movie.mkv');
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    await server.api('PUT', '/api/settings/library_paths', { value: library });
    await server.api('POST', '/api/settings/bulk-update', { settings: testModelSettings() });
    const created = await server.api<{ id: string }>('POST', '/api/jobs', {
      file_path: file,
      file_name: 'Broken Movie.mkv',
      target_lang: 'eng',
      quality_preset: 'fast',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    jobId = created.body.id;
    session = await openBrowser(server.url);
  });
  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('the failure shows with its error and Retry requeues it', { timeout: 120_000 }, async () => {
    const { page } = session;
    await page.goto('/#/queue');
    // Start one CPU worker from the Workers page, as a user would.
    await navLink(page, 'Workers').click();
    await page.getByRole('button', { name: 'Add worker' }).click();
    await page.getByRole('dialog', { name: 'Add worker' }).getByRole('button', { name: 'Add worker' }).click();
    await page.locator('tr[data-worker-id]').first().waitFor();
    await screenshot(page, 'workers-with-worker');

    await navLink(page, /^Queue/).click();
    const row = page.locator(`tr[data-job-id="${jobId}"]`);
    await waitFor('the broken job to fail', async () => (await row.getAttribute('data-status')) === 'failed', 90_000);
    const error = row.locator('.error-text');
    assert.ok(((await error.textContent()) ?? '').length > 0, 'the error message is shown in the row');
    await screenshot(page, 'queue-failed');

    await navLink(page, 'Dashboard').click();
    await page.locator('.failure-list', { hasText: 'Broken Movie.mkv' }).waitFor();

    await navLink(page, /^Queue/).click();
    const before = await server.api<{ retry_count: number }>('GET', `/api/jobs/${jobId}`);
    await row.getByRole('button', { name: /retry/i }).click();
    await page.getByText('Retrying Broken Movie.mkv').waitFor();
    // The worker may pick it up and fail it again at once; either it is back
    // in the queue or it has been tried once more.
    const r = await server.api<{ retry_count: number; status: string }>('GET', `/api/jobs/${jobId}`);
    assert.ok(
      r.body.status === 'queued' || r.body.status === 'processing' || r.body.retry_count > before.body.retry_count,
      `after Retry: ${JSON.stringify(r.body)}`,
    );
    assert.deepEqual(session.errors, []);
  });

  test('Retry all failed and Clear failed act on every failed job', { timeout: 120_000 }, async () => {
    const { page } = session;
    // The worker fails the broken file again; wait until it is failed.
    await waitFor('the job failed again', async () => (await server.api<{ status: string }>('GET', `/api/jobs/${jobId}`)).body.status === 'failed', 90_000);
    await page.goto('/#/queue');
    await page.getByRole('button', { name: 'Retry all failed' }).click();
    await page.getByText(/Retried 1 failed job/).waitFor();
    await waitFor('the job failed once more', async () => (await server.api<{ status: string }>('GET', `/api/jobs/${jobId}`)).body.status === 'failed', 90_000);
    await page.reload();
    await page.getByRole('button', { name: 'Clear failed' }).click();
    const dialog = page.getByRole('dialog', { name: 'Clear failed jobs' });
    await dialog.getByRole('button', { name: 'Clear' }).click();
    await page.getByText('Cleared 1 failed job').waitFor();
    assert.equal((await server.api('GET', `/api/jobs/${jobId}`)).status, 404);
    await screenshot(page, 'queue-after-clear-failed');
    assert.deepEqual(session.errors, []);
  });
});
