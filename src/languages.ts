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
