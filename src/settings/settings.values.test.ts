import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listenHostProblem, normalizeValue, parseList, proxyListProblem, typedValue } from './settings.values.js';
import { definitionByKey } from './definitions/index.js';

test('integers refuse text and respect bounds', () => {
  assert.equal(normalizeValue({ key: 'n', value_type: 'integer' }, ' 42 '), '42');
  assert.throws(() => normalizeValue({ key: 'n', value_type: 'integer' }, 'abc'), /n must be an integer/);
  assert.throws(() => normalizeValue({ key: 'n', value_type: 'integer', min: 1 }, '0'), /at least 1/);
  assert.throws(() => normalizeValue({ key: 'n', value_type: 'integer' }, '1.5'), /integer/);
});

test('booleans accept the usual spellings and store true/false', () => {
  assert.equal(normalizeValue({ key: 'b', value_type: 'boolean' }, 'YES'), 'true');
  assert.equal(normalizeValue({ key: 'b', value_type: 'boolean' }, false), 'false');
  assert.throws(() => normalizeValue({ key: 'b', value_type: 'boolean' }, 'maybe'), /true or false/);
});

test('choices, json and lists', () => {
  assert.throws(() => normalizeValue({ key: 'c', value_type: 'string', choices: ['a', 'b'] }, 'z'), /one of a, b/);
  assert.throws(() => normalizeValue({ key: 'j', value_type: 'json' }, '{nope'), /valid JSON/);
  assert.deepEqual(parseList('eng|jpn'), ['eng', 'jpn']);
  assert.deepEqual(parseList('/a, /b'), ['/a', '/b']);
  assert.deepEqual(parseList('["/x,y"]'), ['/x,y']);
  assert.deepEqual(typedValue('list', ''), []);
  assert.equal(typedValue('integer', '7'), 7);
});

test('a list that starts like a JSON array must be one', () => {
  assert.equal(normalizeValue({ key: 'l', value_type: 'list' }, '["/a", "/b"]'), '["/a", "/b"]');
  assert.equal(normalizeValue({ key: 'l', value_type: 'list' }, '/a, /b'), '/a, /b');
  assert.throws(() => normalizeValue({ key: 'l', value_type: 'list' }, '["/x"'), /l must be a JSON array or items separated by commas, got "\["\/x""/);
});

test('trust_proxy takes what proxy-addr reads, nothing else', () => {
  for (const ok of ['', 'false', 'loopback', 'loopback, 10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8', '10.0.0.0/255.0.0.0', 'linklocal,uniquelocal']) {
    assert.equal(proxyListProblem(ok), null, ok);
  }
  for (const bad of ['true', 'garbage', '10.0.0.0/33', '10.0.0.1/8/2', 'proxy.lan', '::1/129']) {
    assert.match(proxyListProblem(bad) ?? '', /loopback/, bad);
  }
  assert.throws(() => normalizeValue({ key: 'trust_proxy', value_type: 'string', format: proxyListProblem }, 'yes'), /trust_proxy must be empty, "loopback"/);
});

test('api_host takes an address or a host name, never a URL, a port or junk (it would only fail at the next start)', () => {
  for (const ok of ['', '0.0.0.0', '127.0.0.1', '::', '[::1]', 'fd00::1', 'localhost', 'media-box.lan', 'NAS']) {
    assert.equal(listenHostProblem(ok), null, ok);
  }
  for (const bad of ['http://0.0.0.0', '0.0.0.0:8000', '0.0.0.0; drop', 'my host', '-box', 'a..b', 'x'.repeat(64)]) {
    assert.match(listenHostProblem(bad) ?? '', /IP address/, bad);
  }
  const apiHost = definitionByKey.get('api_host')!;
  assert.throws(() => normalizeValue(apiHost, 'http://0.0.0.0:8000'), /api_host must be an IP address/);
});
