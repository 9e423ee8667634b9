/**
 * The Logs page on the real server: the server's and a real worker
 * process's lines (forwarded to the server), newest first, a level filter,
 * live refresh that shows new lines without a reload, and a download of the
 * kept lines with the key taken out; screenshots at 1280 and 360 px.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { browserSkip, ensureWebBuilt, openBrowser, screenshot, startServer, type RunningServer } from './harness.ts';

describe('Logs page', { skip: browserSkip() }, () => {
  let server: RunningServer;
  before(async () => {
    ensureWebBuilt();
    server = await startServer({ env: { LOG_LEVEL: 'info' } });
    await server.api('POST', '/api/setup/skip');
    assert.equal((await server.api('POST', '/api/workers', { worker_type: 'cpu' })).status, 201);
    // The worker process's own "worker started" line reaches the server's log.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = await server.api<{ lines: Array<{ source: string; message: string }> }>('GET', '/api/logs?limit=500');
      if (r.body.lines.some((l) => l.source.startsWith('worker-cpu') && l.message === 'worker started')) break;
      if (Date.now() > deadline) throw new Error(`no worker line in the logs: ${JSON.stringify(r.body)}\n${server.output()}`);
      await new Promise((res) => setTimeout(res, 250));
    }
  });
  after(async () => server?.stop());

  test('server and worker lines, level filter, live refresh, download; fits 1280 and 360 px', async () => {
    for (const [width, name] of [[1280, 'desktop'], [360, 'phone']] as const) {
      const b = await openBrowser(server.url, { width, height: 800 });
      try {
        await b.page.goto(`${server.url}/#/logs`);
        await b.page.getByRole('heading', { name: 'Logs' }).waitFor();
        const list = b.page.getByRole('list', { name: 'Log lines' });
        await list.waitFor();
        await list.getByText('worker started').first().waitFor();
        const workerLine = b.page.locator('.log-line', { hasText: 'worker started' }).first();
        assert.match(await workerLine.innerText(), /worker-cpu-\d/);
        await list.getByText(/Server listening at/).first().waitFor();
        const overflow = await b.page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        assert.ok(overflow <= 1, `no sideways scrolling at ${width} px (${overflow} px)`);
        await screenshot(b.page, `logs-${name}`);

        // Live: a new line shows up without touching the page (a second worker process starts and says so).
        if (width === 1280) {
          const before = await b.page.locator('.log-line', { hasText: 'worker started' }).count();
          assert.equal((await server.api('POST', '/api/workers', { worker_type: 'cpu' })).status, 201);
          await b.page.waitForFunction(
            (n) => [...document.querySelectorAll('.log-line')].filter((l) => l.textContent?.includes('worker started')).length > n,
            before,
            { timeout: 20_000 },
          );
        }

        // Level filter: warnings and errors only; the info lines go.
        await b.page.getByRole('combobox', { name: 'Level' }).selectOption('warn');
        await b.page.waitForFunction(() => ![...document.querySelectorAll('.log-line')].some((l) => l.textContent?.includes('worker started')), null, { timeout: 10_000 });
        const levels = await b.page.locator('.log-level').allInnerTexts();
        assert.ok(levels.every((l) => ['WARN', 'ERROR', 'FATAL'].includes(l)), `only warnings and errors: ${levels.join(', ')}`);
        await b.page.getByRole('combobox', { name: 'Level' }).selectOption('');
        await list.getByText('worker started').first().waitFor();

        if (width === 1280) {
          const [download] = await Promise.all([b.page.waitForEvent('download'), b.page.getByRole('button', { name: 'Download logs' }).click()]);
          assert.match(download.suggestedFilename(), /^transcriptorio-.*\.log$/);
          const text = readFileSync((await download.path())!, 'utf8');
          assert.match(text, /INFO {2}\[worker-cpu-\d\] worker started/);
          assert.match(text, /Generated API key: \[redacted\]/);
          const key = (await server.api<{ value: string }>('GET', '/api/settings/api_key?reveal=true')).body.value;
          assert.ok(key && !text.includes(key), 'the key is not in the downloaded file');
        }
        assert.deepEqual(b.errors, []);
      } finally {
        await b.close();
      }
    }
  });
});
