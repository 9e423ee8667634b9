export type SettingCategory =
  | 'general'
  | 'workers'
  | 'transcription'
  | 'subtitles'
  | 'skip'
  | 'scanner'
  | 'bazarr'
  | 'advanced'
  | 'integrations';

export type SettingValueType = 'string' | 'integer' | 'float' | 'boolean' | 'list' | 'json' | 'secret';

export interface SettingDefinition {
  key: string;
  default: string;
  description: string;
  category: SettingCategory;
  value_type: SettingValueType;
  choices?: readonly string[];
  min?: number;
  max?: number;
}
