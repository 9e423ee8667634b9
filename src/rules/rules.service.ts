/**
 * Scan rules: validation of conditions and actions, unique names, and the
 * API's nested shape ({conditions, action}) over flat columns.
 */
import type { Db } from '../db/database.js';
import type { ScanRuleRow } from '../db/schema.js';
import { AppError, badRequest, conflict, notFound } from '../errors.js';
import { normalizeLanguage } from '../languages.js';
import { DEFAULT_QUALITY_PRESET, QUALITY_PRESETS, isQualityPreset, type QualityPreset } from '../quality-presets.js';
import { isJobMode, type JobMode } from '../job-kinds.js';
import * as repo from './rules.repository.js';

export interface RuleConditions {
  audio_language_is: string | null;
  audio_language_not: string | null;
  audio_track_count_min: number | null;
  has_embedded_subtitle_lang: string | null;
  missing_embedded_subtitle_lang: string | null;
  missing_external_subtitle_lang: string | null;
  file_extension: string | null;
  /**
   * true: the chosen audio track must be in the media's original language
   * (known from Sonarr/Radarr webhooks; unknown elsewhere, so the rule does
   * not match then). Lets a rule skip dubs. Null/absent: not checked.
   */
  audio_is_original_language?: boolean | null;
}

export interface RuleAction {
  action_type: JobMode;
  target_language: string;
  quality_preset: QualityPreset;
  job_priority: number;
  /** sync this language's external subtitles to the audio on their own when the sync check finds them out of sync and the gate passes */
  sync_external_subtitles: boolean;
}

export interface ScanRule {
  id: number;
  name: string;
  enabled: boolean;
  priority: number;
  conditions: RuleConditions;
  action: RuleAction;
  created_at: string;
  updated_at: string | null;
}

export interface RuleInput {
  name?: string;
  enabled?: boolean;
  priority?: number;
  conditions?: Partial<Record<keyof RuleConditions, string | number | boolean | null>>;
  action?: Partial<RuleAction>;
}

export const CONDITION_KEYS: Exclude<keyof RuleConditions, 'audio_is_original_language'>[] = [
  'audio_language_is', 'audio_language_not', 'audio_track_count_min', 'has_embedded_subtitle_lang',
  'missing_embedded_subtitle_lang', 'missing_external_subtitle_lang', 'file_extension',
];
/** Every condition the API takes: the text/number ones above (the setup wizard's flat rules) and the flag. */
const ALL_CONDITION_KEYS: (keyof RuleConditions)[] = [...CONDITION_KEYS, 'audio_is_original_language'];
const LANGUAGE_LIST_KEYS: (keyof RuleConditions)[] = [
  'audio_language_is', 'audio_language_not', 'has_embedded_subtitle_lang', 'missing_embedded_subtitle_lang', 'missing_external_subtitle_lang',
];

function toRule(row: ScanRuleRow): ScanRule {
  return {
    id: Number(row.id),
    name: row.name,
    enabled: !!row.enabled,
    priority: row.priority,
    conditions: {
      audio_language_is: row.audio_language_is,
      audio_language_not: row.audio_language_not,
      audio_track_count_min: row.audio_track_count_min,
      has_embedded_subtitle_lang: row.has_embedded_subtitle_lang,
      missing_embedded_subtitle_lang: row.missing_embedded_subtitle_lang,
      missing_external_subtitle_lang: row.missing_external_subtitle_lang,
      file_extension: row.file_extension,
      audio_is_original_language: row.audio_is_original_language === null || row.audio_is_original_language === undefined ? null : !!row.audio_is_original_language,
    },
    action: {
      action_type: row.action_type,
      target_language: row.target_language,
      quality_preset: row.quality_preset,
      job_priority: row.job_priority,
      sync_external_subtitles: !!row.sync_external_subtitles,
    },
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** Comma-separated language lists are normalized to canonical codes; unknown codes are a 400. */
function normalizeLanguageList(value: string, field: string): string {
  const parts = value.split(/[,|]/).map((s) => s.trim()).filter(Boolean);
  if (!parts.length) throw badRequest(`conditions.${field} must name at least one language`, 'bad_condition');
  return parts
    .map((p) => {
      const code = normalizeLanguage(p);
      if (!code) throw badRequest(`Unknown language "${p}" in conditions.${field}: use ISO 639-2 codes such as eng, spa, jpn`, 'unknown_language');
      return code;
    })
    .join(',');
}

function normalizeExtensions(value: string): string {
  const parts = value.split(/[,|\s]+/).map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (!parts.length) throw badRequest('conditions.file_extension must name at least one extension', 'bad_condition');
  return parts
    .map((p) => {
      const ext = p.startsWith('.') ? p : `.${p}`;
      if (!/^\.[a-z0-9]{1,10}$/.test(ext)) throw badRequest(`conditions.file_extension has an invalid extension "${p}"`, 'bad_condition');
      return ext;
    })
    .join(',');
}

export function normalizeConditions(input: Record<string, unknown>): Partial<RuleConditions> {
  const out: Partial<RuleConditions> = {};
  for (const [key, raw] of Object.entries(input)) {
    if (!ALL_CONDITION_KEYS.includes(key as keyof RuleConditions)) {
      throw badRequest(`Unknown condition "${key}": use ${ALL_CONDITION_KEYS.join(', ')}`, 'bad_condition');
    }
    const k = key as keyof RuleConditions;
    if (raw === null || raw === undefined || raw === '') {
      (out as Record<string, unknown>)[k] = null;
    } else if (k === 'audio_is_original_language') {
      if (raw === true || raw === 'true' || raw === 1) out[k] = true;
      else if (raw === false || raw === 'false' || raw === 0) out[k] = null;
      else throw badRequest('conditions.audio_is_original_language must be true or false', 'bad_condition');
    } else if (k === 'audio_track_count_min') {
      const n = Number(raw);
      if (!Number.isInteger(n) || n < 0 || n > 100) throw badRequest('conditions.audio_track_count_min must be an integer from 0 to 100', 'bad_condition');
      out[k] = n;
    } else if (typeof raw !== 'string') {
      throw badRequest(`conditions.${k} must be a string`, 'bad_condition');
    } else if (k === 'file_extension') {
      out[k] = normalizeExtensions(raw);
    } else if (LANGUAGE_LIST_KEYS.includes(k)) {
      const v = normalizeLanguageList(raw, k);
      if (k !== 'audio_language_not' && v.includes(',')) {
        // Single-language conditions accept one code; a list there is a user mistake worth naming.
        if (k === 'audio_language_is') throw badRequest('conditions.audio_language_is takes one language; use audio_language_not for lists', 'bad_condition');
      }
      out[k] = v;
    }
  }
  return out;
}

/** `defaultPreset`: the preset of a new rule that names none (the transcription_preset setting). */
export function normalizeAction(input: Partial<RuleAction>, base?: RuleAction, defaultPreset: string = DEFAULT_QUALITY_PRESET): RuleAction {
  const merged = { ...base, ...input } as Partial<RuleAction>;
  const actionType = merged.action_type ?? 'transcribe';
  if (!isJobMode(actionType)) throw badRequest(`action.action_type must be transcribe or translate, got "${actionType}"`, 'bad_action');
  if (!merged.target_language) throw badRequest('action.target_language is required', 'bad_action');
  const target = normalizeLanguage(merged.target_language);
  if (!target) throw badRequest(`Unknown language "${merged.target_language}" in action.target_language`, 'unknown_language');
  const preset = merged.quality_preset ?? defaultPreset;
  if (!isQualityPreset(preset)) throw badRequest(`action.quality_preset must be one of ${QUALITY_PRESETS.join(', ')}, got "${preset}"`, 'bad_action');
  const prio = merged.job_priority ?? 0;
  if (!Number.isInteger(prio)) throw badRequest('action.job_priority must be an integer', 'bad_action');
  const sync = merged.sync_external_subtitles ?? false;
  if (typeof sync !== 'boolean') throw badRequest('action.sync_external_subtitles must be true or false', 'bad_action');
  return { action_type: actionType, target_language: target, quality_preset: preset, job_priority: prio, sync_external_subtitles: sync };
}

export class ScanRulesService {
  private rev = 0;

  /** Bumped by every write through this service: readers that keep the rules know to list them again. */
  get revision(): number {
    return this.rev;
  }

  constructor(
    private readonly db: Db,
    /** the preset of a new rule that names none (the transcription_preset setting); absent: its default */
    private readonly defaultPreset: () => string = () => DEFAULT_QUALITY_PRESET,
  ) {}

  async list(enabledOnly = false): Promise<ScanRule[]> {
    return (await repo.listRules(this.db, enabledOnly)).map(toRule);
  }

  async get(id: number): Promise<ScanRule> {
    const row = await repo.findRule(this.db, id);
    if (!row) throw notFound(`Scan rule ${id}`);
    return toRule(row);
  }

  async create(input: RuleInput): Promise<ScanRule> {
    const name = input.name?.trim();
    if (!name) throw badRequest('name is required', 'bad_rule');
    if (await repo.findRuleByName(this.db, name)) throw conflict(`Rule with name '${name}' already exists`, 'duplicate_rule');
    const conditions = normalizeConditions((input.conditions ?? {}) as Record<string, unknown>);
    if (!input.action) throw badRequest('action is required', 'bad_action');
    const action = normalizeAction(input.action, undefined, this.defaultPreset());
    try {
      const row = await repo.insertRule(this.db, {
        name,
        enabled: input.enabled === false ? 0 : 1,
        priority: input.priority ?? 0,
        audio_language_is: conditions.audio_language_is ?? null,
        audio_language_not: conditions.audio_language_not ?? null,
        audio_track_count_min: conditions.audio_track_count_min ?? null,
        has_embedded_subtitle_lang: conditions.has_embedded_subtitle_lang ?? null,
        missing_embedded_subtitle_lang: conditions.missing_embedded_subtitle_lang ?? null,
        missing_external_subtitle_lang: conditions.missing_external_subtitle_lang ?? null,
        file_extension: conditions.file_extension ?? null,
        audio_is_original_language: conditions.audio_is_original_language ? 1 : null,
        ...action,
        sync_external_subtitles: action.sync_external_subtitles ? 1 : 0,
        created_at: new Date().toISOString(),
        updated_at: null,
      });
      this.rev++;
      return toRule(row);
    } catch (e) {
      if (e instanceof AppError) throw e;
      if (/unique|duplicate/i.test(String((e as Error).message))) throw conflict(`Rule with name '${name}' already exists`, 'duplicate_rule');
      throw e;
    }
  }

  async update(id: number, input: RuleInput): Promise<ScanRule> {
    const row = await repo.findRule(this.db, id);
    if (!row) throw notFound(`Scan rule ${id}`);
    const current = toRule(row);
    const patch: Record<string, unknown> = {};
    if (input.name !== undefined) {
      const name = input.name.trim();
      if (!name) throw badRequest('name must not be empty', 'bad_rule');
      const other = await repo.findRuleByName(this.db, name);
      if (other && Number(other.id) !== id) throw conflict(`Rule with name '${name}' already exists`, 'duplicate_rule');
      patch.name = name;
    }
    if (input.enabled !== undefined) patch.enabled = input.enabled ? 1 : 0;
    if (input.priority !== undefined) patch.priority = input.priority;
    if (input.conditions) {
      const c = normalizeConditions(input.conditions as Record<string, unknown>);
      const { audio_is_original_language: original, ...rest } = c;
      Object.assign(patch, rest);
      if ('audio_is_original_language' in c) patch.audio_is_original_language = original ? 1 : null;
    }
    if (input.action) {
      const a = normalizeAction(input.action, current.action);
      Object.assign(patch, a, { sync_external_subtitles: a.sync_external_subtitles ? 1 : 0 });
    }
    patch.updated_at = new Date().toISOString();
    await repo.updateRule(this.db, id, patch);
    this.rev++;
    return this.get(id);
  }

  async remove(id: number): Promise<void> {
    if (!(await repo.deleteRule(this.db, id))) throw notFound(`Scan rule ${id}`);
    this.rev++;
  }

  async toggle(id: number): Promise<ScanRule> {
    const rule = await this.get(id);
    await repo.updateRule(this.db, id, { enabled: rule.enabled ? 0 : 1, updated_at: new Date().toISOString() });
    this.rev++;
    return this.get(id);
  }
}
