/**
 * What a stored setting means when it is read back. The database holds text
 * that may never have passed normalizeValue: a hand edit, a restored backup,
 * a row written by an older version. Such text is not used: the reader gets
 * the definition's fail-closed value (a security setting) or its default, and
 * the problem is reported (log, health check, the Settings page).
 */
import type { SettingDefinition } from './settings.types.js';
import { normalizeValue, SettingValueError } from './settings.values.js';

export interface StoredProblem {
  key: string;
  /** the text in the database */
  stored: string;
  /** what the value must be ("true or false", "at most 256") */
  requirement: string;
  /** the text in force instead */
  inForce: string;
  /** true: a security setting, and inForce is its safest value */
  failClosed: boolean;
  /** inForce is the definition's default */
  isDefault: boolean;
}

interface StoredReading {
  /** the normalized text in force */
  text: string;
  problem: StoredProblem | null;
}

/**
 * The text in force for a stored value: the value normalized when it is
 * valid, else the fail-closed value or the default.
 *
 *     readStored(auth_enabled, 'garbage') // { text: 'true', problem: { requirement: 'true or false', ... } }
 */
export function readStored(def: SettingDefinition, stored: string | null): StoredReading {
  const text = stored ?? '';
  try {
    return { text: normalizeValue(def, text), problem: null };
  } catch (e) {
    const requirement = e instanceof SettingValueError ? e.requirement : (e as Error).message;
    const inForce = def.failClosed ?? def.default;
    return {
      text: inForce,
      problem: { key: def.key, stored: text, requirement, inForce, failClosed: def.failClosed !== undefined, isDefault: inForce === def.default },
    };
  }
}

const MAX_SHOWN = 120;

/** A stored text quoted for a message, cut short (a pasted file must not fill the log). */
export function quoteStored(text: string): string {
  return JSON.stringify(text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text);
}

/** A value in force as a message shows it: `true`, `4`, `empty`. */
export function shownValue(text: string): string {
  return text === '' ? 'empty' : text.length > MAX_SHOWN ? `${text.slice(0, MAX_SHOWN)}…` : text;
}

/** What is used instead, in words: "the default (true)", "the safe value (false)". */
export function fallbackWords(p: StoredProblem): string {
  return `${p.isDefault ? 'the default' : 'the safe value'} (${shownValue(p.inForce)})`;
}

/** The log line: `auth_enabled holds "garbage", but it must be true or false: using the default (true) until it is corrected in Settings`. */
export function storedProblemMessage(p: StoredProblem): string {
  return `${p.key} holds ${quoteStored(p.stored)}, but it must be ${p.requirement}: using ${fallbackWords(p)} until it is corrected in Settings`;
}
