import type { SettingDefinition } from '../settings.types.js';
import { generalSettings } from './general.js';
import { workerSettings } from './workers.js';
import { transcriptionSettings } from './transcription.js';
import { subtitleSettings } from './subtitles.js';
import { skipSettings } from './skip.js';
import { scannerSettings } from './scanner.js';
import { bazarrSettings } from './bazarr.js';
import { advancedSettings } from './advanced.js';
import { integrationSettings } from './integrations.js';

export const settingDefinitions: readonly SettingDefinition[] = [
  ...generalSettings,
  ...workerSettings,
  ...transcriptionSettings,
  ...subtitleSettings,
  ...skipSettings,
  ...scannerSettings,
  ...bazarrSettings,
  ...advancedSettings,
  ...integrationSettings,
];

const seen = new Set<string>();
for (const d of settingDefinitions) {
  if (seen.has(d.key)) throw new Error(`setting ${d.key} is defined twice`);
  seen.add(d.key);
}

export const definitionByKey = new Map(settingDefinitions.map((d) => [d.key, d]));
