/**
 * The quality presets, defined once: the jobs and rules APIs validate against
 * this list, the settings offer it as choices, and the resolver
 * (resolve.ts) turns a preset into decoding options. Presets differ in
 * decoding effort only; the model is `whisper_model` unless a preset's own
 * `preset_<name>_model` is set.
 */
export const QUALITY_PRESETS = ['fast', 'balanced', 'best'] as const;
export type QualityPreset = (typeof QUALITY_PRESETS)[number];

/**
 * Default of `transcription_preset`: jobs and rules created without a preset.
 * `fast` because that is what such jobs always got (the setting was not read
 * before), so existing libraries keep their speed.
 */
export const DEFAULT_QUALITY_PRESET: QualityPreset = 'fast';
/** Default of `provider_quality_preset`: provider jobs always ran with beam 5 on whisper_model. */
export const DEFAULT_PROVIDER_PRESET: QualityPreset = 'balanced';

/** Beam size of each preset when its `preset_<name>_beam_size` setting is empty (also those settings' defaults). */
export const PRESET_BEAM_SIZE: Readonly<Record<QualityPreset, number>> = { fast: 1, balanced: 5, best: 5 };

export function isQualityPreset(value: unknown): value is QualityPreset {
  return typeof value === 'string' && (QUALITY_PRESETS as readonly string[]).includes(value);
}

// Only the keys read here (a literal union, so this module needs nothing from settings/, which imports it).
type Get = (key: 'transcription_preset' | 'provider_quality_preset') => unknown;

/** The preset of a job or rule created without one: the `transcription_preset` setting. */
export function defaultQualityPreset(get: Get): QualityPreset {
  const v = get('transcription_preset');
  return isQualityPreset(v) ? v : DEFAULT_QUALITY_PRESET;
}

/** The preset of provider requests (/asr, /detect-language, /v1/audio/*): `provider_quality_preset`. */
export function providerQualityPreset(get: Get): QualityPreset {
  const v = get('provider_quality_preset');
  return isQualityPreset(v) ? v : DEFAULT_PROVIDER_PRESET;
}
