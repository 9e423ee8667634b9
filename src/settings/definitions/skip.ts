import type { SettingDefinition } from '../settings.types.js';

export const skipSettings = [
  { key: 'skip_if_external_subtitles_exist', default: 'false', category: 'skip', value_type: 'boolean', description: 'Skip a file when any external subtitle exists beside it' },
  { key: 'skip_if_target_subtitles_exist', default: 'true', category: 'skip', value_type: 'boolean', description: 'Skip a file when a subtitle in the target language exists (external or embedded)' },
  { key: 'skip_if_internal_subtitles_language', default: '', category: 'skip', value_type: 'string', description: 'Skip a file when an embedded subtitle has this language' },
  { key: 'skip_subtitle_languages', default: '', category: 'skip', value_type: 'list', description: 'Pipe-separated subtitle languages that cause a skip when present' },
  { key: 'skip_if_audio_languages', default: '', category: 'skip', value_type: 'list', description: 'Pipe-separated audio languages: skip files with an audio track in one of them' },
  { key: 'skip_unknown_language', default: 'false', category: 'skip', value_type: 'boolean', description: 'Skip files whose audio language is unknown' },
  { key: 'skip_only_subgen_subtitles', default: 'false', category: 'skip', value_type: 'boolean', description: 'Only subtitles this service generated count for skipping' },
  { key: 'skip_forced_subtitles', default: 'true', category: 'skip', value_type: 'boolean', description: 'Forced subtitle tracks (signs and songs) do not count as having the language' },
] as const satisfies readonly SettingDefinition[];
