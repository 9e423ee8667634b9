import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from './logger.js';
import { redactUrl } from './security/request-guard.js';

test('log lines censor keys and tokens in the fields that carry them', () => {
  const lines: string[] = [];
  const sink = new Writable({ write: (chunk, _enc, done) => (lines.push(String(chunk)), done()) });
  const log = createLogger('info', 'test', sink as never);
  log.info({ api_key: 'k1-secret', server: { token: 'k2-secret' }, req: { headers: { 'x-api-key': 'k3-secret', authorization: 'Bearer k4-secret' } } }, 'hello');
  const out = lines.join('');
  for (const s of ['k1-secret', 'k2-secret', 'k3-secret', 'k4-secret']) assert.ok(!out.includes(s), `${s} was logged: ${out}`);
  assert.match(out, /hello/);
});

test('logged URLs carry neither the query string nor the key of a provider URL', () => {
  assert.equal(redactUrl('/api/jobs?apikey=abc'), '/api/jobs');
  assert.equal(redactUrl('/provider/0123abcd/asr?output=srt'), '/provider/<key>/asr');
  assert.equal(redactUrl('/status'), '/status');
});
