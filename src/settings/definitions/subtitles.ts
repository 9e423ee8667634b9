import type { SettingDefinition } from '../settings.types.js';

/** Output naming, format and line-breaking settings (src/transcription/settings-map.ts reads them). */
export const subtitleSettings = [
  // The original system's keys.
  { key: 'subtitle_language_name', default: '', category: 'subtitles', value_type: 'string', description: 'Custom language label in file names (replaces the code when set)' },
  { key: 'subtitle_language_naming_type', default: 'ISO_639_2_B', category: 'subtitles', value_type: 'string', choices: ['ISO_639_1', 'ISO_639_2_T', 'ISO_639_2_B', 'NAME', 'NATIVE'], description: 'How the language is written in subtitle file names' },
  { key: 'custom_regroup', default: 'cm_sl=84_sl=42++++++1', category: 'subtitles', value_type: 'string', description: 'Regrouping recipe: kept for compatibility; "sl=N" sets the line length, empty or "off" disables regrouping. The limits below are used otherwise' },
  // Added by this product.
  { key: 'subtitle_format', default: 'srt', category: 'subtitles', value_type: 'string', choices: ['srt', 'vtt', 'ass', 'lrc', 'txt', 'tsv', 'json'], description: 'Output format of generated subtitles' },
  { key: 'subtitle_tag', default: '', category: 'subtitles', value_type: 'string', description: 'Tag placed before the language in file names, e.g. "ai" gives Movie.ai.spa.srt' },
  { key: 'subtitle_max_line_chars', default: '42', category: 'subtitles', value_type: 'integer', min: 10, max: 200, description: 'Most characters per line' },
  { key: 'subtitle_max_lines', default: '2', category: 'subtitles', value_type: 'integer', min: 1, max: 4, description: 'Most lines per cue' },
  { key: 'subtitle_min_duration', default: '0.83', category: 'subtitles', value_type: 'float', min: 0.1, max: 5, description: 'Shortest cue in seconds (extended where the next cue allows)' },
  { key: 'subtitle_max_duration', default: '7', category: 'subtitles', value_type: 'float', min: 1, max: 30, description: 'Longest cue in seconds' },
  { key: 'subtitle_max_cps', default: '20', category: 'subtitles', value_type: 'float', min: 5, max: 60, description: 'Most characters per second where timing allows' },
] as const satisfies readonly SettingDefinition[];
