/**
 * The health check of stored settings: each built-in setting whose stored
 * value is not in force (settings.stored.ts), read from the database each
 * time, so a row broken by another process or node shows up at once and a
 * corrected one disappears at once. A security setting is an error (it was
 * closed to its safest value, which may lock someone out); any other a
 * warning.
 */
import type { Db } from '../db/database.js';
import { definitionByKey } from './definitions/index.js';
import { presentationOf } from './presentation.js';
import { listSettings } from './settings.repository.js';
import { quoteStored, readStored, shownValue, type StoredProblem } from './settings.stored.js';

/** The shape of a health check (system/health.service.ts `HealthCheck`; not imported, so settings does not depend on system). */
interface StoredSettingCheck {
  id: string;
  level: 'error' | 'warning';
  message: string;
  fix: string;
  link: string;
}

/** Every built-in setting whose stored value is not used, in the order of the table. */
async function storedSettingProblems(db: Db): Promise<StoredProblem[]> {
  const out: StoredProblem[] = [];
  for (const row of await listSettings(db)) {
    const def = definitionByKey.get(row.key);
    const problem = def ? readStored(def, row.value).problem : null;
    if (problem) out.push(problem);
  }
  return out;
}

function storedSettingCheck(p: StoredProblem): StoredSettingCheck {
  const label = presentationOf(p.key).label;
  return {
    id: `setting_invalid:${p.key}`,
    level: p.failClosed ? 'error' : 'warning',
    message: `The setting ${p.key} holds ${quoteStored(p.stored)}, but it must be ${p.requirement}, so ${p.isDefault ? 'its default' : 'its safe value'} ${shownValue(p.inForce)} is in force instead.`,
    fix: `Set “${label}” again in Settings.`,
    link: `#/settings/${p.key}`,
  };
}

/** The check as system/health.service.ts runs it. */
export async function storedSettings(d: { db: Db }): Promise<StoredSettingCheck[]> {
  return (await storedSettingProblems(d.db)).map(storedSettingCheck);
}
