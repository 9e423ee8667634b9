import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeLanguage, toWhisperCode, formatLanguageForFileName, findLanguage } from './languages.js';

test('bibliographic, terminologic, 639-1, names and regional tags map to one canonical code', () => {
  assert.equal(normalizeLanguage('fre'), 'fra');
  assert.equal(normalizeLanguage('fra'), 'fra');
  assert.equal(normalizeLanguage('fr'), 'fra');
  assert.equal(normalizeLanguage('ger'), 'deu');
  assert.equal(normalizeLanguage('German'), 'deu');
  assert.equal(normalizeLanguage('pt-BR'), 'por');
  assert.equal(normalizeLanguage('JPN'), 'jpn');
  assert.equal(normalizeLanguage('xx-nope'), null);
  assert.equal(normalizeLanguage(''), null);
});

test('whisper codes come from 639-1 with the whisper-only extras', () => {
  assert.equal(toWhisperCode('spa'), 'es');
  assert.equal(toWhisperCode('chi'), 'zh');
  assert.equal(toWhisperCode('yue'), 'yue');
  assert.equal(toWhisperCode('zzz'), null);
});

test('file-name naming types', () => {
  assert.equal(formatLanguageForFileName('spa', 'ISO_639_1'), 'es');
  assert.equal(formatLanguageForFileName('fra', 'ISO_639_2_B'), 'fre');
  assert.equal(formatLanguageForFileName('fre', 'ISO_639_2_T'), 'fra');
  assert.equal(formatLanguageForFileName('spa', 'NAME'), 'Spanish');
  assert.ok(findLanguage('spa')?.native);
});
