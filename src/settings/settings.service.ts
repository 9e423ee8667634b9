/**
 * Settings: typed validation, defaults, and an in-memory copy that every write
 * through this service keeps current, so the running process sees a change at
 * once. Other processes (workers) call refresh() before they use settings.
 *
 * The database holds overrides only: a row for each value someone set (a
 * built-in setting changed from its default, internal state such as the API
 * key, a custom setting). A built-in setting without a row is at the default
 * its definition holds now, so a default changed in the code reaches every
 * install that never set it, with no migration. Setting a built-in setting to
 * its default removes its row.
 *
 * Every row that enters the copy is read through readStored (settings.stored.ts):
 * a stored value that its definition does not accept is never used; the
 * getters return the fail-closed value or the default, and the problem is
 * logged once per distinct bad value.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { Db } from '../db/database.js';
import type { SettingRow } from '../db/schema.js';
import { AppError, notFound, conflict } from '../errors.js';
import { definitionByKey, settingDefinitions, type SettingKey, type SettingValue } from './definitions/index.js';
import type { SettingCategory, SettingDefinition, SettingValueType } from './settings.types.js';
import { normalizeValue, typedValue } from './settings.values.js';
import * as repo from './settings.repository.js';
import { fallbackWords, readStored, storedProblemMessage, type StoredProblem } from './settings.stored.js';
import { isUnchangedSecret, maskSecret } from '../security/secrets.js';
import { SETTING_SECTIONS, presentationOf, type SettingPresentation } from './presentation.js';


/**
 * A setting as the API shows it: its row, or, for a built-in setting at its
 * default (no row), the definition's default with an id made from its key
 * (negative, so never a row's, and the same in every version) and no dates.
 * A built-in setting always shows its definition's description, category
 * and type.
 */
interface SettingView extends Omit<SettingRow, 'created_at'> {
  created_at: string | null;
}

export interface Setting extends SettingView {
  /** a secret whose value is replaced by the mask (see security/secrets.ts) */
  masked?: boolean;
  /** the value in force when a flag or environment variable overrides the stored one (api_port under PORT) */
  effective_value?: string;
  /** what overrides it, in words ("the PORT environment variable") */
  overridden_by?: string;
  choices?: string[];
  min?: number;
  max?: number;
  default_value?: string;
}

const nowIso = () => new Date().toISOString();

/** The id a built-in setting at its default is listed with: negative, from its key alone (worked out once per key). */
const DEFAULT_IDS = new Map<string, number>(settingDefinitions.map((d) => [d.key, -(createHash('sha256').update(d.key).digest().readUInt32BE(0) & 0x7fffffff) || -1]));

/** A built-in setting as listed: its row (with the definition's metadata), else its default. */
function viewOf(def: SettingDefinition, row: SettingRow | undefined): SettingView {
  const meta = { description: def.description, category: def.category, value_type: def.value_type };
  if (row) return { ...row, ...meta };
  return { id: DEFAULT_IDS.get(def.key)!, key: def.key, value: def.default, ...meta, created_at: null, updated_at: null };
}

/** Every setting there is: each built-in one (stored or at its default) and each custom row, by category and key. */
function allViews(rows: SettingRow[]): SettingView[] {
  const byKey = new Map(rows.map((r) => [r.key, r]));
  const views: SettingView[] = settingDefinitions.map((d) => viewOf(d, byKey.get(d.key)));
  for (const r of rows) if (!definitionByKey.has(r.key)) views.push(r);
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return views.sort((a, b) => order(a.category, b.category) || order(a.key, b.key));
}

/** Where the service reports a stored value it does not use (the process logger fits). */
export interface SettingsLog {
  warn(obj: object, msg: string): void;
}

export class SettingsService extends EventEmitter {
  private cache = new Map<string, SettingRow>();
  /** the normalized text in force of each built-in setting in the cache */
  private inForce = new Map<string, string>();
  /** built-in settings whose stored text is not used */
  private problems = new Map<string, StoredProblem>();
  /** `key NUL value` of every bad value already logged, so a refresh does not log it again */
  private warned = new Set<string>();
  private effective = new Map<string, { value: string; by: string | null }>();

  constructor(
    private readonly db: Db,
    private readonly log?: SettingsLog,
    /**
     * Settings whose value in force is worked out from the stored text (or
     * the default) by the process that reads them: model_path's default is
     * a folder inside this process's data folder (transcription/models.ts
     * `modelFolder`). Listings and writes keep the text as stored.
     */
    private readonly derived: Partial<Record<SettingKey, (text: string) => string>> = {},
  ) {
    super();
  }

  /**
   * Loads the settings. Defaults are not stored (a built-in setting without a
   * row is at its definition's default), so this writes nothing and is safe
   * to call any number of times; it returns how many built-in settings are
   * at their default.
   */
  async initDefaults(): Promise<number> {
    await this.refresh();
    return settingDefinitions.filter((d) => !this.cache.has(d.key)).length;
  }

  async refresh(): Promise<void> {
    const rows = await repo.listSettings(this.db);
    this.cache = new Map();
    this.inForce = new Map();
    const before = new Set(this.problems.keys());
    this.problems = new Map();
    for (const row of rows) this.remember(row);
    for (const key of before) if (!this.problems.has(key)) this.forgetWarnings(key);
  }

  /** Puts a row into the cache with the value in force (every path that fills the cache comes here). */
  private remember(row: SettingRow): void {
    this.cache.set(row.key, row);
    const def = definitionByKey.get(row.key);
    if (!def) return;
    const { text, problem } = readStored(def, row.value);
    this.inForce.set(row.key, text);
    if (!problem) {
      if (this.problems.delete(row.key)) this.forgetWarnings(row.key);
      return;
    }
    this.problems.set(row.key, problem);
    const seen = `${row.key}\u0000${problem.stored}`;
    if (this.warned.has(seen)) return;
    this.warned.add(seen);
    this.log?.warn({ setting: row.key, fail_closed: problem.failClosed }, storedProblemMessage(problem));
  }

  /** A row that is gone (the setting is back at its default, or a custom one deleted). */
  private forget(key: string): void {
    this.cache.delete(key);
    this.inForce.delete(key);
    if (this.problems.delete(key)) this.forgetWarnings(key);
  }

  /** Reads a key's row again after a write: remembered when there is one, else forgotten. */
  private async reload(key: string): Promise<SettingRow | undefined> {
    const row = await repo.findSetting(this.db, key);
    if (row) this.remember(row);
    else this.forget(key);
    return row;
  }

  /**
   * Writes a built-in setting's value: its default removes the row (the
   * setting follows the definition again), any other value is stored.
   */
  private async store(db: Db, def: SettingDefinition, text: string, now: string): Promise<void> {
    if (text === def.default) await repo.deleteSetting(db, def.key);
    else await repo.storeSettingValue(db, { key: def.key, value: text, description: def.description, category: def.category, value_type: def.value_type }, now);
  }

  /** A setting by key as listed: a built-in one (stored or not), a custom row, or undefined. */
  private async view(key: string): Promise<SettingView | undefined> {
    const row = await repo.findSetting(this.db, key);
    const def = definitionByKey.get(key);
    return def ? viewOf(def, row) : row;
  }

  /** A corrected setting that breaks again later is logged again. */
  private forgetWarnings(key: string): void {
    for (const w of this.warned) if (w.startsWith(`${key}\u0000`)) this.warned.delete(w);
  }

  /** The built-in settings whose stored value is not in force, as this process last read them. */
  storedProblems(): StoredProblem[] {
    return [...this.problems.values()];
  }

  private decorate(row: SettingView): Setting {
    const def = definitionByKey.get(row.key);
    if (!def) return row;
    const eff = this.effective.get(row.key);
    // The row as listed (fresh from the database), not the cache: the page shows what is stored now.
    const { problem } = readStored(def, row.value);
    const differs = eff !== undefined && eff.value !== row.value;
    const shown = differs && eff.by
      ? { effective_value: eff.value, overridden_by: eff.by }
      : problem
        ? { effective_value: problem.inForce, overridden_by: `${fallbackWords(problem)}, because the stored value is invalid: it must be ${problem.requirement}` }
        : differs
          ? { effective_value: eff.value }
          : {};
    return { ...row, choices: def.choices ? [...def.choices] : undefined, min: def.min, max: def.max, default_value: def.default, ...shown };
  }

  /**
   * Records the value in force for a setting that the process configuration
   * can override (the listen address), so listings show what really applies.
   */
  setEffective(key: string, value: string, overriddenBy: string | null): void {
    this.effective.set(key, { value, by: overriddenBy });
  }

  /** The value in force: what setEffective recorded, else the stored value. */
  effectiveString(key: SettingKey): string {
    return this.effective.get(key)?.value ?? this.getString(key);
  }

  /** Every setting (or one category's), secrets masked. */
  async list(category?: SettingCategory): Promise<Setting[]> {
    const views = allViews(await repo.listSettings(this.db));
    return views.filter((v) => category === undefined || v.category === category).map((v) => maskSecret(this.decorate(v)));
  }

  /**
   * How the Settings page shows every setting there is (labels, help,
   * sections in order, advanced and internal ones marked); a key without an
   * entry in presentation.ts is shown by its key in its category's section.
   */
  async presentation(): Promise<{ sections: Array<{ id: string; title: string; description: string }>; settings: Array<SettingPresentation & { key: string }> }> {
    const views = allViews(await repo.listSettings(this.db));
    return {
      sections: SETTING_SECTIONS.map((s) => ({ ...s })),
      settings: views.map((r) => ({ key: r.key, ...presentationOf(r.key, r.category, r.description) })),
    };
  }

  /** One setting; a secret is masked unless `reveal` (the caller has passed the API-key check). */
  async getSetting(key: string, opts: { reveal?: boolean } = {}): Promise<Setting> {
    const view = await this.view(key);
    if (!view) throw notFound(`Setting '${key}'`);
    const s = this.decorate(view);
    return opts.reveal ? s : maskSecret(s);
  }

  private definitionFor(row: Pick<SettingRow, 'key' | 'value_type'>): Pick<SettingDefinition, 'key' | 'value_type' | 'choices' | 'min' | 'max'> {
    return definitionByKey.get(row.key) ?? { key: row.key, value_type: row.value_type as SettingDefinition['value_type'] };
  }

  async update(key: string, value: unknown): Promise<Setting> {
    const current = await this.view(key);
    if (!current) throw notFound(`Setting '${key}'`);
    if (isUnchangedSecret(current, value)) return maskSecret(this.decorate(current));
    const text = this.validate(current, value);
    const def = definitionByKey.get(key);
    if (def) await this.store(this.db, def, text, nowIso());
    else await repo.updateSettingValue(this.db, key, text, nowIso());
    const row = await this.reload(key);
    this.emit('change', key, this.currentValue(key));
    return maskSecret(this.decorate(def ? viewOf(def, row) : row!));
  }

  private validate(row: Pick<SettingRow, 'key' | 'value_type'>, value: unknown): string {
    try {
      return normalizeValue(this.definitionFor(row), value);
    } catch (e) {
      throw new AppError(400, 'invalid_setting', (e as Error).message, { [row.key]: (e as Error).message });
    }
  }

  /** All or nothing: every value is validated first, then all are written in one transaction. */
  async bulkUpdate(values: Record<string, unknown>): Promise<number> {
    if (Object.keys(values).length === 0) throw new AppError(400, 'empty_update', 'settings must name at least one setting');
    const byKey = new Map(allViews(await repo.listSettings(this.db)).map((v) => [v.key, v]));
    // A secret sent back as the mask it was listed with stays as it is.
    const keys = Object.keys(values).filter((k) => !(byKey.has(k) && isUnchangedSecret(byKey.get(k)!, values[k])));
    if (keys.length === 0) return 0;
    const errors: Record<string, string> = {};
    const texts: Record<string, string> = {};
    for (const key of keys) {
      const row = byKey.get(key);
      if (!row) {
        errors[key] = `Setting '${key}' not found`;
        continue;
      }
      try {
        texts[key] = normalizeValue(this.definitionFor(row), values[key]);
      } catch (e) {
        errors[key] = (e as Error).message;
      }
    }
    const bad = Object.keys(errors);
    if (bad.length) {
      const status = bad.every((k) => !byKey.has(k)) ? 404 : 400;
      throw new AppError(status, 'invalid_settings', `Nothing was saved: ${bad.map((k) => errors[k]).join('; ')}`, errors);
    }
    const now = nowIso();
    await this.db.transaction().execute(async (trx) => {
      for (const key of keys) {
        const def = definitionByKey.get(key);
        if (def) await this.store(trx, def, texts[key], now);
        else await repo.updateSettingValue(trx, key, texts[key], now);
      }
    });
    await this.refresh();
    for (const key of keys) this.emit('change', key, this.currentValue(key));
    return keys.length;
  }

  async create(input: { key: string; value: unknown; description?: string | null; category?: SettingCategory; value_type?: SettingValueType }): Promise<Setting> {
    const key = input.key.trim();
    if (!/^[a-z0-9_.-]{1,100}$/i.test(key)) throw new AppError(400, 'bad_key', 'key must be 1-100 letters, digits, _ . or -');
    // value_type and category are the request schema's (settings.routes.ts): one of their lists.
    const valueType = input.value_type ?? 'string';
    const category = input.category ?? 'general';
    if (definitionByKey.has(key) || (await repo.findSetting(this.db, key))) throw conflict(`Setting '${key}' already exists`);
    const text = this.validate({ key, value_type: valueType }, input.value);
    let row: SettingRow;
    try {
      row = await repo.insertSetting(this.db, { key, value: text, description: input.description ?? null, category, value_type: valueType }, nowIso());
    } catch {
      throw conflict(`Setting '${key}' already exists`);
    }
    this.remember(row);
    return maskSecret(this.decorate(row));
  }

  async remove(key: string): Promise<void> {
    if (definitionByKey.has(key)) {
      throw new AppError(400, 'builtin_setting', `Setting '${key}' is built in and cannot be deleted; set its value instead`);
    }
    const n = await repo.deleteSetting(this.db, key);
    if (!n) throw notFound(`Setting '${key}'`);
    this.forget(key);
  }

  /**
   * Typed value from the cache (falls back to the built-in default). The key
   * is a built-in setting's: a misspelt key does not compile.
   *
   *     settings.get('worker_cpu_count') // number
   */
  get<K extends SettingKey>(key: K): SettingValue<K> {
    const def = definitionByKey.get(key);
    if (!def) throw new Error(`unknown setting ${key}`);
    const text = this.inForce.get(key) ?? def.default;
    const derive = this.derived[key];
    return typedValue(def.value_type, derive ? derive(text) : text) as SettingValue<K>;
  }

  /** A built-in setting's text in force before its `derived` rule: the stored text, else the default. */
  textOf(key: SettingKey): string {
    const def = definitionByKey.get(key);
    if (!def) throw new Error(`unknown setting ${key}`);
    return this.inForce.get(key) ?? def.default;
  }

  /** A value by any key (settings created through the API have keys of their own); undefined when unknown. */
  private currentValue(key: string): unknown {
    const def = definitionByKey.get(key);
    if (def) return typedValue(def.value_type, this.inForce.get(key) ?? def.default);
    const row = this.cache.get(key);
    return row ? typedValue(row.value_type, row.value) : undefined;
  }

  getString(key: SettingKey): string {
    return String(this.get(key) ?? '');
  }

  getNumber(key: SettingKey): number {
    return Number(this.get(key));
  }

  getBoolean(key: SettingKey): boolean {
    return this.get(key) === true;
  }

  getList(key: SettingKey): string[] {
    const v: unknown = this.get(key);
    return Array.isArray(v) ? (v as string[]) : [];
  }

  /** Writes a value without the public validation path (internal state such as the API key). */
  async setInternal(key: SettingKey, value: string): Promise<void> {
    const def = definitionByKey.get(key);
    if (!def) throw new Error(`unknown setting ${key}`);
    await this.store(this.db, def, value, nowIso());
    await this.reload(key);
    this.emit('change', key, this.currentValue(key));
  }
}
