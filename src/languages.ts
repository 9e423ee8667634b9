/**
 * Language codes. The API speaks ISO 639-2 and stores the terminologic form
 * (`fra`, `deu`); input may be 639-2/B (`fre`), 639-2/T, 639-1 (`fr`), a
 * regional tag (`pt-BR`), or an English name. Whisper speaks 639-1.
 */
import langs from 'langs';

export interface Language {
  /** canonical ISO 639-2/T code, e.g. `fra` */
  code: string;
  iso6391: string | null;
  iso6392B: string;
  name: string;
  native: string;
}

interface LangsEntry {
  '1': string;
  '2T': string;
  '2B': string;
  '3': string;
  name: string;
  local: string;
}

// Languages Whisper knows that have no ISO 639-1 code.
const EXTRA: Language[] = [
  { code: 'haw', iso6391: null, iso6392B: 'haw', name: 'Hawaiian', native: 'ʻŌlelo Hawaiʻi' },
  { code: 'yue', iso6391: null, iso6392B: 'yue', name: 'Cantonese', native: '粵語' },
];

const byKey = new Map<string, Language>();
const all: Language[] = [];

function add(lang: Language, ...keys: (string | null | undefined)[]): void {
  if (!all.includes(lang)) all.push(lang);
  for (const k of keys) if (k) byKey.set(k.toLowerCase(), lang);
}

for (const e of langs.all() as LangsEntry[]) {
  const lang: Language = {
    code: e['2T'],
    iso6391: e['1'],
    iso6392B: e['2B'],
    name: e.name,
    native: e.local,
  };
  add(lang, e['2T'], e['2B'], e['1'], e['3'], e.name);
}
for (const e of EXTRA) add(e, e.code, e.name);

// Whisper's own names that differ from the ISO English names.
const ALIASES: Record<string, string> = {
  castilian: 'spa', flemish: 'nld', haitian: 'hat', letzeburgesch: 'ltz', moldavian: 'ron',
  moldovan: 'ron', pushto: 'pus', panjabi: 'pan', sinhalese: 'sin', valencian: 'cat',
  burmese: 'mya', mandarin: 'zho', chinese: 'zho', greek: 'ell', persian: 'fas', swahili: 'swa',
};
for (const [alias, code] of Object.entries(ALIASES)) {
  const lang = byKey.get(code);
  if (lang && !byKey.has(alias)) byKey.set(alias, lang);
}

/**
 * A regional variant that Bazarr keeps as a language of its own, with codes
 * that are in no ISO table (bazarr/languages/custom_lang.py: BrazilianPortuguese,
 * ChineseTraditional, LatinAmericanSpanish). Whisper hears the base language;
 * the variant matters for the text (a translation provider's target) and for
 * what Bazarr is told (its code2).
 */
export interface LanguageVariant {
  /** Bazarr's alpha2, what its API and uploads use (`pb`) */
  bazarr2: string;
  /** Bazarr's alpha3 (`pob`) */
  bazarr3: string;
  /** the base language, canonical ISO 639-2/T (`por`) */
  base: string;
  /** BCP 47 tag of the variant (`pt-BR`), as file names and most tools write it */
  tag: string;
  /** how a subtitle's file name writes it, the form Bazarr writes and recognises (`Movie.pt-BR.srt`) */
  fileTag: string;
  /** Bazarr's name for it */
  name: string;
  /** other spellings that mean it (tags, names), lower case */
  also: string[];
}

const VARIANTS: LanguageVariant[] = [
  { bazarr2: 'pb', bazarr3: 'pob', base: 'por', tag: 'pt-BR', fileTag: 'pt-BR', name: 'Portuguese (Brazil)', also: ['pt-br', 'brazilian portuguese', 'portuguese (brazil)'] },
  { bazarr2: 'zt', bazarr3: 'zht', base: 'zho', tag: 'zh-TW', fileTag: 'zh-TW', name: 'Chinese Traditional', also: ['zh-tw', 'zh-hant', 'zh-hk', 'chinese traditional', 'traditional chinese'] },
  // Bazarr's language for it is es-MX with the 419 script (Latin America): es-419 is the standard tag, es-MX what Bazarr writes in file names.
  { bazarr2: 'ea', bazarr3: 'spl', base: 'spa', tag: 'es-419', fileTag: 'es-MX', name: 'Spanish (Latino)', also: ['es-419', 'es-mx', 'es-la', 'spanish (latino)', 'latin american spanish'] },
];

const variantByKey = new Map<string, LanguageVariant>();
for (const v of VARIANTS) {
  for (const k of [v.bazarr2, v.bazarr3, ...v.also]) variantByKey.set(k, v);
  // Bazarr's own codes name the base language wherever only a language is asked for (Whisper, rules, jobs).
  const base = byKey.get(v.base);
  if (base) for (const k of [v.bazarr2, v.bazarr3, v.name.toLowerCase()]) if (!byKey.has(k)) byKey.set(k, base);
}
// Bazarr renames Chinese (zho) "Chinese Simplified" (bazarr/languages/get_languages.py).
if (byKey.get('zho') && !byKey.has('chinese simplified')) byKey.set('chinese simplified', byKey.get('zho')!);

/** The regional variant a code or name means (`pob`, `pb`, `pt-BR`, `zh-Hant`), or null for a plain language. */
export function findVariant(input: string | null | undefined): LanguageVariant | null {
  if (!input) return null;
  return variantByKey.get(input.trim().toLowerCase().replace(/_/g, '-')) ?? null;
}

type TranslationProviderName = 'libretranslate' | 'deepl' | 'openai';

/**
 * The target a translation provider takes for `input`, the regional variant
 * kept where the provider knows it: DeepL `PT-BR`, `ZH-HANT`, `ES-419`;
 * LibreTranslate (Argos) `pb` and `zt`, which are its own codes for these
 * two, else the 639-1 code; an OpenAI-compatible model the language's name.
 * Null when the language is unknown.
 */
export function translationTarget(input: string, provider: TranslationProviderName): string | null {
  const variant = findVariant(input);
  const lang = findLanguage(input);
  if (!lang) return null;
  const base = toWhisperCode(lang.code) ?? lang.code;
  switch (provider) {
    case 'deepl':
      if (variant) return variant.base === 'zho' ? 'ZH-HANT' : variant.tag.toUpperCase();
      return base.toUpperCase();
    case 'libretranslate':
      return variant && variant.base !== 'spa' ? variant.bazarr2 : base;
    case 'openai':
      return variant ? variant.name : lang.name.split(/[;,]/)[0].trim();
  }
}

/** Finds a language from any accepted spelling; null when unknown. */
export function findLanguage(input: string | null | undefined): Language | null {
  if (!input) return null;
  const raw = input.trim().toLowerCase().replace(/_/g, '-');
  if (!raw) return null;
  const direct = byKey.get(raw);
  if (direct) return direct;
  // Regional tags: pt-BR, zh-Hans, en-US
  const base = raw.split('-')[0];
  return byKey.get(base) ?? null;
}

/** Canonical ISO 639-2/T code or null. `normalizeLanguage('fre') === 'fra'` */
export function normalizeLanguage(input: string | null | undefined): string | null {
  return findLanguage(input)?.code ?? null;
}

/** The code Whisper uses for a language (`fra` -> `fr`), null when Whisper has none. */
export function toWhisperCode(input: string | null | undefined): string | null {
  const lang = findLanguage(input);
  if (!lang) return null;
  if (lang.iso6391) return lang.iso6391 === 'zh' ? 'zh' : lang.iso6391;
  return lang.code === 'haw' || lang.code === 'yue' ? lang.code : null;
}

export function languageName(input: string | null | undefined): string | null {
  return findLanguage(input)?.name ?? null;
}

export function allLanguages(): readonly Language[] {
  return all;
}

export type LanguageNamingType = 'ISO_639_1' | 'ISO_639_2_T' | 'ISO_639_2_B' | 'NAME' | 'NATIVE';

/** How a language is written into a subtitle file name (`Movie.<this>.srt`). */
export function formatLanguageForFileName(input: string, naming: LanguageNamingType): string {
  const lang = findLanguage(input);
  if (!lang) return input;
  // A regional variant keeps its region in the name, in a form Bazarr and media servers read back.
  const variant = findVariant(input);
  if (variant) return naming === 'ISO_639_1' ? variant.fileTag : naming === 'NAME' ? variant.name : naming === 'NATIVE' ? lang.native.split(/[;,]/)[0].trim() : variant.bazarr3;
  switch (naming) {
    case 'ISO_639_1':
      return lang.iso6391 ?? lang.code;
    case 'ISO_639_2_T':
      return lang.code;
    case 'ISO_639_2_B':
      return lang.iso6392B;
    case 'NAME':
      return lang.name.split(/[;,]/)[0].trim();
    case 'NATIVE':
      return lang.native.split(/[;,]/)[0].trim();
  }
}
