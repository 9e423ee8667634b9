import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ERROR_CODES, errorCodeInfo, isErrorCode, type ErrorCode } from '../error-codes.js';
import { AppError, appError } from '../errors.js';
import { retryDelayMs } from '../jobs/job-lifecycle.repository.js';
import { errorMessage, isRetryable, isWorkerFatal, jobErrorCode } from './job-errors.js';

const codes = Object.keys(ERROR_CODES) as ErrorCode[];

test('every registry code decides the retry, the worker stop and the stored code of an error that carries it', () => {
  for (const code of codes) {
    const info = ERROR_CODES[code];
    const err = new AppError(info.status, code, 'x');
    assert.equal(isRetryable(err), info.retryable, code);
    assert.equal(isWorkerFatal(err), 'stopsWorker' in info && info.stopsWorker === true, code);
    assert.equal(jobErrorCode(err), code);
    // The registry wins over the status the thrower chose (model_missing is thrown as 400 and 422).
    assert.equal(isRetryable(new AppError(info.status >= 500 ? 400 : 500, code, 'x')), info.retryable, `${code} with another status`);
    // Plain objects with the code (a serialized error, another module's Error) read the same.
    assert.equal(isRetryable({ code }), info.retryable, `${code} as a plain object`);
  }
});

test('every registry entry is a snake_case code with an HTTP error status and a retry decision', () => {
  assert.ok(codes.length >= 100, `${codes.length} codes`);
  for (const code of codes) {
    const info = ERROR_CODES[code];
    assert.match(code, /^[a-z][a-z0-9_]*$/, code);
    assert.ok(Number.isInteger(info.status) && info.status >= 400 && info.status <= 599, `${code}: ${info.status}`);
    assert.equal(typeof info.retryable, 'boolean', code);
    assert.ok(isErrorCode(code));
    assert.equal(errorCodeInfo(code), info);
  }
});

test('file-system and input problems are permanent: another attempt would meet them again', () => {
  for (const code of ['output_not_writable', 'disk_full', 'media_unreadable', 'incomplete_media', 'corrupt_media', 'file_not_found', 'no_audio_track', 'subtitle_exists', 'model_missing', 'unknown_model', 'translation_not_configured'] as const) {
    assert.equal(isRetryable(appError(code, 'x')), false, code);
  }
  assert.equal(ERROR_CODES.disk_full.status, 507);
  assert.equal(ERROR_CODES.incomplete_media.status, 422);
  assert.equal(ERROR_CODES.media_unreadable.status, 422);
});

test('crashes and resources are retried; gpu_unavailable and engine_not_built also stop the worker', () => {
  for (const code of ['engine_failed', 'engine_crashed', 'engine_start_failed', 'vad_failed', 'ffmpeg_missing', 'translation_failed', 'translation_timeout', 'remote_engine_failed', 'worker_lost', 'gpu_unavailable', 'engine_not_built'] as const) {
    assert.equal(isRetryable(appError(code, 'x')), true, code);
  }
  assert.equal(isWorkerFatal(appError('gpu_unavailable', 'x')), true);
  assert.equal(isWorkerFatal(appError('engine_not_built', 'x')), true);
  assert.equal(isWorkerFatal(appError('engine_failed', 'x')), false);
  assert.equal(isWorkerFatal(new Error('boom')), false);
});

test('unknown errors stay retryable and are stored as internal', () => {
  const errno = Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5 });
  for (const err of [new Error('boom'), errno, 'a string', null, undefined, { status: 503, code: 'not_ours' }, { code: 42 }]) {
    assert.equal(isRetryable(err), true, String(err));
    assert.equal(jobErrorCode(err), 'internal');
  }
});

test('an error with a 4xx status and no registry code stays permanent, stored as bad_job', () => {
  const err = Object.assign(new Error('nope'), { status: 418, code: 'teapot' });
  assert.equal(isRetryable(err), false);
  assert.equal(jobErrorCode(err), 'bad_job');
  assert.equal(isRetryable({ status: 400 }), false);
});

test('the back-off doubles from the base for each attempt already made', () => {
  assert.equal(retryDelayMs(30_000, 0), 30_000);
  assert.equal(retryDelayMs(30_000, 1), 60_000);
  assert.equal(retryDelayMs(30_000, 2), 120_000);
  assert.equal(retryDelayMs(0, 5), 0);
  assert.equal(retryDelayMs(-5, 1), 0, 'a negative base is no delay');
  assert.equal(retryDelayMs(1000, -1), 1000, 'a negative count counts as the first attempt');
});

test('errorMessage keeps messages to 2000 characters', () => {
  assert.equal(errorMessage(new Error('short')), 'short');
  assert.equal(errorMessage('x'.repeat(3000)).length, 2001);
});
