/**
 * Parsing and validation of setting values. Values are stored as text; these
 * functions decide what text a type accepts and turn it into a typed value.
 */
import { isIP } from 'node:net';
import type { SettingDefinition } from './settings.types.js';

export { VALUE_TYPES } from './settings.types.js';

const TRUE = ['true', '1', 'yes', 'on'];
const FALSE = ['false', '0', 'no', 'off'];

/**
 * A value a setting does not accept. `requirement` says what the value must
 * be ("true or false", "at most 256"), for messages that quote the value
 * differently (a stored value read back, settings.stored.ts).
 */
export class SettingValueError extends Error {
  constructor(
    readonly key: string,
    readonly requirement: string,
    got: string | null,
  ) {
    super(`${key} must be ${requirement}${got === null ? '' : `, got ${got}`}`);
  }
}

type ValueRules = Pick<SettingDefinition, 'key' | 'value_type' | 'choices' | 'min' | 'max' | 'format'>;

/** Returns the normalized text to store, or throws a SettingValueError whose message names the problem. */
export function normalizeValue(def: ValueRules, raw: unknown): string {
  const text = raw === null || raw === undefined ? '' : typeof raw === 'string' ? raw : Array.isArray(raw) ? raw.join(',') : typeof raw === 'object' ? JSON.stringify(raw) : String(raw);
  const value = def.value_type === 'secret' || def.value_type === 'string' || def.value_type === 'json' ? text : text.trim();
  const fail = (requirement: string, got: string | null = `"${text}"`) => new SettingValueError(def.key, requirement, got);
  switch (def.value_type) {
    case 'integer': {
      if (!/^[-+]?\d+$/.test(value)) throw fail('an integer');
      const n = Number(value);
      checkRange(def, n);
      return String(n);
    }
    case 'float': {
      const n = Number(value);
      if (value === '' || !Number.isFinite(n)) throw fail('a number');
      checkRange(def, n);
      return String(n);
    }
    case 'boolean': {
      const v = value.toLowerCase();
      if (TRUE.includes(v)) return 'true';
      if (FALSE.includes(v)) return 'false';
      throw fail('true or false');
    }
    case 'json': {
      try {
        JSON.parse(value);
      } catch {
        throw fail('valid JSON', null);
      }
      return value;
    }
    default: {
      // A list that starts like a JSON array must be one: `["/x"` is a broken
      // array, not the one folder `["/x"` (parseList would read it so).
      if (def.value_type === 'list' && value.startsWith('[') && !isJsonArray(value)) {
        throw fail('a JSON array or items separated by commas');
      }
      if (def.choices && def.choices.length && !def.choices.includes(value)) throw fail(`one of ${def.choices.join(', ')}`);
      const format = def.format?.(value);
      if (format) throw fail(format);
      return value;
    }
  }
}

function isJsonArray(text: string): boolean {
  try {
    return Array.isArray(JSON.parse(text));
  } catch {
    return false;
  }
}

function checkRange(def: Pick<SettingDefinition, 'key' | 'min' | 'max'>, n: number): void {
  if (def.min !== undefined && n < def.min) throw new SettingValueError(def.key, `at least ${def.min}`, String(n));
  if (def.max !== undefined && n > def.max) throw new SettingValueError(def.key, `at most ${def.max}`, String(n));
}

const PROXY_NAMES = ['loopback', 'linklocal', 'uniquelocal'];

/**
 * The trust_proxy format proxy-addr reads (security/request-guard.ts): empty
 * or "false" (off), else names, addresses and CIDR ranges (or IPv4 netmasks),
 * comma-separated. Null when the text fits.
 */
export function proxyListProblem(value: string): string | null {
  const v = value.trim();
  if (v === '' || v === 'false') return null;
  const ok = v.split(',').map((s) => s.trim()).filter(Boolean).every((entry) => {
    if (PROXY_NAMES.includes(entry)) return true;
    const [addr, range, extra] = entry.split('/');
    if (extra !== undefined || !isIP(addr)) return false;
    if (range === undefined) return true;
    if (/^\d{1,3}$/.test(range)) return Number(range) <= (isIP(addr) === 4 ? 32 : 128);
    return isIP(addr) === 4 && isIP(range) === 4;
  });
  return ok ? null : 'empty, "loopback", "linklocal", "uniquelocal", or addresses and CIDR ranges, comma-separated';
}

/**
 * The api_host format: an IPv4 or IPv6 address (brackets allowed) or a host
 * name the system resolves (letters, digits, hyphens, dots); empty means the
 * built-in default. A stored "0.0.0.0; drop" or a URL would only fail at
 * the next start, when listen() is refused.
 */
export function listenHostProblem(value: string): string | null {
  const v = value.trim().replace(/^\[(.*)\]$/, '$1');
  if (v === '' || isIP(v)) return null;
  const name = v.length <= 253 && v.split('.').every((label) => /^[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(label));
  return name ? null : 'an IP address (0.0.0.0 for every interface, 127.0.0.1 for this machine only, :: for IPv6) or a host name, without a scheme or port';
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
