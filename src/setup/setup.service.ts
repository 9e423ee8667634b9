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
import { ruleNeedsTranslation } from '../rules/rules-explain.js';
import { isTranslationConfigured, pipelineOptionsFromSettings } from '../transcription/index.js';
import { isLoopbackAddress, separateProviderKey } from '../security/request-guard.js';
import type { BazarrConfigureService } from '../integrations/bazarr-configure.service.js';
import type { ModelsService } from '../models/models.service.js';
import { chooseModel, type ModelChoice } from './setup-model.js';

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

interface TranslationInput {
  provider: string;
  url?: string | null;
  api_key?: string | null;
  model?: string | null;
}

interface StandaloneInput {
  library_paths: string[];
  scan_rules?: FlatRule[];
  worker_config?: { count: number; type: string };
  scanner_config?: { interval_minutes: number; enabled?: boolean };
  /** a catalogue name, a file in the model folder or an absolute path to a ggml file; absent: chosen by chooseModel */
  model?: string | null;
  /** a translation provider for rules whose target is neither the audio language nor English */
  translation?: TranslationInput | null;
}

interface BazarrInput {
  /** where Bazarr reaches this server (http://nas.local:8000); stored as the public_url setting */
  public_url?: string | null;
  /** true: a new provider key replaces the one in use (Bazarr must be given the new URL) */
  rotate_key?: boolean;
}

export interface BazarrInfo {
  mode: 'bazarr_slave';
  host: string;
  port: number;
  api_key: string;
  provider_url: string;
  /** the base address the URL was built from */
  public_url: string;
  /** where that address came from: the request, the public_url setting, or the address the request reached */
  public_url_source: 'request' | 'setting' | 'request_host';
  /** a loopback address: Bazarr reaches it only when it runs on this machine, outside a container */
  loopback: boolean;
  /** whether this call made a new provider key */
  key_rotated: boolean;
  /** when a new key replaced one Bazarr used: whether Bazarr's endpoint was updated through its settings API, in words */
  bazarr_update?: { updated: boolean; message: string } | null;
}

export interface SetupResult {
  success: boolean;
  message: string;
  bazarr_info: BazarrInfo | null;
  /** standalone: the model jobs use (whisper_model) and how it was chosen */
  model?: { name: string; source: ModelChoice['source']; installed: boolean };
  /** things that will not work as set up, in words (a rule that needs a translation provider) */
  warnings?: string[];
}

const TRANSLATION_PROVIDERS = ['libretranslate', 'deepl', 'openai'];

/** The translation settings of the wizard's provider, validated (400 names the missing field). */
function translationValues(t: TranslationInput): Record<string, string> {
  const provider = String(t.provider ?? '').trim().toLowerCase();
  if (!TRANSLATION_PROVIDERS.includes(provider)) throw badRequest(`translation.provider must be one of ${TRANSLATION_PROVIDERS.join(', ')}, got "${t.provider}"`, 'bad_translation');
  const url = (t.url ?? '').trim();
  const apiKey = (t.api_key ?? '').trim();
  if (url && !/^https?:\/\/[^\s/]+/i.test(url)) throw badRequest(`translation.url must be an http(s) URL, got "${url}"`, 'bad_translation');
  if (!isTranslationConfigured({ provider: provider as 'deepl', url, apiKey } as Parameters<typeof isTranslationConfigured>[0])) {
    throw badRequest(provider === 'libretranslate' ? 'translation.url is required for LibreTranslate (its base URL, e.g. http://localhost:5000)' : provider === 'deepl' ? 'translation.api_key is required for DeepL' : 'translation.url or translation.api_key is required for an OpenAI-compatible provider', 'bad_translation');
  }
  return {
    translation_provider: provider,
    translation_url: url,
    ...(apiKey ? { translation_api_key: apiKey } : {}),
    ...(t.model?.trim() ? { translation_model: t.model.trim() } : {}),
  };
}

/** A public URL as given (http(s), host, optional port and path prefix), without a trailing slash. */
function normalizePublicUrl(raw: string): string {
  const text = raw.trim();
  let u: URL;
  try {
    u = new URL(text);
  } catch {
    throw badRequest(`public_url must be a full URL such as http://nas.local:8000, got "${text}"`, 'bad_public_url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`public_url must start with http:// or https://, got "${text}"`, 'bad_public_url');
  if (u.search || u.hash || u.username || u.password) throw badRequest('public_url must not carry a query, a fragment or credentials', 'bad_public_url');
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h);
}

const RULE_KEYS = new Set<string>(['name', 'enabled', 'priority', 'action_type', 'target_language', 'quality_preset', 'job_priority', ...CONDITION_KEYS]);

/** Library folders live on this server; a Windows path is accepted only where the server runs on Windows. */
function isAbsoluteLibraryPath(p: string): boolean {
  return process.platform === 'win32' ? win32.isAbsolute(p) : posix.isAbsolute(p);
}

/** A list setting's text: comma-separated, or a JSON array when a path itself holds a separator. */
function listSettingText(items: string[]): string {
  return items.some((p) => p.includes(',') || p.includes('|')) ? JSON.stringify(items) : items.join(',');
}

function normalizeLibraryPaths(paths: string[]): string[] {
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
function toRuleInput(rule: FlatRule, index: number): RuleInput {
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
    private readonly models: ModelsService,
    /** resolves a picked path inside the browsable folders (the filesystem browser's roots) */
    private readonly resolveAllowed: (path: string) => Promise<string>,
    /** Config.tools.nvidiaSmi: how GPUs are counted for GPU workers */
    private readonly nvidiaSmi: string,
    /** Bazarr's settings API: its endpoint follows a new provider key when Bazarr is connected */
    private readonly bazarr?: BazarrConfigureService,
  ) {}

  /**
   * First run: the wizard has never been completed or skipped and nothing it
   * would set up exists yet (no library folder, no rule). An instance set up
   * through the settings and rules APIs is therefore not a first run.
   */
  async status() {
    const completed = this.settings.getBoolean('setup_completed');
    const libraries = this.settings.getList('library_paths');
    const rules = await this.rules.list(false);
    return {
      is_first_run: !completed && libraries.length === 0 && rules.length === 0,
      setup_completed: completed,
      operation_mode: this.settings.getString('operation_mode'),
      has_library_paths: libraries.length > 0,
      rules_count: rules.length,
      library_paths: libraries,
      translation_configured: this.translationConfigured(),
      bazarr_provider_enabled: this.settings.getBoolean('bazarr_provider_enabled'),
      public_url: this.settings.getString('public_url'),
      worker_cpu_count: this.settings.getNumber('worker_cpu_count'),
      worker_gpu_count: this.settings.getNumber('worker_gpu_count'),
    };
  }

  private translationConfigured(): boolean {
    return isTranslationConfigured(pipelineOptionsFromSettings((k) => this.settings.get(k as never)).translation);
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
    if (input.translation) Object.assign(values, translationValues(input.translation));
    const workerType = input.worker_config && input.worker_config.count > 0 ? (String(input.worker_config.type).toLowerCase() as 'cpu' | 'gpu') : null;
    const model = await chooseModel(input.model, workerType, { settings: this.settings, models: this.models, resolveAllowed: this.resolveAllowed });
    Object.assign(values, model.values);
    values.setup_completed = 'true';
    this.validateSettings(values);
    const translating = !!input.translation || this.translationConfigured();
    const warnings = translating
      ? []
      : ruleInputs
          .filter((r) => r.enabled !== false && ruleNeedsTranslation(r as unknown as Parameters<typeof ruleNeedsTranslation>[0]))
          .map((r) => `The rule "${r.name}" needs a translation provider (its target is neither the audio language nor English), and none is set up: its jobs will fail until one is set up in Settings, or its target is English.`);

    await this.database.db.transaction().execute(async (trx) => {
      const rules = new ScanRulesService(trx);
      for (const r of ruleInputs) await rules.create(r);
    });
    await this.settings.bulkUpdate(values);
    return {
      success: true,
      message: 'Standalone mode configured successfully',
      bazarr_info: null,
      model: { name: model.model, source: model.source, installed: model.installed },
      warnings,
    };
  }

  private async workerValues(w: { count: number; type: string }): Promise<Record<string, string>> {
    const type = String(w.type).toLowerCase();
    if (type !== 'cpu' && type !== 'gpu') throw badRequest(`worker_config.type must be cpu or gpu, got "${w.type}"`, 'bad_worker_type');
    if (type === 'gpu' && w.count > 0) {
      const gpus = await listGpus(this.nvidiaSmi);
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
   * Provider mode for Bazarr. Bazarr's whisper provider has one Endpoint field
   * and cannot send headers, so the URL it is given carries a key in its
   * path (/provider/<key>), and Bazarr shows and logs that URL. The key is
   * therefore the provider key, which opens the provider routes and nothing
   * else, never the API key: one is made when there is none (or the one
   * stored is the API key, as older versions set it) or when asked
   * (`rotate_key`); otherwise the key in use is kept. The URL's base is
   * `public_url` (given, else the setting), else the address the request
   * reached.
   */
  async bazarrSlave(origin: { host: string; port: number }, input: BazarrInput = {}): Promise<SetupResult> {
    const given = input.public_url?.trim() ? normalizePublicUrl(input.public_url) : null;
    const base = this.providerBase(origin, given);
    const current = separateProviderKey(this.settings);
    const rotate = input.rotate_key === true || !current;
    const hasLibrary = this.settings.getList('library_paths').length > 0;
    await this.settings.bulkUpdate({
      bazarr_provider_enabled: 'true',
      operation_mode: hasLibrary ? 'standalone,provider' : 'provider',
      setup_completed: 'true',
      ...(given ? { public_url: given } : {}),
    });
    const { key, bazarr } = rotate ? await this.newProviderKey() : { key: current!, bazarr: null };
    return {
      success: true,
      message: 'Bazarr slave mode configured successfully',
      bazarr_info: this.info(base, key, rotate, bazarr),
    };
  }

  /**
   * "Make a separate provider key": a new provider key, and Bazarr's
   * endpoint moved to it in the same step when Bazarr is connected
   * (bazarr_url and its API key) and its endpoint used the old key. The API
   * key is left alone.
   */
  async separateProviderKey(origin: { host: string; port: number }): Promise<BazarrInfo> {
    const base = this.providerBase(origin, null);
    const { key, bazarr } = await this.newProviderKey();
    return this.info(base, key, true, bazarr);
  }

  private async newProviderKey(): Promise<{ key: string; bazarr: BazarrInfo['bazarr_update'] }> {
    const old = [this.settings.getString('bazarr_api_key'), this.settings.getString('api_key')].filter(Boolean);
    const key = randomBytes(24).toString('base64url');
    await this.settings.setInternal('bazarr_api_key', key);
    // Not connected: there is nothing to move; the answer's provider_url is what to paste.
    if (!this.bazarr?.connected()) return { key, bazarr: null };
    try {
      return { key, bazarr: await this.bazarr.repointEndpoint(old, key) };
    } catch (e) {
      // The key is made either way: the message says what to paste into Bazarr by hand.
      return { key, bazarr: { updated: false, message: `${(e as Error).message}. Paste the new provider URL into Bazarr’s Whisper provider (Endpoint).` } };
    }
  }

  private providerBase(origin: { host: string; port: number }, given: string | null): [string, BazarrInfo['public_url_source']] {
    const stored = this.settings.getString('public_url').trim();
    const hostPart = origin.host.includes(':') && !origin.host.startsWith('[') ? `[${origin.host}]` : origin.host;
    return given ? [given, 'request'] : stored ? [normalizePublicUrl(stored), 'setting'] : [`http://${hostPart}:${origin.port}`, 'request_host'];
  }

  private info([base, source]: [string, BazarrInfo['public_url_source']], key: string, rotated: boolean, bazarr: BazarrInfo['bazarr_update']): BazarrInfo {
    const url = new URL(base);
    const port = url.port ? Number(url.port) : url.protocol === 'https:' ? 443 : 80;
    return {
      mode: 'bazarr_slave',
      host: url.hostname.replace(/^\[|\]$/g, ''),
      port,
      api_key: key,
      provider_url: `${base}/provider/${key}`,
      public_url: base,
      public_url_source: source,
      loopback: isLoopbackHost(url.hostname),
      key_rotated: rotated,
      bazarr_update: bazarr,
    };
  }

  async skip(): Promise<{ message: string }> {
    await this.settings.bulkUpdate({ setup_completed: 'true' });
    return { message: 'Setup wizard skipped' };
  }
}
