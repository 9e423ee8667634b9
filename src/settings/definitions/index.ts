import type { SettingDefinition, SettingValueType } from '../settings.types.js';
import { generalSettings } from './general.js';
import { workerSettings } from './workers.js';
import { transcriptionSettings } from './transcription.js';
import { subtitleSettings } from './subtitles.js';
import { skipSettings } from './skip.js';
import { scannerSettings } from './scanner.js';
import { bazarrSettings } from './bazarr.js';
import { advancedSettings } from './advanced.js';
import { integrationSettings } from './integrations.js';
import { qualitySettings } from './quality.js';

export const settingDefinitions = [
  ...generalSettings,
  ...workerSettings,
  ...transcriptionSettings,
  ...subtitleSettings,
  ...qualitySettings,
  ...skipSettings,
  ...scannerSettings,
  ...bazarrSettings,
  ...advancedSettings,
  ...integrationSettings,
] as const satisfies readonly SettingDefinition[];

/** Every built-in setting's key: settings.get('whisper_model') compiles, a misspelt key does not. */
export type SettingKey = (typeof settingDefinitions)[number]['key'];

type ValueOfType<T extends SettingValueType> = T extends 'boolean' ? boolean : T extends 'integer' | 'float' ? number : T extends 'list' ? string[] : T extends 'json' ? unknown : string;

/** The typed value of a setting, from its definition's value_type. */
export type SettingValue<K extends SettingKey> = ValueOfType<Extract<(typeof settingDefinitions)[number], { key: K }>['value_type']>;

const seen = new Set<string>();
for (const d of settingDefinitions) {
  if (seen.has(d.key)) throw new Error(`setting ${d.key} is defined twice`);
  seen.add(d.key);
}

export const definitionByKey = new Map<string, SettingDefinition>(settingDefinitions.map((d) => [d.key, d]));
