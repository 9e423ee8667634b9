/**
 * The settings of the installed instance a CLI command runs in: the database
 * the server would open (DATABASE_URL, or the SQLite file under DATA_DIR,
 * ./data by default, the same rules as src/config.ts), read once and closed.
 * With no instance there (no such file), the settings' defaults. A SQLite
 * file is never created by looking for it.
 */
import { existsSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import type { Config } from '../config.js';
import { sqlitePathOf } from '../config.js';
import { openDatabase } from '../db/database.js';
import { SettingsService } from '../settings/settings.service.js';
import { definitionByKey, type SettingKey } from '../settings/definitions/index.js';
import type { SettingsGet } from '../transcription/setting-get.js';
import { resolveTranscription } from '../transcription/resolve.js';
import { modelFolder } from '../transcription/models.js';

export interface InstanceSettings {
  get: SettingsGet;
  /** where the settings came from: the database (credentials hidden), or null for the defaults */
  source: string | null;
  /** why the instance's settings could not be read (then the defaults are used) */
  problem: string | null;
}

const defaults: SettingsGet = (key) => definitionByKey.get(key)?.default;

/**
 * The model folder as an absolute path, as the server works it out
 * (DATA_DIR/models by default, the old ./models beside the data folder while
 * it holds the models). A relative model_path the user set is tried against
 * the folder holding DATA_DIR too, where the server of an install runs.
 */
function absoluteModelDir(get: SettingsGet, dataDir: string): string {
  const f = modelFolder(String(get('model_path') ?? ''), dataDir);
  if (f.source !== 'setting') return f.dir;
  const modelPath = String(get('model_path')).trim();
  if (isAbsolute(modelPath)) return f.dir;
  const candidates = [...new Set([resolve(dirname(dataDir), modelPath), f.dir])];
  const has = (dir: string) => resolveTranscription({}, (k) => (k === 'model_path' ? dir : get(k))).modelInstalled;
  return candidates.find(has) ?? candidates[0];
}

export async function readInstanceSettings(config: Config): Promise<InstanceSettings> {
  const where = config.databaseKind === 'sqlite' ? sqlitePathOf(config.databaseUrl) : config.databaseUrl.replace(/\/\/[^@/]*@/, '//***@');
  let get = defaults;
  let source: string | null = null;
  let problem: string | null = null;
  if (config.databaseKind === 'postgres' || existsSync(where)) {
    const handle = openDatabase(config.databaseUrl, { poolSize: 1 });
    try {
      const settings = new SettingsService(handle.db);
      await settings.refresh();
      get = (key: SettingKey) => settings.get(key);
      source = where;
    } catch (e) {
      problem = `could not read the settings in ${where} (${(e as Error).message})`;
    } finally {
      await handle.close().catch(() => {});
    }
  }
  const modelDir = absoluteModelDir(get, config.dataDir);
  const base = get;
  return { get: (key) => (key === 'model_path' ? modelDir : base(key)), source, problem };
}
