/**
 * The HTTP status of a provider request whose job failed comes from the job's
 * error_code (the registry), never from the wording of its message.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobFailureError } from '../../src/provider/provider.service.js';

const failed = (error_code: string | null, error = 'something went wrong') => ({ id: 'j1', status: 'failed', error, error_code }) as never;

test('bad audio is the client\'s problem (422); an engine that cannot run is 503; anything else of ours is 500', () => {
  for (const [code, status] of [
    ['corrupt_media', 422],
    ['no_audio_track', 422],
    ['bad_audio', 422],
    ['incomplete_media', 422],
    ['model_missing', 503],
    ['unknown_model', 503],
    ['model_corrupt', 503],
    ['engine_not_built', 503],
    ['gpu_unavailable', 503],
    ['engine_failed', 500],
    ['engine_crashed', 500],
    ['worker_lost', 500],
    ['internal', 500],
    ['upload_missing', 500],
  ] as const) {
    const e = jobFailureError(failed(code));
    assert.equal(e.status, status, code);
    assert.equal(e.code, code, 'the answer carries the job\'s own code');
    assert.match(e.message, /something went wrong$/, 'the message says what happened');
  }
});

test('the message does not decide: a decode-like text with an engine code is 500, a plain text with corrupt_media is 422', () => {
  assert.equal(jobFailureError(failed('engine_failed', 'ffmpeg cannot decode the audio (invalid data found)')).status, 500);
  assert.equal(jobFailureError(failed('corrupt_media', 'the container ends early')).status, 422);
  assert.equal(jobFailureError(failed('engine_failed', 'model file /m.bin does not exist')).status, 500);
});

test('a failure without a known code (recorded before codes were stored) is a 500; a cancelled job is a 503', () => {
  for (const code of [null, 'no_longer_a_code']) {
    const e = jobFailureError(failed(code, 'ffprobe cannot read x'));
    assert.equal(e.status, 500, String(code));
    assert.equal(e.code, 'transcription_failed');
  }
  const c = jobFailureError({ id: 'j2', status: 'cancelled', error: 'the client disconnected', error_code: null } as never);
  assert.equal(c.status, 503);
  assert.equal(c.code, 'job_cancelled');
  assert.match(c.message, /j2 was cancelled: the client disconnected/);
});
