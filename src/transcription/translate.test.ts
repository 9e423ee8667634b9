import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { translateSegments, createTranslationProvider } from './translate.js';
import type { Segment } from './types.js';

function fake(handler: (body: any, req: IncomingMessage, n: number) => [number, unknown]): Promise<{ server: Server; url: string; calls: any[] }> {
  const calls: any[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => {
      const body = JSON.parse(data || '{}');
      calls.push({ body, headers: req.headers, url: req.url });
      const [status, out] = handler(body, req, calls.length);
      res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(out));
    });
  });
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r({ server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, calls })));
}

const segs: Segment[] = [
  { start: 1, end: 2, text: 'Hello' },
  { start: 3, end: 4.5, text: 'Good\nmorning' },
  { start: 5, end: 6, text: 'Bye' },
];

test('LibreTranslate: batches cues, keeps timings, retries a 503 with back-off', async (t) => {
  const { server, url, calls } = await fake((b, _r, n) => (n === 1 ? [503, { error: 'busy' }] : [200, { translatedText: b.q.map((q: string) => `es:${q}`) }]));
  t.after(() => server.close());
  const out = await translateSegments(segs, 'en', 'es', { provider: 'libretranslate', url, batchSize: 2, backoffMs: 10 });
  assert.deepEqual(out.map((s) => [s.start, s.end, s.text]), [[1, 2, 'es:Hello'], [3, 4.5, 'es:Good morning'], [5, 6, 'es:Bye']]);
  assert.equal(calls.length, 3); // one failure + two batches
  assert.equal(calls[1].body.source, 'en');
});

test('DeepL: key in the Authorization header, upper-case languages', async (t) => {
  const { server, url, calls } = await fake((b) => [200, { translations: b.text.map((x: string) => ({ text: x.toUpperCase() })) }]);
  t.after(() => server.close());
  const out = await translateSegments(segs, 'en', 'de', { provider: 'deepl', url, apiKey: 'k1' });
  assert.equal(out[0].text, 'HELLO');
  assert.equal(calls[0].headers.authorization, 'DeepL-Auth-Key k1');
  assert.equal(calls[0].body.target_lang, 'DE');
});

test('OpenAI-compatible chat: JSON array answer mapped back to cues', async (t) => {
  const { server, url, calls } = await fake((b) => {
    const lines = JSON.parse(/\[[\s\S]*\]$/.exec(b.messages[1].content)![0]) as string[];
    return [200, { choices: [{ message: { content: JSON.stringify(lines.map((l) => `fr:${l}`)) } }] }];
  });
  t.after(() => server.close());
  const out = await translateSegments(segs, 'en', 'fr', { provider: 'openai', url: `${url}/v1`, apiKey: 'sk', model: 'm' });
  assert.equal(out[2].text, 'fr:Bye');
  assert.equal(calls[0].url, '/v1/chat/completions');
  assert.equal(calls[0].body.model, 'm');
});

test('a 400 is not retried; no provider configured is a clear error', async (t) => {
  const { server, url, calls } = await fake(() => [400, { error: 'bad language' }]);
  t.after(() => server.close());
  await assert.rejects(translateSegments(segs, 'en', 'xx', { provider: 'libretranslate', url, backoffMs: 1 }), { code: 'translation_failed' });
  assert.equal(calls.length, 1);
  assert.throws(() => createTranslationProvider({ provider: '' }), { code: 'translation_not_configured' });
});

test('a provider that never answers times out after timeoutSeconds and is retried, then fails', async (t) => {
  let calls = 0;
  const hanging = new Set<import('node:http').ServerResponse>();
  const server = createServer((_req, res) => {
    calls++;
    hanging.add(res); // accept, never answer
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  t.after(() => {
    for (const res of hanging) res.destroy();
    server.close();
  });
  const url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  const t0 = Date.now();
  await assert.rejects(translateSegments(segs, 'en', 'es', { provider: 'libretranslate', url, timeoutSeconds: 0.2, retries: 1, backoffMs: 10 }), { code: 'translation_timeout' });
  const took = Date.now() - t0;
  assert.equal(calls, 2, 'the timed-out request was retried once');
  assert.ok(took >= 400 && took < 3000, `took ${took} ms`);
});

test('translation_timeout_seconds reaches the provider config', async () => {
  const { pipelineOptionsFromSettings } = await import('./settings-map.js');
  const values: Record<string, string> = { translation_provider: 'libretranslate', translation_url: 'http://x', translation_timeout_seconds: '7' };
  assert.equal(pipelineOptionsFromSettings((k) => values[k]).translation?.timeoutSeconds, 7);
  delete values.translation_timeout_seconds;
  assert.equal(pipelineOptionsFromSettings((k) => values[k]).translation?.timeoutSeconds, 60);
});
