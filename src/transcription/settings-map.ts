/**
 * Settings (database keys, see src/settings/definitions/transcription.ts and
 * subtitles.ts) -> pipeline options. `get` returns the typed value or the raw
 * string; both are accepted.
 */
import type { LanguageNamingType } from '../languages.js';
import type { TranscribeMediaOptions } from './pipeline.js';
import type { QualityPreset } from '../quality-presets.js';
import { resolveTranscription, type TranscriptionRequest } from './resolve.js';
import { qualityThresholds } from './quality/thresholds.js';
import { bool, num, str, type SettingsGet } from './setting-get.js';
import type { TranslationProviderType } from './translate.js';
import { SUBTITLE_FORMATS, type SubtitleFormat } from './types.js';

type Get = SettingsGet;
/** The CLI's name for a quality preset (src/quality-presets.ts owns the list). */
export type Preset = QualityPreset;

/** Line length from the original's regroup recipe (`..._sl=42...`), if it sets one. */
function lineCharsFromRecipe(recipe: string): number | null {
  const m = /(?:^|_)sl=(\d+)/.exec(recipe);
  return m ? Number(m[1]) : null;
}

export type PipelineSettings = Omit<TranscribeMediaOptions, 'targetLang' | 'sourceLang' | 'audioLanguage'> & { preferredAudioLanguages: string[] };

/**
 * The pipeline's options for a job: model and decoding from the resolver
 * (resolve.ts), everything else straight from the settings. `request` is the
 * job's preset (and device, and a model the request chose); without one the
 * `transcription_preset` setting decides.
 */
export function pipelineOptionsFromSettings(get: Get, request: TranscriptionRequest | QualityPreset | null = null): PipelineSettings {
  const r = resolveTranscription(typeof request === 'string' ? { quality_preset: request } : (request ?? {}), get);
  const recipe = str(get, 'custom_regroup', '');
  const regroupOff = /^(off|false|none)$/i.test(recipe.trim());
  const format = str(get, 'subtitle_format', 'srt') as SubtitleFormat;
  const provider = str(get, 'translation_provider', '') as TranslationProviderType | '';
  const wordHighlight = bool(get, 'word_level_highlight', false);
  return {
    model: r.modelName,
    modelDir: r.modelDir,
    preset: r.preset,
    beamSize: r.decoding.beamSize,
    bestOf: r.decoding.bestOf,
    temperature: r.decoding.temperature,
    temperatureFallback: r.decoding.temperatureFallback,
    initialPrompt: str(get, 'whisper_initial_prompt', '') || undefined,
    wordTimestamps: bool(get, 'whisper_word_timestamps', true) || wordHighlight,
    threads: num(get, 'whisper_threads', 4),
    device: r.device,
    gpuDevice: num(get, 'gpu_device_index', 0),
    vad: bool(get, 'vad_enabled', true),
    // A catalogue name is resolved against model_path by the caller (resolveVadModel).
    vadModelPath: str(get, 'vad_model', 'silero-v6.2.0') || null,
    vadThreshold: num(get, 'vad_threshold', 0.5),
    suppressNonSpeech: bool(get, 'suppress_non_speech_phrases', true),
    detectLanguageLength: num(get, 'detect_language_length', 30),
    detectLanguageOffset: num(get, 'detect_language_offset', 0),
    detectLanguageWindows: r.decoding.detectLanguageWindows,
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
    quality: {
      thresholds: qualityThresholds(get),
      retry: { enabled: bool(get, 'quality_retry_enabled', true), budget: num(get, 'quality_retry_budget', 0.25) },
      retime: bool(get, 'subtitle_retime', true) ? { minGap: num(get, 'subtitle_min_gap', 0.083) } : null,
    },
    preferredAudioLanguages: str(get, 'preferred_audio_languages', 'eng').split(/[|,]/).map((s) => s.trim()).filter(Boolean),
    writeOutput: true,
  };
}
