/**
 * The API documents work on a machine without internet: Swagger UI (/docs)
 * and ReDoc (/redoc) render from the server's own files, and the browser
 * asks nothing of any other host (every such request is recorded and
 * refused). The OpenAPI document marks /health as open (no key).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, browserSkip, openBrowser, startServer, type RunningServer } from './harness.ts';

describe('API documents offline', { skip: browserSkip() }, () => {
  let server: RunningServer;
  before(async () => {
    server = await startServer();
    mkdirSync(ARTIFACTS, { recursive: true });
  });
  after(async () => server?.stop());

  test('/openapi.json documents /health as needing no API key, while the API as a whole needs one', async () => {
    const doc = (await server.api<{ security: unknown[]; paths: Record<string, Record<string, { security?: unknown[] }>> }>('GET', '/openapi.json')).body;
    assert.ok(doc.security.length > 0, 'the document declares the API key as the default');
    assert.deepEqual(doc.paths['/health'].get.security, [], '/health overrides it with no security');
    assert.equal(doc.paths['/api/status'].get.security, undefined, 'an ordinary route keeps the default (the key)');
  });

  for (const [path, ready, name] of [
    ['/docs', '.swagger-ui .info .title', 'swagger'],
    ['/redoc', '[role="navigation"], .menu-content', 'redoc'],
  ] as const) {
    test(`${path} renders with no request to another host`, async () => {
      const b = await openBrowser(server.url, { width: 1280, height: 860 });
      const outside: string[] = [];
      try {
        const origin = new URL(server.url).origin;
        await b.context.route('**/*', (route) => {
          const url = route.request().url();
          if (url.startsWith(origin) || url.startsWith('data:') || url.startsWith('blob:')) return route.continue();
          outside.push(url);
          return route.abort('blockedbyclient');
        });
        await b.page.goto(`${server.url}${path}`);
        await b.page.locator(ready).first().waitFor({ timeout: 30_000 });
        await b.page.getByText('TranscriptorIO API').first().waitFor({ timeout: 30_000 });
        // Fonts, images and validators load after the first paint: give them the time to ask.
        await b.page.waitForLoadState('networkidle');
        await b.page.waitForTimeout(1000);
        // The first screen only: these pages are very long.
        await b.page.screenshot({ path: join(ARTIFACTS, `docs-offline-${name}.png`) });
        assert.deepEqual(outside, [], `${path} asked other hosts for: ${outside.join(', ')}`);
      } finally {
        await b.close();
      }
    });
  }
});
