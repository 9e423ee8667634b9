import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatBytes } from './format.js';

test('sizes in binary units with one decimal', () => {
  assert.equal(formatBytes(0), '0 bytes');
  assert.equal(formatBytes(1023), '1023 bytes');
  assert.equal(formatBytes(1536), '1.5 KiB');
  assert.equal(formatBytes(350 * 2 ** 20), '350.0 MiB');
  assert.equal(formatBytes(3 * 2 ** 40), '3.0 TiB');
});
