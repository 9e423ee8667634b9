import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeValue, parseList, typedValue } from './settings.values.js';

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
