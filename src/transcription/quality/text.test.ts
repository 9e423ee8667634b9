import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compressionRatio, cueChars, normalizeText, trigramRepeatShare, trigrams } from './text.js';

test('compression ratio is whisper\'s: bytes over Python zlib.compress bytes (values from Python)', () => {
  assert.equal(compressionRatio('I am going home now '.repeat(12).trim()), 239 / 31);
  const jfk = 'And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country.';
  assert.equal(compressionRatio(jfk), 107 / 79);
  assert.equal(compressionRatio(''), 0);
});

test('3-grams are of words, or of characters for text without spaces (Japanese)', () => {
  assert.deepEqual(trigrams(normalizeText('Go, go — GO now!')).length, 2);
  assert.equal(trigramRepeatShare(trigrams(normalizeText('the end the end the end the end'))), 4 / 6);
  const ja = normalizeText('ありがとうありがとうありがとうありがとう');
  assert.ok(!ja.includes(' '));
  assert.ok(trigramRepeatShare(trigrams(ja)) > 0.7);
  assert.equal(trigramRepeatShare(trigrams(normalizeText('今日はとても良い天気ですね'))), 0);
});

test('a reader\'s characters leave line breaks and the spaces around them out', () => {
  assert.equal(cueChars('Hello\nworld'), 10);
  assert.equal(cueChars(' Hello \n world '), 10);
  assert.equal(cueChars('日本語'), 3);
});
