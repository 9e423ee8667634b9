/**
 * Bazarr's settings API for the fake Bazarr, built from Bazarr's own code
 * (github.com/morpheus65535/bazarr, master 920853dae):
 *
 *   bazarr/api/system/settings.py  GET system/settings: get_settings() as JSON; POST system/settings: the form's
 *                                  fields to save_settings(zip(form.keys(), form.listvalues())), 406 with the
 *                                  validator's message on a ValidationError, else 204
 *   bazarr/app/config.py           defaults and validators: general.minimum_score 90 and minimum_score_movie 70
 *                                  (int, 0..100), general.enabled_providers [] (list), whisperai.endpoint
 *                                  'http://127.0.0.1:9000' (str), response 5 and timeout 3600 (int >= 1),
 *                                  pass_video_name false (bool), loglevel 'INFO'; series_scores and movie_scores;
 *                                  save_settings: a key is settings-<section>-<key>; a one-value list that is not an
 *                                  array key becomes the value; a string casts to int when it can; 'true'/'false'
 *                                  become booleans; an array key whose first value is empty becomes []
 */
import type { ServerResponse } from 'node:http';
import type { Recorded } from './fake-server.js';

export type FakeBazarrConfig = Record<string, Record<string, unknown>>;

const ARRAY_KEYS = ['excluded_tags', 'exclude', 'included_codecs', 'subzero_mods', 'excluded_series_types', 'enabled_providers', 'enabled_integrations', 'path_mappings', 'path_mappings_movie', 'remove_profile_tags', 'language_equals', 'blacklisted_languages', 'blacklisted_providers'];
const EMPTY = ['', 'None', 'null', 'undefined'];

/** A fresh Bazarr's settings (the parts the tests read). */
export function defaultBazarrConfig(): FakeBazarrConfig {
  return {
    general: { minimum_score: 90, minimum_score_movie: 70, enabled_providers: ['opensubtitlescom'], use_sonarr: true, use_radarr: true },
    whisperai: { endpoint: 'http://127.0.0.1:9000', response: 5, timeout: 3600, pass_video_name: false, loglevel: 'INFO' },
    series_scores: { hash: 359, series: 180, year: 90, season: 30, episode: 30, release_group: 14, source: 7, audio_codec: 3, resolution: 2, video_codec: 2, streaming_service: 1, hearing_impaired: 1 },
    movie_scores: { hash: 119, title: 60, year: 30, release_group: 13, source: 7, audio_codec: 3, resolution: 2, video_codec: 2, streaming_service: 1, edition: 1, hearing_impaired: 1 },
  };
}

/** Bazarr's validators for the keys the tests write; a message means the value is refused. */
function validate(config: FakeBazarrConfig): string | null {
  const g = config.general;
  const w = config.whisperai;
  for (const k of ['minimum_score', 'minimum_score_movie']) {
    const v = g[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) return `general.${k} must be gte 0 and lte 100 but it is ${String(v)} in env main`;
  }
  if (typeof w.endpoint !== 'string') return 'whisperai.endpoint must is_type_of str';
  for (const k of ['response', 'timeout']) if (typeof w[k] !== 'number' || (w[k] as number) < 1) return `whisperai.${k} must be gte 1 but it is ${String(w[k])} in env main`;
  if (typeof w.pass_video_name !== 'boolean') return 'whisperai.pass_video_name must is_type_of bool';
  if (!Array.isArray(g.enabled_providers)) return 'general.enabled_providers must is_type_of list';
  return null;
}

function send(res: ServerResponse, status: number, body?: unknown): void {
  res.statusCode = status;
  if (body === undefined) return void res.end();
  if (typeof body === 'string') {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    return void res.end(body);
  }
  res.setHeader('content-type', 'application/json');
  res.end(JSON.stringify(body));
}

/**
 * Answers GET and POST /api/system/settings (after the caller checked the key); false for any other route.
 * `config` is changed in place by a POST that passes the validators.
 */
export function bazarrSettingsApi(config: FakeBazarrConfig, req: Recorded, res: ServerResponse): boolean {
  const path = new URL(req.url, 'http://bazarr').pathname;
  if (path !== '/api/system/settings') return false;
  if (req.method === 'GET') {
    send(res, 200, config);
    return true;
  }
  if (req.method !== 'POST') return false;
  const form = new URLSearchParams(req.body.toString());
  const next: FakeBazarrConfig = structuredClone(config);
  for (const key of new Set(form.keys())) {
    const parts = key.split('-');
    if (parts[0] !== 'settings' || parts.length !== 3) continue;
    const last = parts[2];
    const values = form.getAll(key);
    let value: unknown = values;
    if (values.length === 1 && !ARRAY_KEYS.includes(last)) {
      value = EMPTY.includes(values[0]) && values[0] !== '' ? null : values[0];
    }
    if (typeof value === 'string' && /^-?\d+$/.test(value)) value = Number(value);
    if (ARRAY_KEYS.includes(last) && (EMPTY.includes(values[0]) || values.length === 0)) value = [];
    if (value === 'true') value = true;
    else if (value === 'false') value = false;
    (next[parts[1]] ??= {})[last] = value;
  }
  const problem = validate(next);
  if (problem) {
    send(res, 406, problem);
    return true;
  }
  for (const [section, values] of Object.entries(next)) config[section] = values;
  send(res, 204);
  return true;
}
