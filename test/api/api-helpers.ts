/** Small helpers shared by the API tests (not a test file itself). */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';

/** Asserts every key is present (extra keys are allowed: the contract welcomes them). */
export function assertKeys(obj: unknown, keys: readonly string[], what = 'object'): void {
  assert.ok(obj && typeof obj === 'object', `${what} is not an object: ${JSON.stringify(obj)}`);
  const missing = keys.filter((k) => !(k in (obj as Record<string, unknown>)));
  assert.deepEqual(missing, [], `${what} lacks ${missing.join(', ')}`);
}

/** Asserts the status and, for an error, the contract's `detail` message. */
export function expectStatus(res: LightMyRequestResponse, status: number): any {
  assert.equal(res.statusCode, status, `expected ${status}, got ${res.statusCode}: ${res.body}`);
  const body = res.body ? res.json() : undefined;
  if (status >= 400) {
    assert.equal(typeof body?.detail, 'string', `error body has no detail: ${res.body}`);
    assert.ok(body.detail.length > 0);
  }
  return body;
}

export const JOB_KEYS = [
  'id', 'file_path', 'file_name', 'job_type', 'status', 'priority', 'source_lang', 'target_lang', 'quality_preset',
  'transcribe_or_translate', 'progress', 'current_stage', 'eta_seconds', 'created_at', 'started_at', 'completed_at',
  'output_path', 'segments_count', 'error', 'error_code', 'retry_count', 'worker_id', 'vram_used_mb', 'processing_time_seconds',
  'model_used', 'device_used',
] as const;
export const STATS_KEYS = ['total_jobs', 'queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export const RULE_KEYS = ['id', 'name', 'enabled', 'priority', 'conditions', 'action', 'created_at', 'updated_at'] as const;
export const CONDITION_KEYS = [
  'audio_language_is', 'audio_language_not', 'audio_track_count_min', 'has_embedded_subtitle_lang',
  'missing_embedded_subtitle_lang', 'missing_external_subtitle_lang', 'file_extension',
] as const;
export const ACTION_KEYS = ['action_type', 'target_language', 'quality_preset', 'job_priority'] as const;
export const SETTING_KEYS = ['id', 'key', 'value', 'description', 'category', 'value_type', 'created_at', 'updated_at'] as const;
