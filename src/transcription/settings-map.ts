/**
 * Settings (database keys, see src/settings/definitions/transcription.ts and
 * subtitles.ts) -> pipeline options. `get` returns the typed value or the raw
 * string; both are accepted.
 */
import type { LanguageNamingType } from '../languages.js';
import { catalogueEntry } from './models.js';
import type { TranscribeMediaOptions } from './pipeline.js';
import type { TranslationProviderType } from './translate.js';
import { SUBTITLE_FORMATS, type SubtitleFormat } from './types.js';

type Get = (key: string) => unknown;
export type Preset = 'fast' | 'balanced' | 'best';

const str = (get: Get, k: string, d = ''): string => {
  const v = get(k);
  return v === undefined || v === null ? d : String(v);
};
const num = (get: Get, k: string, d: number): number => {
  const v = Number(get(k));
  return get(k) === '' || get(k) === undefined || get(k) === null || !Number.isFinite(v) ? d : v;
};
const bool = (get: Get, k: string, d: boolean): boolean => {
  const v = get(k);
  if (v === undefined || v === null || v === '') return d;
  return v === true || String(v).toLowerCase() === 'true' || v === '1';
};

const PRESET_DEFAULTS: Record<Preset, { model: string; beamSize: number }> = {
  fast: { model: 'small', beamSize: 1 },
  balanced: { model: 'medium', beamSize: 5 },
  best: { model: 'large-v3', beamSize: 5 },
};

/** Applies the compute type: int8 types prefer the q8_0 file of a catalogue model. */
function withComputeType(model: string, computeType: string): string {
  if (!/int8/.test(computeType)) return model;
  const q = catalogueEntry(`${model}-q8_0`);
  return q ? q.name : model;
}

/** fast / balanced / best -> model, beam size, best-of and compute type. */
export function presetOptions(preset: Preset, get: Get): { model: string; beamSize: number; bestOf: number; computeType: string } {
  const d = PRESET_DEFAULTS[preset] ?? PRESET_DEFAULTS.balanced;
  const device = str(get, 'transcribe_device', 'cpu');
  const computeType = device === 'cpu' ? str(get, 'cpu_compute_type', 'auto') : str(get, 'gpu_compute_type', 'auto');
  const fallbackModel = preset === 'balanced' ? str(get, 'whisper_model', d.model) : d.model;
  const model = str(get, `preset_${preset}_model`, '') || fallbackModel;
  return {
    model: withComputeType(model, computeType),
    beamSize: num(get, `preset_${preset}_beam_size`, d.beamSize),
    bestOf: num(get, 'whisper_best_of', 5),
    computeType,
  };
}

/** Line length from the original's regroup recipe (`..._sl=42...`), if it sets one. */
function lineCharsFromRecipe(recipe: string): number | null {
  const m = /(?:^|_)sl=(\d+)/.exec(recipe);
  return m ? Number(m[1]) : null;
}

export type PipelineSettings = Omit<TranscribeMediaOptions, 'targetLang' | 'sourceLang' | 'audioLanguage'> & { preferredAudioLanguages: string[] };

export function pipelineOptionsFromSettings(get: Get, preset?: Preset | null): PipelineSettings {
  const device = str(get, 'transcribe_device', 'cpu') === 'cpu' ? 'cpu' : 'cuda';
  const computeType = device === 'cpu' ? str(get, 'cpu_compute_type', 'auto') : str(get, 'gpu_compute_type', 'auto');
  const p = preset ? presetOptions(preset, get) : null;
  const recipe = str(get, 'custom_regroup', '');
  const regroupOff = /^(off|false|none)$/i.test(recipe.trim());
  const format = str(get, 'subtitle_format', 'srt') as SubtitleFormat;
  const provider = str(get, 'translation_provider', '') as TranslationProviderType | '';
  const wordHighlight = bool(get, 'word_level_highlight', false);
  return {
    model: p?.model ?? withComputeType(str(get, 'whisper_model', 'medium'), computeType),
    modelDir: str(get, 'model_path', './models'),
    preset: preset ?? null,
    beamSize: p?.beamSize ?? num(get, 'preset_balanced_beam_size', 5),
    bestOf: num(get, 'whisper_best_of', 5),
    temperature: num(get, 'whisper_temperature', 0),
    temperatureFallback: bool(get, 'whisper_temperature_fallback', true),
    initialPrompt: str(get, 'whisper_initial_prompt', '') || undefined,
    wordTimestamps: bool(get, 'whisper_word_timestamps', true) || wordHighlight,
    threads: num(get, 'whisper_threads', 4),
    device,
    gpuDevice: num(get, 'gpu_device_index', 0),
    vad: bool(get, 'vad_enabled', true),
    // A catalogue name is resolved against model_path by the caller (resolveVadModel).
    vadModelPath: str(get, 'vad_model', 'silero-v6.2.0') || null,
    vadThreshold: num(get, 'vad_threshold', 0.5),
    suppressNonSpeech: bool(get, 'suppress_non_speech_phrases', true),
    detectLanguageLength: num(get, 'detect_language_length', 30),
    detectLanguageOffset: num(get, 'detect_language_offset', 0),
    detectLanguageWindows: num(get, 'detect_language_windows', 3),
    forceLanguage: str(get, 'force_detected_language_to', '') || null,
    trustTrackLanguage: get('use_track_language') !== false && get('use_track_language') !== 'false',
    format: SUBTITLE_FORMATS.includes(format) ? format : 'srt',
    lrcForAudioFiles: bool(get, 'lrc_for_audio_files', true),
    namingType: str(get, 'subtitle_language_naming_type', 'ISO_639_2_B') as LanguageNamingType,
    tag: str(get, 'subtitle_tag', '') || null,
    customLanguageName: str(get, 'subtitle_language_name', '') || null,
    wordHighlight,
    lineBreak: regroupOff
      ? false
      : {
          maxLineChars: num(get, 'subtitle_max_line_chars', lineCharsFromRecipe(recipe) ?? 42),
          maxLines: num(get, 'subtitle_max_lines', 2),
          minDuration: num(get, 'subtitle_min_duration', 0.83),
          maxDuration: num(get, 'subtitle_max_duration', 7),
          maxCps: num(get, 'subtitle_max_cps', 20),
        },
    translation: provider
      ? { provider, url: str(get, 'translation_url', '') || null, apiKey: str(get, 'translation_api_key', '') || null, model: str(get, 'translation_model', '') || null, batchSize: num(get, 'translation_batch_size', 40), timeoutSeconds: num(get, 'translation_timeout_seconds', 60) }
      : null,
    preferredAudioLanguages: str(get, 'preferred_audio_languages', 'eng').split(/[|,]/).map((s) => s.trim()).filter(Boolean),
    writeOutput: true,
  };
}
