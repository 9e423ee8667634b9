import type { SettingDefinition } from '../settings.types.js';

// Media-server refresh, completion webhooks and the remote engine.
export const integrationSettings: SettingDefinition[] = [];
