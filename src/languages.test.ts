import { test } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeLanguage, toWhisperCode, formatLanguageForFileName, findLanguage, findVariant, translationTarget } from './languages.js';

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

test("Bazarr's own codes for regional variants name the base language for Whisper and keep the variant for text and file names", () => {
  // bazarr/languages/custom_lang.py: pb/pob Portuguese (Brazil), zt/zht Chinese Traditional, ea/spl Spanish (Latino).
  for (const [code, base, whisper] of [['pb', 'por', 'pt'], ['pob', 'por', 'pt'], ['zt', 'zho', 'zh'], ['zht', 'zho', 'zh'], ['ea', 'spa', 'es'], ['spl', 'spa', 'es']] as const) {
    assert.equal(normalizeLanguage(code), base, code);
    assert.equal(toWhisperCode(code), whisper, code);
    assert.equal(findVariant(code)?.base, base, code);
  }
  assert.equal(findVariant('pob')?.bazarr2, 'pb');
  assert.equal(findVariant('zh-Hant')?.bazarr2, 'zt');
  assert.equal(findVariant('es-419')?.bazarr2, 'ea');
  assert.equal(findVariant('por'), null, 'the plain language is no variant');
  assert.equal(findVariant('pt'), null);
  assert.equal(normalizeLanguage('Chinese Simplified'), 'zho', "Bazarr's name for Chinese");
  assert.equal(normalizeLanguage('Portuguese (Brazil)'), 'por');
});

test('translation targets keep the regional variant where the provider has one', () => {
  assert.equal(translationTarget('pob', 'deepl'), 'PT-BR');
  assert.equal(translationTarget('zht', 'deepl'), 'ZH-HANT');
  assert.equal(translationTarget('spl', 'deepl'), 'ES-419');
  assert.equal(translationTarget('por', 'deepl'), 'PT');
  assert.equal(translationTarget('pb', 'libretranslate'), 'pb');
  assert.equal(translationTarget('zt', 'libretranslate'), 'zt');
  assert.equal(translationTarget('ea', 'libretranslate'), 'es');
  assert.equal(translationTarget('fra', 'libretranslate'), 'fr');
  assert.equal(translationTarget('pob', 'openai'), 'Portuguese (Brazil)');
  assert.equal(translationTarget('deu', 'openai'), 'German');
  assert.equal(translationTarget('xx-nope', 'deepl'), null);
});

test('file names keep the regional variant in a form Bazarr reads back', () => {
  assert.equal(formatLanguageForFileName('pob', 'ISO_639_1'), 'pt-BR');
  assert.equal(formatLanguageForFileName('zt', 'ISO_639_1'), 'zh-TW');
  assert.equal(formatLanguageForFileName('spl', 'ISO_639_1'), 'es-MX');
  assert.equal(formatLanguageForFileName('pb', 'ISO_639_2_B'), 'pob');
  assert.equal(formatLanguageForFileName('zht', 'NAME'), 'Chinese Traditional');
  assert.equal(formatLanguageForFileName('por', 'ISO_639_1'), 'pt', 'the plain language is unchanged');
});
