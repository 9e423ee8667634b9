/**
 * The analysis' thresholds from the settings (src/settings/definitions/
 * quality.ts and the writers' subtitle_* limits). A setting with no value
 * falls back to its definition's default, so a default is written once.
 */
import { definitionByKey, type SettingKey } from '../../settings/definitions/index.js';
import { num, type SettingsGet } from '../setting-get.js';
import type { QualityThresholds } from './types.js';

const read = (get: SettingsGet, key: SettingKey): number => num(get, key, Number(definitionByKey.get(key)!.default));

export function qualityThresholds(get: SettingsGet): QualityThresholds {
  return {
    reviewThreshold: read(get, 'quality_review_threshold'),
    minAvgLogprob: read(get, 'quality_min_avg_logprob'),
    maxNoSpeechProb: read(get, 'quality_max_no_speech_prob'),
    maxCompressionRatio: read(get, 'quality_max_compression_ratio'),
    maxRepeatedLineRatio: read(get, 'quality_max_repeated_line_ratio'),
    maxSilenceShare: read(get, 'quality_max_silence_share'),
    maxOverrunSeconds: read(get, 'quality_max_overrun_seconds'),
    maxCps: read(get, 'subtitle_max_cps'),
    maxLineChars: read(get, 'subtitle_max_line_chars'),
    maxLines: read(get, 'subtitle_max_lines'),
    minDuration: read(get, 'subtitle_min_duration'),
    maxDuration: read(get, 'subtitle_max_duration'),
  };
}

/** The thresholds every setting's default gives (the CLI without a database, tests). */
export const DEFAULT_QUALITY_THRESHOLDS: Readonly<QualityThresholds> = Object.freeze(qualityThresholds(() => undefined));
