/**
 * The first-run wizard: standalone mode (library folders, first rules,
 * workers, scan interval) or Bazarr provider mode (a generated key and the URL
 * to paste into Bazarr). Everything a request asks for is validated before
 * anything is written, so a bad rule or path leaves the instance untouched.
 */
import { randomBytes } from 'node:crypto';
import { posix, win32 } from 'node:path';
import type { DatabaseHandle } from '../db/database.js';
import { AppError, badRequest, conflict } from '../errors.js';
import { CONDITION_KEYS, ScanRulesService, normalizeAction, normalizeConditions, type RuleInput } from '../rules/rules.service.js';
import { definitionByKey } from '../settings/definitions/index.js';
import { normalizeValue } from '../settings/settings.values.js';
import type { SettingsService } from '../settings/settings.service.js';
import { listGpus } from '../system/gpus.js';

/** A rule as the wizard sends it: conditions and action fields side by side. */
export interface FlatRule {
  name: string;
  enabled?: boolean;
  priority?: number;
  audio_language_is?: string | null;
  audio_language_not?: string | null;
  audio_track_count_min?: number | null;
  has_embedded_subtitle_lang?: string | null;
  missing_embedded_subtitle_lang?: string | null;
  missing_external_subtitle_lang?: string | null;
  file_extension?: string | null;
  action_type?: string;
  target_language: string;
  quality_preset?: string;
  job_priority?: number;
}

export interface StandaloneInput {
  library_paths: string[];
  scan_rules?: FlatRule[];
  worker_config?: { count: number; type: string };
  scanner_config?: { interval_minutes: number; enabled?: boolean };
}

export interface BazarrInfo {
  mode: 'bazarr_slave';
  host: string;
  port: number;
  api_key: string;
  provider_url: string;
}

export interface SetupResult {
  success: boolean;
  message: string;
  bazarr_info: BazarrInfo | null;
}

const RULE_KEYS = new Set<string>(['name', 'enabled', 'priority', 'action_type', 'target_language', 'quality_preset', 'job_priority', ...CONDITION_KEYS]);

/** Library folders live on this server; a Windows path is accepted only where the server runs on Windows. */
function isAbsoluteLibraryPath(p: string): boolean {
  return process.platform === 'win32' ? win32.isAbsolute(p) : posix.isAbsolute(p);
}

/** A list setting's text: comma-separated, or a JSON array when a path itself holds a separator. */
export function listSettingText(items: string[]): string {
  return items.some((p) => p.includes(',') || p.includes('|')) ? JSON.stringify(items) : items.join(',');
}

export function normalizeLibraryPaths(paths: string[]): string[] {
  const out: string[] = [];
  for (const [i, raw] of paths.entries()) {
    const p = typeof raw === 'string' ? raw.trim() : '';
    if (!p) throw badRequest(`library_paths[${i}] must not be empty`, 'bad_path');
    if (!isAbsoluteLibraryPath(p)) throw badRequest(`library_paths[${i}] must be an absolute path, got "${p}"`, 'relative_path');
    const norm = process.platform === 'win32' ? win32.normalize(p) : posix.normalize(p).replace(/(.)\/+$/, '$1');
    if (!out.includes(norm)) out.push(norm);
  }
  return out;
}

/** Turns a flat wizard rule into the rules API's input, validating every field (400 names the rule). */
export function toRuleInput(rule: FlatRule, index: number): RuleInput {
  const where = `scan_rules[${index}]`;
  if (!rule || typeof rule !== 'object') throw badRequest(`${where} must be an object`, 'bad_rule');
  const unknown = Object.keys(rule).filter((k) => !RULE_KEYS.has(k));
  if (unknown.length) throw badRequest(`${where} has unknown field(s) ${unknown.join(', ')}`, 'bad_rule');
  const name = typeof rule.name === 'string' ? rule.name.trim() : '';
  if (!name) throw badRequest(`${where}.name is required`, 'bad_rule');
  const conditions: Record<string, unknown> = {};
  for (const k of CONDITION_KEYS) if (rule[k] !== undefined) conditions[k] = rule[k];
  const action = { action_type: rule.action_type, target_language: rule.target_language, quality_preset: rule.quality_preset, job_priority: rule.job_priority };
  try {
    // The same checks the rules API applies, run now so nothing is written when one rule is bad.
    return {
      name,
      enabled: rule.enabled ?? true,
      priority: rule.priority ?? 0,
      conditions: normalizeConditions(conditions),
      action: normalizeAction(Object.fromEntries(Object.entries(action).filter(([, v]) => v !== undefined))),
    };
  } catch (e) {
    if (e instanceof AppError) throw new AppError(e.status, e.code, `${where} (${name}): ${e.message}`);
    throw e;
  }
}

export class SetupService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly settings: SettingsService,
    private readonly rules: ScanRulesService,
  ) {}

  /**
   * First run: the wizard has never been completed or skipped and nothing it
   * would set up exists yet (no library folder, no rule). An instance set up
   * through the settings and rules APIs is therefore not a first run.
   */
  async status(): Promise<{ is_first_run: boolean; setup_completed: boolean; operation_mode: string; has_library_paths: boolean; rules_count: number }> {
    const completed = this.settings.getBoolean('setup_completed');
    const libraries = this.settings.getList('library_paths');
    const rules = await this.rules.list(false);
    return {
      is_first_run: !completed && libraries.length === 0 && rules.length === 0,
      setup_completed: completed,
      operation_mode: this.settings.getString('operation_mode'),
      has_library_paths: libraries.length > 0,
      rules_count: rules.length,
    };
  }

  async standalone(input: StandaloneInput): Promise<SetupResult> {
    const libraryPaths = normalizeLibraryPaths(input.library_paths ?? []);
    const ruleInputs = (input.scan_rules ?? []).map((r, i) => toRuleInput(r, i));
    const names = new Set<string>();
    for (const r of ruleInputs) {
      if (names.has(r.name!)) throw conflict(`Two rules in scan_rules are named '${r.name}'`, 'duplicate_rule');
      names.add(r.name!);
    }
    const existing = new Set((await this.rules.list(false)).map((r) => r.name));
    for (const n of names) if (existing.has(n)) throw conflict(`Rule with name '${n}' already exists`, 'duplicate_rule');

    const values: Record<string, string> = {
      library_paths: listSettingText(libraryPaths),
      operation_mode: 'standalone',
    };
    if (input.worker_config) Object.assign(values, await this.workerValues(input.worker_config));
    if (input.scanner_config) {
      const minutes = input.scanner_config.interval_minutes;
      values.scanner_schedule_interval_minutes = String(minutes);
      // The scheduler prefers a cron expression; the wizard's interval only applies without one.
      values.scanner_cron = '';
      values.auto_scan_enabled = String(input.scanner_config.enabled ?? true);
    }
    values.setup_completed = 'true';
    this.validateSettings(values);

    await this.database.db.transaction().execute(async (trx) => {
      const rules = new ScanRulesService(trx);
      for (const r of ruleInputs) await rules.create(r);
    });
    await this.settings.bulkUpdate(values);
    return { success: true, message: 'Standalone mode configured successfully', bazarr_info: null };
  }

  private async workerValues(w: { count: number; type: string }): Promise<Record<string, string>> {
    const type = String(w.type).toLowerCase();
    if (type !== 'cpu' && type !== 'gpu') throw badRequest(`worker_config.type must be cpu or gpu, got "${w.type}"`, 'bad_worker_type');
    if (type === 'gpu' && w.count > 0) {
      const gpus = await listGpus();
      if (w.count > gpus.length) {
        throw badRequest(
          gpus.length
            ? `worker_config.count is ${w.count} but this machine has ${gpus.length} GPU(s): one GPU worker per GPU`
            : 'worker_config.type is gpu but no GPU was detected (nvidia-smi not found or no NVIDIA device): use cpu',
          'no_gpu',
        );
      }
    }
    // The wizard describes the whole worker setup: the other kind is switched off.
    return type === 'cpu'
      ? { worker_cpu_count: String(w.count), worker_gpu_count: '0' }
      : { worker_gpu_count: String(w.count), worker_cpu_count: '0' };
  }

  /** The same checks bulkUpdate makes, run before the rules are written. */
  private validateSettings(values: Record<string, string>): void {
    const errors: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) {
      const def = definitionByKey.get(key);
      if (!def) continue;
      try {
        normalizeValue(def, value);
      } catch (e) {
        errors[key] = (e as Error).message;
      }
    }
    const bad = Object.values(errors);
    if (bad.length) throw new AppError(400, 'invalid_settings', `Nothing was saved: ${bad.join('; ')}`, errors);
  }

  /**
   * Provider mode for Bazarr: a new strong key becomes both the API key and the
   * provider key. Bazarr's whisper provider cannot send headers, so the URL it
   * is given carries the key in its path (/provider/<key>).
   */
  async bazarrSlave(origin: { host: string; port: number }): Promise<SetupResult> {
    const key = randomBytes(24).toString('base64url');
    const hasLibrary = this.settings.getList('library_paths').length > 0;
    await this.settings.bulkUpdate({
      bazarr_provider_enabled: 'true',
      operation_mode: hasLibrary ? 'standalone,provider' : 'provider',
      setup_completed: 'true',
    });
    await this.settings.setInternal('api_key', key);
    await this.settings.setInternal('bazarr_api_key', key);
    const hostPart = origin.host.includes(':') && !origin.host.startsWith('[') ? `[${origin.host}]` : origin.host;
    return {
      success: true,
      message: 'Bazarr slave mode configured successfully',
      bazarr_info: {
        mode: 'bazarr_slave',
        host: origin.host,
        port: origin.port,
        api_key: key,
        provider_url: `http://${hostPart}:${origin.port}/provider/${key}`,
      },
    };
  }

  async skip(): Promise<{ message: string }> {
    await this.settings.bulkUpdate({ setup_completed: 'true' });
    return { message: 'Setup wizard skipped' };
  }
}
