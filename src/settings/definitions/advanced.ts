import type { SettingDefinition } from '../settings.types.js';

export const advancedSettings = [
  { key: 'force_detected_language_to', default: '', category: 'advanced', value_type: 'string', description: 'Use this audio language instead of detecting it (ISO 639-2)' },
  { key: 'preferred_audio_languages', default: 'eng', category: 'advanced', value_type: 'list', description: 'Pipe-separated preferred audio languages when choosing a track' },
  { key: 'use_path_mapping', default: 'false', category: 'advanced', value_type: 'boolean', description: 'Translate library paths between nodes with path_mappings' },
  { key: 'path_mapping_from', default: '', category: 'advanced', value_type: 'string', description: 'Mapping source (single pair, kept for compatibility; path_mappings holds any number)' },
  { key: 'path_mapping_to', default: '', category: 'advanced', value_type: 'string', description: 'Mapping destination (single pair, kept for compatibility)' },
  { key: 'path_mappings', default: '[]', category: 'advanced', value_type: 'json', description: 'Any number of path mappings as a JSON list of {"from": "/tv", "to": "/mnt/tv"}, anchored at the start of the path' },
  { key: 'lrc_for_audio_files', default: 'true', category: 'advanced', value_type: 'boolean', description: 'Write LRC lyrics files for audio-only media' },
] as const satisfies readonly SettingDefinition[];
