/** The categories settings are listed by (GET /api/settings?category=), in listing order. */
export const SETTING_CATEGORIES = ['general', 'workers', 'transcription', 'subtitles', 'quality', 'skip', 'scanner', 'bazarr', 'advanced', 'integrations'] as const;
export type SettingCategory = (typeof SETTING_CATEGORIES)[number];

export const VALUE_TYPES = ['string', 'integer', 'float', 'boolean', 'list', 'json', 'secret'] as const;
export type SettingValueType = (typeof VALUE_TYPES)[number];

export interface SettingDefinition {
  key: string;
  default: string;
  description: string;
  category: SettingCategory;
  value_type: SettingValueType;
  choices?: readonly string[];
  min?: number;
  max?: number;
  /**
   * A format the type alone does not express: returns what the value must be
   * ("loopback, addresses or CIDR ranges") when the text does not fit, else null.
   */
  format?: (value: string) => string | null;
  /**
   * A security setting: its weakening opens access. A stored value that is
   * not valid gives this value (the safest one) instead of the default, so a
   * broken row can never open the server (settings.stored.ts).
   */
  failClosed?: string;
}
