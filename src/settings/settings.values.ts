/**
 * Parsing and validation of setting values. Values are stored as text; these
 * functions decide what text a type accepts and turn it into a typed value.
 */
import type { SettingDefinition, SettingValueType } from './settings.types.js';

export const VALUE_TYPES: SettingValueType[] = ['string', 'integer', 'float', 'boolean', 'list', 'json', 'secret'];

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/** Returns the normalized text to store, or throws an Error whose message names the problem. */
export function normalizeValue(
  def: Pick<SettingDefinition, 'key' | 'value_type' | 'choices' | 'min' | 'max'>,
  raw: unknown,
): string {
  const text = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  const value = def.value_type === 'secret' || def.value_type === 'string' || def.value_type === 'json' ? text : text.trim();
  switch (def.value_type) {
    case 'integer': {
      if (!/^[-+]?\d+$/.test(value)) throw new Error(`${def.key} must be an integer, got "${text}"`);
      const n = Number(value);
      checkRange(def, n);
      return String(n);
    }
    case 'float': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw new Error(`${def.key} must be a number, got "${text}"`);
      checkRange(def, n);
      return String(n);
    }
    case 'boolean': {
      const v = value.toLowerCase();
      if (TRUE.includes(v)) return 'true';
      if (FALSE.includes(v)) return 'false';
      throw new Error(`${def.key} must be true or false, got "${text}"`);
    }
    case 'json': {
      try {
        JSON.parse(value);
      } catch {
        throw new Error(`${def.key} must be valid JSON`);
      }
      return value;
    }
    default: {
      if (def.choices && def.choices.length && !def.choices.includes(value)) {
        throw new Error(`${def.key} must be one of ${def.choices.join(', ')}, got "${text}"`);
      }
      return value;
    }
  }
}

function checkRange(def: Pick<SettingDefinition, 'key' | 'min' | 'max'>, n: number): void {
  if (def.min !== undefined && n < def.min) throw new Error(`${def.key} must be at least ${def.min}, got ${n}`);
  if (def.max !== undefined && n > def.max) throw new Error(`${def.key} must be at most ${def.max}, got ${n}`);
}

/** A list setting: a JSON array, or items separated by `|` or `,`. */
export function parseList(value: string): string[] {
  const v = value.trim();
  if (!v) return [];
  if (v.startsWith('[')) {
    try {
      const arr = JSON.parse(v);
      if (Array.isArray(arr)) return arr.map(String).map((s) => s.trim()).filter(Boolean);
    } catch {
      /* fall through to separators */
    }
  }
  const sep = v.includes('|') ? '|' : ',';
  return v.split(sep).map((s) => s.trim()).filter(Boolean);
}

export type SettingValue = string | number | boolean | string[] | unknown;

export function typedValue(valueType: string, value: string): SettingValue {
  switch (valueType) {
    case 'integer':
    case 'float':
      return Number(value);
    case 'boolean':
      return TRUE.includes(value.trim().toLowerCase());
    case 'list':
      return parseList(value);
    case 'json':
      try {
        return JSON.parse(value);
      } catch {
        return null;
      }
    default:
      return value;
  }
}
