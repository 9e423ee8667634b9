/**
 * Typed reads from a settings getter. The library takes `get(key)` instead of
 * the settings service so it needs no database; `get` may return the typed
 * value or the stored string, and an empty value means "use the default".
 */
import type { SettingKey } from '../settings/definitions/index.js';

export type SettingsGet = (key: SettingKey) => unknown;

export const str = (get: SettingsGet, k: SettingKey, d = ''): string => {
  const v = get(k);
  return v === undefined || v === null ? d : String(v);
};

export const num = (get: SettingsGet, k: SettingKey, d: number): number => {
  const raw = get(k);
  const v = Number(raw);
  return raw === '' || raw === undefined || raw === null || !Number.isFinite(v) ? d : v;
};

export const bool = (get: SettingsGet, k: SettingKey, d: boolean): boolean => {
  const v = get(k);
  if (v === undefined || v === null || v === '') return d;
  return v === true || String(v).toLowerCase() === 'true' || v === '1';
};
