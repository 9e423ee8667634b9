import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger, logFormat } from './logger.js';
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

test('LOG_FORMAT: pretty on a terminal and JSON otherwise when unset; json|pretty force it; anything else is refused by name', () => {
  assert.equal(logFormat(undefined, true), 'pretty');
  assert.equal(logFormat('', false), 'json');
  assert.equal(logFormat('json', true), 'json');
  assert.equal(logFormat('PRETTY', false), 'pretty');
  assert.throws(() => logFormat('fancy', true), /LOG_FORMAT must be json or pretty .*got "fancy"/);
});

test('sinks get every line as JSON, censored like the main output', () => {
  const main: string[] = [];
  const sink: string[] = [];
  const dest = new Writable({ write: (chunk, _enc, done) => (main.push(String(chunk)), done()) });
  const log = createLogger('info', 'test', dest as never, { sinks: [{ write: (l) => void sink.push(l) }] });
  log.info({ token: 'k9-secret' }, 'to both');
  log.debug('below the level');
  assert.equal(sink.length, 1);
  assert.equal(main.length, 1);
  const parsed = JSON.parse(sink[0]) as { msg: string; token: string };
  assert.equal(parsed.msg, 'to both');
  assert.equal(parsed.token, '[redacted]');
});
