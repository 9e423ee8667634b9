/**
 * The review queue as a person works it: a real worker transcribes a library
 * file with the random-weight test model, whose gibberish scores under the
 * review line. The Dashboard counts it and links to the Queue filtered on it;
 * the job page shows the quality panel; the Library's "Needs review" filter
 * lists the file; its page plays the audio of a flagged passage (the clip is
 * WAV audio exactly as long as the cue); Accept clears the flag, and a rescan
 * of the library leaves it cleared. Screenshots of each view at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { ARTIFACTS, browserSkip, ensureWebBuilt, makeMovie, openBrowser, screenshot, startServer, tempDir, testModelSettings, waitFor, type BrowserSession, type RunningServer } from './harness.ts';

interface JobJson { id: string; status: string; needs_review?: boolean; quality_score?: number | null; error?: string | null }
interface Items { total: number; items: Array<{ id: number; file_name: string }> }

async function noSideways(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
  assert.ok(overflow <= 0, `${what}: no sideways scrolling (${overflow} px)`);
}

/** Screenshots the page at 1280 px, then at 360 px (checking it fits), and goes back to 1280. */
async function shoot(page: Page, name: string): Promise<void> {
  await screenshot(page, `${name}-1280`);
  await page.setViewportSize({ width: 360, height: 780 });
  await page.waitForTimeout(150);
  await noSideways(page, name);
  await screenshot(page, `${name}-360`);
  await page.setViewportSize({ width: 1280, height: 860 });
}

// Kept as source text: the test runner's transpiler adds helpers to functions
// that do not exist in the page. Fetches the <audio> element's own URL and
// reads the WAV it answers: its type and how many seconds of samples it holds.
const READ_CLIP = `(async () => {
  const audio = document.querySelector('audio.cue-audio');
  const res = await fetch(audio.src);
  const buf = new DataView(await res.arrayBuffer());
  const tag = (o) => String.fromCharCode(buf.getUint8(o), buf.getUint8(o + 1), buf.getUint8(o + 2), buf.getUint8(o + 3));
  let byteRate = 0, dataAt = -1;
  for (let o = 12; o + 8 <= buf.byteLength; ) {
    const id = tag(o), size = buf.getUint32(o + 4, true);
    if (id === 'fmt ') byteRate = buf.getUint32(o + 16, true);
    if (id === 'data') { dataAt = o + 8; break; }
    o += 8 + size + (size % 2);
  }
  return { type: res.headers.get('content-type'), riff: tag(0), wave: tag(8), byteRate, bytes: dataAt < 0 ? 0 : buf.byteLength - dataAt, src: audio.src };
})()`;

describe('quality review: filters, the quality panel, a playable flagged passage, Accept that lasts', { skip: browserSkip() }, () => {
  let server: RunningServer;
  let session: BrowserSession;
  let library: string;
  let job: JobJson;

  before(async () => {
    ensureWebBuilt();
    library = tempDir('tio-e2e-review-');
    makeMovie(join(library, 'Movies', 'Talk (2020)'), 'Talk (2020).mkv', 'Good evening. Tonight we talk about rivers, bridges and the people who build them.');
    server = await startServer();
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('PUT', '/api/settings/library_paths', { value: library })).status, 200);
    assert.equal((await server.api('POST', '/api/settings/bulk-update', { settings: testModelSettings() })).status, 200);
    assert.equal((await server.api('POST', '/api/scan-rules', { name: 'English subtitles', conditions: { audio_language_is: 'eng' }, action: { target_language: 'eng' } })).status, 201);
    assert.equal((await server.api('POST', '/api/scanner/scan', {})).status, 200);
    assert.equal((await server.api('POST', '/api/workers', { worker_type: 'cpu' })).status < 300, true);
    await waitFor(
      'the job to finish',
      async () => {
        const r = await server.api<{ jobs: JobJson[] }>('GET', '/api/jobs?page_size=5');
        job = r.body.jobs[0]!;
        return !!job && (job.status === 'completed' || job.status === 'failed');
      },
      300_000,
      500,
    );
    assert.equal(job.status, 'completed', `the job completed (${job.error ?? ''})`);
    assert.equal(job.needs_review, true, `the test model's gibberish needs review (score ${job.quality_score})`);
  });

  after(async () => {
    await session?.close();
    await server?.stop();
  });

  test('Dashboard → Queue filtered on review → job page with its quality panel', async () => {
    session = await openBrowser(server.url);
    const { page, errors } = session;
    await page.goto('/#/dashboard');
    const stat = page.getByRole('link', { name: /Needs review/ });
    await stat.waitFor();
    assert.match((await stat.textContent()) ?? '', /Needs review\s*1/);
    await shoot(page, 'review-dashboard');

    await stat.click();
    await page.waitForURL(/#\/queue\?needs_review=true/);
    const tab = page.getByRole('tab', { name: /Needs review/ });
    assert.equal(await tab.getAttribute('aria-selected'), 'true');
    const row = page.locator(`tr[data-job-id="${job.id}"]`);
    await row.waitFor();
    assert.equal(await page.locator('tbody tr').count(), 1, 'only the job that needs review');
    assert.match((await row.locator('.score-badge').textContent()) ?? '', new RegExp(`Needs review · ${job.quality_score}`, 'i'));
    await shoot(page, 'review-queue');

    await row.getByRole('button', { name: 'Talk (2020).mkv' }).click();
    const panel = page.getByRole('region', { name: 'Quality' });
    await panel.locator('.quality-score').waitFor();
    assert.match((await panel.textContent()) ?? '', /Needs review/);
    assert.ok((await panel.getByRole('button', { name: /^Play / }).count()) > 0, 'flagged passages can be played');
    await panel.getByRole('button', { name: 'Accept' }).waitFor();
    await panel.getByRole('button', { name: 'Redo' }).waitFor();
    await panel.getByRole('button', { name: 'Delete ours' }).waitFor();
    await shoot(page, 'review-job');
    // The unsure passages were decoded once more: the timeline says when, why and what came of it.
    const retry = page.locator('.timeline [data-kind="quality_retry"]').first();
    await retry.waitFor();
    assert.match((await retry.textContent()) ?? '', /Passage decoded again.*\d:\d\d\.\d – \d:\d\d\.\d \(.+\): (replaced|kept|could not|skipped)/);
    await retry.scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(ARTIFACTS, 'review-job-timeline-1280.png') });
    assert.deepEqual(errors, []);
  });

  test("Library's Needs review filter → item page plays a flagged passage → Accept clears it, also after a rescan", async () => {
    const { page, errors } = session;
    await page.goto('/#/library');
    const reviewTab = page.getByRole('tab', { name: /Needs review/ });
    await reviewTab.waitFor();
    await reviewTab.click();
    await page.waitForURL(/filter=needs_review/);
    const rows = page.getByRole('list', { name: 'Files' }).locator('[data-item-id]');
    await waitFor('the file in the Needs review filter', async () => (await rows.count()) === 1);
    assert.match((await rows.first().textContent()) ?? '', /Talk \(2020\)\.mkv/);
    assert.match((await rows.first().locator('.score-badge').textContent()) ?? '', /Needs review/i);
    assert.equal((await reviewTab.locator('.tab-count').textContent())?.trim(), '1');
    await shoot(page, 'review-library');

    await rows.first().getByRole('link').first().click();
    const quality = page.getByRole('region', { name: 'English' });
    await quality.waitFor();
    await page.locator('.subtitle-score').first().waitFor();
    const cue = quality.locator('.flagged-cue').filter({ has: page.getByRole('button', { name: /^Play / }) }).first();
    const start = Number(await cue.getAttribute('data-start'));
    const end = Number(await cue.getAttribute('data-end'));
    await cue.getByRole('button', { name: /^Play / }).click();
    const audio = cue.locator('audio.cue-audio');
    await audio.waitFor();
    // The browser itself loads it: its metadata says how long it is.
    await waitFor('the browser to load the clip', async () => (await audio.evaluate((a: HTMLAudioElement) => a.readyState)) >= 1);
    const played = await audio.evaluate((a: HTMLAudioElement) => a.duration);
    const clip = (await page.evaluate(READ_CLIP)) as { type: string; riff: string; wave: string; byteRate: number; bytes: number; src: string };
    assert.match(clip.src, new RegExp(`/api/jobs/${job.id}/clip\\?start=`));
    assert.match(clip.type, /^audio\/(wav|x-wav|wave)/);
    assert.equal(`${clip.riff}/${clip.wave}`, 'RIFF/WAVE');
    const seconds = clip.bytes / clip.byteRate;
    assert.ok(Math.abs(seconds - (end - start)) < 0.1, `the clip holds ${seconds.toFixed(3)} s of audio, the cue lasts ${(end - start).toFixed(3)} s`);
    assert.ok(Math.abs(played - (end - start)) < 0.1, `the browser plays ${played} s, the cue lasts ${(end - start).toFixed(3)} s`);
    await shoot(page, 'review-item');

    await quality.getByRole('button', { name: 'Accept' }).click();
    await page.getByText('Accepted: this subtitle no longer waits for review.').waitFor();
    await waitFor('the panel to say it was accepted', async () => (await quality.getAttribute('data-needs-review')) === 'false' || (await quality.locator('[data-needs-review="false"]').count()) > 0);
    assert.equal(await quality.getByRole('button', { name: 'Accept' }).count(), 0);
    await waitFor('the item to leave the review queue', async () => (await server.api<Items>('GET', '/api/library/items?filter=needs_review')).body.total === 0);
    await shoot(page, 'review-item-accepted');

    // A rescan reads the job's flag again; it must not bring the file back.
    assert.equal((await server.api('POST', '/api/scanner/scan', {})).status, 200);
    const j = await server.api<JobJson>('GET', `/api/jobs/${job.id}`);
    assert.equal(j.body.needs_review, false);
    assert.equal((await server.api<Items>('GET', '/api/library/items?filter=needs_review')).body.total, 0);
    await page.goto('/#/library?filter=needs_review');
    await page.getByText('No files match.').waitFor();
    assert.equal((await page.getByRole('tab', { name: /Needs review/ }).locator('.tab-count').textContent())?.trim(), '0');
    await page.goto('/#/queue?needs_review=true');
    await page.getByText(/No subtitle waits for review/).waitFor();
    assert.deepEqual(errors, []);
  });
});
