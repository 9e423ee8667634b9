/**
 * "Configure Bazarr for me": Bazarr's Whisper provider set up through
 * Bazarr's own settings API (bazarr/api/system/settings.py, the same calls
 * its Settings pages make), so nobody copies an endpoint by hand.
 *
 * A dry run reads Bazarr's settings and answers what would change, each with
 * its reason; `confirm: true` writes exactly those fields and reads them back
 * (the Test). What is written:
 *
 * - the Whisper provider (`whisperai`) among Bazarr's enabled providers;
 * - its endpoint: this server's address with the provider key
 *   (`/provider/<provider key>`, never the API key);
 * - its timeouts: the connection timeout at least Bazarr's default, the
 *   transcription timeout a minute over provider_timeout_seconds, so this
 *   server answers first (Bazarr pauses the provider for an hour after a read
 *   timeout, bazarr/app/get_providers.py);
 * - "Pass video filename", so late audio is corrected and library work shared;
 * - only when asked (`scores: true`), Bazarr's minimum scores lowered to what
 *   a Whisper subtitle scores: Bazarr scores it on series, season and episode
 *   (or the title) alone, 66 % of an episode's and 50 % of a movie's points
 *   with Bazarr's default score tables (bazarr/subtitles/tools/score.py), so
 *   with the default minimums (90 %, 70 %) it never picks one by itself.
 *
 * Bazarr has no Whisper fallback setting (as of master 920853dae): when a
 * version has one, its settings carry it and the dry run names it.
 */
import { randomBytes } from 'node:crypto';
import { AppError, badRequest } from '../errors.js';
import { isLoopbackAddress, providerPathKeys, separateProviderKey } from '../security/request-guard.js';
import type { SettingsService } from '../settings/settings.service.js';
import { BazarrClient, type BazarrSettings } from './bazarr-client.js';

type Value = string | number | boolean | string[] | null;

export interface BazarrChange {
  /** Bazarr's setting, section.key (whisperai.endpoint) */
  setting: string;
  /** its name on Bazarr's Settings pages */
  label: string;
  from: Value;
  to: Value;
  why: string;
}

export interface ConfigureInput {
  /** where Bazarr reaches this server; absent: the public_url setting, else Bazarr's endpoint's address when it already points here, else the address of this request */
  public_url?: string | null;
  /** lower Bazarr's minimum scores to what a Whisper subtitle scores */
  scores?: boolean;
  /** false or absent: a dry run */
  confirm?: boolean;
}

export interface ConfigureResult {
  bazarr_url: string;
  /** true when the changes were written */
  applied: boolean;
  /** what is (dry run) or was (confirm) changed in Bazarr */
  changes: BazarrChange[];
  /** after a confirm: Bazarr's settings read back hold every change */
  verified: boolean | null;
  /** after a confirm: the changes Bazarr's settings do not show */
  mismatches: string[];
  /** the provider URL Bazarr's endpoint gets, with the provider key; null while that key is still to be made */
  provider_url: string | null;
  /** a new provider key is (dry run) or was (confirm) made for it */
  new_provider_key: boolean;
  /** advice in words: what is not changed and why */
  notes: string[];
}

/** Bazarr's defaults (bazarr/app/config.py): the connection timeout, the minimum scores. */
const BAZARR_RESPONSE_DEFAULT = 5;
const PROVIDER = 'whisperai';
const NEW_KEY_PLACEHOLDER = '<new provider key>';

/** What Whisper's subtitle scores in Bazarr, in whole percent: the matches it gets over the highest score. */
export function whisperScores(s: BazarrSettings): { episode: number; movie: number } {
  const ep = { hash: 359, hearing_impaired: 1, series: 180, season: 30, episode: 30, ...(s.series_scores ?? {}) };
  const mv = { hash: 119, hearing_impaired: 1, title: 60, ...(s.movie_scores ?? {}) };
  const pct = (got: number, max: number) => (max > 0 ? Math.floor((got / max) * 100) : 0);
  return { episode: pct(ep.series + ep.season + ep.episode, ep.hash + ep.hearing_impaired), movie: pct(mv.title, mv.hash + mv.hearing_impaired) };
}

function normalizeBase(raw: string): string {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    throw badRequest(`public_url must be a full URL such as http://nas.local:8000, got "${raw.trim()}"`, 'bad_public_url');
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw badRequest(`public_url must start with http:// or https://, got "${raw.trim()}"`, 'bad_public_url');
  if (u.search || u.hash || u.username || u.password) throw badRequest('public_url must not carry a query, a fragment or credentials', 'bad_public_url');
  return `${u.protocol}//${u.host}${u.pathname.replace(/\/+$/, '')}`;
}

/** The address in front of `/provider/<key>` when Bazarr's endpoint is a provider URL with one of `keys`. */
export function providerBase(endpoint: string | undefined, keys: string[]): string | null {
  const m = /^(.*?)\/provider\/([^/?#]+)\/*$/.exec((endpoint ?? '').trim());
  if (!m || !keys.includes(decodeURIComponent(m[2]))) return null;
  return m[1];
}

const isLoopbackHost = (base: string) => {
  const h = new URL(base).hostname.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h.endsWith('.localhost') || isLoopbackAddress(h);
};

const same = (a: Value, b: Value) => JSON.stringify(a) === JSON.stringify(b);

/** The form field Bazarr's save_settings reads for `section.key`. */
const field = (setting: string) => `settings-${setting.replace('.', '-')}`;

export class BazarrConfigureService {
  constructor(private readonly settings: SettingsService) {}

  private client(): BazarrClient {
    const url = this.settings.getString('bazarr_url').trim();
    const apiKey = this.settings.getString('bazarr_sync_api_key').trim();
    if (!url || !apiKey) throw badRequest("Bazarr is not connected: set bazarr_url (e.g. http://bazarr:6767) and bazarr_sync_api_key (Bazarr: Settings > General > Security) first", 'bazarr_unconfigured');
    return new BazarrClient({ url, apiKey, timeoutMs: this.settings.getNumber('integration_request_timeout_seconds') * 1000 });
  }

  /** True when bazarr_url and Bazarr's API key are set. */
  connected(): boolean {
    return !!(this.settings.getString('bazarr_url').trim() && this.settings.getString('bazarr_sync_api_key').trim());
  }

  /** The changes that make Bazarr's settings `s` use this server; `key` null: a provider key is still to be made. */
  private plan(s: BazarrSettings, input: ConfigureInput, origin: string, key: string | null): Omit<ConfigureResult, 'applied' | 'verified' | 'mismatches'> {
    const changes: BazarrChange[] = [];
    const notes: string[] = [];
    const w = s.whisperai ?? {};
    const g = s.general ?? {};
    const want = (setting: string, label: string, from: Value, to: Value, why: string) => {
      if (!same(from, to)) changes.push({ setting, label, from, to, why });
    };

    const providers = Array.isArray(g.enabled_providers) ? g.enabled_providers.map(String) : [];
    want('general.enabled_providers', 'Providers: Whisper', providers, providers.includes(PROVIDER) ? providers : [...providers, PROVIDER], 'Bazarr asks only enabled providers for subtitles.');

    // Where Bazarr reaches this server: what the user said, else an endpoint that already works from Bazarr's side.
    const givenBase = input.public_url?.trim() ? normalizeBase(input.public_url) : this.settings.getString('public_url').trim() ? normalizeBase(this.settings.getString('public_url')) : null;
    const keys = [...providerPathKeys(this.settings), this.settings.getString('api_key'), this.settings.getString('bazarr_api_key')].filter(Boolean);
    const base = givenBase ?? providerBase(w.endpoint, keys) ?? normalizeBase(origin);
    const providerUrl = `${base}/provider/${key ?? NEW_KEY_PLACEHOLDER}`;
    want('whisperai.endpoint', 'Whisper ASR Docker Endpoint', w.endpoint ?? null, providerUrl, 'This server’s provider URL with the provider key: it can transcribe, and open nothing else here, so Bazarr may show and log it.');
    if (isLoopbackHost(base)) notes.push(`${base} is a loopback address: Bazarr reaches it only when it runs on this machine, outside a container. Give this server’s network address (public_url) otherwise.`);

    const response = Number(w.response ?? BAZARR_RESPONSE_DEFAULT);
    want('whisperai.response', 'Connection/response timeout in seconds', w.response ?? null, Math.max(response, BAZARR_RESPONSE_DEFAULT), 'This server answers the connection at once, even when every worker is busy.');
    const ours = this.settings.getNumber('provider_timeout_seconds');
    const timeout = Number(w.timeout ?? 0);
    want('whisperai.timeout', 'Transcription/translation timeout in seconds', w.timeout ?? null, Math.max(timeout, ours + 60), `Longer than this server waits for a job (provider_timeout_seconds, ${ours} s), so this server answers first: Bazarr pauses the provider for an hour after a read timeout.`);
    want('whisperai.pass_video_name', 'Pass video filename to Whisper', w.pass_video_name ?? null, true, 'The job gets the video’s name; for a file in this server’s library, late audio is corrected and a subtitle already made is answered without transcribing again.');

    const scores = whisperScores(s);
    const minEp = Number(g.minimum_score ?? 90);
    const minMv = Number(g.minimum_score_movie ?? 70);
    if (input.scores) {
      want('general.minimum_score', 'Minimum score for episodes', g.minimum_score ?? null, Math.min(minEp, scores.episode), `Bazarr scores a Whisper subtitle ${scores.episode} % for an episode (series, season and episode match); below the minimum it is never picked.`);
      want('general.minimum_score_movie', 'Minimum score for movies', g.minimum_score_movie ?? null, Math.min(minMv, scores.movie), `Bazarr scores a Whisper subtitle ${scores.movie} % for a movie (the title matches); below the minimum it is never picked.`);
      notes.push('Lower minimum scores apply to every provider: a poorer match from another provider can be picked too.');
    } else if (minEp > scores.episode || minMv > scores.movie) {
      notes.push(`Bazarr’s minimum scores (${minEp} % for episodes, ${minMv} % for movies) are above what a Whisper subtitle scores (${scores.episode} %, ${scores.movie} %): Bazarr will use Whisper only when you search by hand, or through the Wanted sync here. Tick “Lower the minimum scores” to let it pick Whisper by itself.`);
    }
    const fallback = Object.keys(w).filter((k) => /fallback/i.test(k));
    if (fallback.length) notes.push(`This Bazarr has a Whisper fallback setting (${fallback.map((k) => `whisperai.${k}`).join(', ')}): it is left as it is; set it on Bazarr’s Whisper provider page.`);
    notes.push('Bazarr pauses a provider for 10 minutes after an answer it cannot read (a wrong key among them), for an hour after a read timeout and for 24 hours after a connection error: after changing anything, reset the pause under Bazarr’s System > Status (Throttled providers) or wait.');
    return { bazarr_url: this.settings.getString('bazarr_url').trim(), changes, provider_url: key ? providerUrl : null, new_provider_key: key === null, notes };
  }

  /**
   * Reads Bazarr's settings and answers the changes (a dry run); with
   * `confirm: true` writes them through Bazarr's settings API, then reads
   * them back. `origin` is the address this request reached, the last choice
   * for the endpoint's address.
   */
  async configure(input: ConfigureInput, origin: string): Promise<ConfigureResult> {
    const client = this.client();
    const current = await client.settings();
    const existing = separateProviderKey(this.settings);
    if (!input.confirm) return { ...this.plan(current, input, origin, existing), applied: false, verified: null, mismatches: [] };

    const key = existing ?? randomBytes(24).toString('base64url');
    const plan = this.plan(current, input, origin, key);
    if (!existing) await this.settings.setInternal('bazarr_api_key', key);
    if (!this.settings.getBoolean('bazarr_provider_enabled')) await this.settings.bulkUpdate({ bazarr_provider_enabled: 'true' });
    if (plan.changes.length) await client.saveSettings(this.formOf(plan.changes));
    const mismatches = this.compare(await client.settings(), plan.changes);
    return { ...plan, new_provider_key: !existing, applied: true, verified: mismatches.length === 0, mismatches };
  }

  /** The Test: Bazarr's settings read now, against what "Configure" would write (nothing left: configured). */
  async check(input: ConfigureInput, origin: string): Promise<ConfigureResult> {
    const current = await this.client().settings();
    const plan = this.plan(current, input, origin, separateProviderKey(this.settings));
    return { ...plan, applied: false, verified: plan.changes.length === 0 && !plan.new_provider_key, mismatches: plan.changes.map((c) => `${c.label} is ${JSON.stringify(c.from)}, expected ${JSON.stringify(c.to)}`) };
  }

  /**
   * After the provider key changed: Bazarr's endpoint, when it is a provider
   * URL with one of `oldKeys`, is pointed at `newKey` (same address), so
   * Bazarr keeps working. Answers what happened, in words.
   */
  async repointEndpoint(oldKeys: string[], newKey: string): Promise<{ updated: boolean; message: string }> {
    if (!this.connected()) return { updated: false, message: 'Bazarr is not connected here (bazarr_url and Bazarr’s API key): paste the new provider URL into Bazarr’s Whisper provider (Endpoint) yourself.' };
    const client = this.client();
    const s = await client.settings();
    const endpoint = s.whisperai?.endpoint;
    const base = providerBase(endpoint, oldKeys.filter(Boolean));
    if (base === null) {
      return providerBase(endpoint, [newKey]) !== null
        ? { updated: false, message: 'Bazarr’s Whisper endpoint already uses the provider key.' }
        : { updated: false, message: `Bazarr’s Whisper endpoint (${endpoint ? endpoint.replace(/\/provider\/[^/]+/, '/provider/…') : 'none'}) does not point at this server’s provider URL: it was left as it is.` };
    }
    const to = `${base}/provider/${newKey}`;
    await client.saveSettings([[field('whisperai.endpoint'), to]]);
    const back = await client.settings();
    if (back.whisperai?.endpoint !== to) throw new AppError(502, 'bazarr_settings_refused', 'Bazarr accepted the new endpoint but does not show it when read back: paste the new provider URL into Bazarr’s Whisper provider (Endpoint) yourself.');
    return { updated: true, message: `Bazarr’s Whisper endpoint now uses the provider key (${base}/provider/…).` };
  }

  private formOf(changes: BazarrChange[]): Array<[string, string]> {
    const out: Array<[string, string]> = [];
    for (const c of changes) {
      if (Array.isArray(c.to)) for (const v of c.to) out.push([field(c.setting), v]);
      else out.push([field(c.setting), String(c.to)]);
    }
    return out;
  }

  private compare(s: BazarrSettings, changes: BazarrChange[]): string[] {
    const out: string[] = [];
    for (const c of changes) {
      const [section, key] = c.setting.split('.');
      const now = ((s[section] ?? {}) as Record<string, unknown>)[key] as Value;
      if (!same(now ?? null, c.to)) out.push(`${c.label} reads back as ${JSON.stringify(now ?? null)}, not ${JSON.stringify(c.to)}`);
    }
    return out;
  }
}
