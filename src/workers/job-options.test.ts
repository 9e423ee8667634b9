import { test } from 'node:test';
import assert from 'node:assert/strict';
import { jobOptions } from './job-runner.js';
import { TranscriptionJobOptions } from './handlers/transcription.handler.js';
import { ProviderJobOptionsSchema } from '../provider/provider.handlers.js';
import { ANY_OPTIONS } from './job-handlers.js';
import { AppError } from '../errors.js';
import { ERROR_CODES } from '../error-codes.js';

const job = (options: string | null, job_type = 'transcription') => ({ id: 'j1', job_type, options });

test('a job\'s options are checked against its type\'s schema and handed over typed; none is {}', () => {
  assert.deepEqual(jobOptions(job(null), TranscriptionJobOptions), {});
  const o = jobOptions(job('{"audio_language":["jpn","eng"],"source":"webhook:sonarr","rule_id":3}'), TranscriptionJobOptions);
  assert.deepEqual(o.audio_language, ['jpn', 'eng']);
  const p = jobOptions(job('{"kind":"asr","blob":{"format":"flac","ext":".flac","stored_bytes":10,"chunks":1},"upload_bytes":10,"task":"translate","language":null,"vad":true}', 'provider_asr'), ProviderJobOptionsSchema);
  assert.equal(p.task, 'translate');
  assert.deepEqual(jobOptions(job('{"ms":5}', 'sleep'), ANY_OPTIONS), { ms: 5 });
});

test('options that do not fit fail as bad_job (not retried), naming the field', () => {
  const fails = (options: string, schema: Parameters<typeof jobOptions>[1], field: RegExp, type = 'transcription') =>
    assert.throws(() => jobOptions(job(options, type), schema), (e: unknown) => {
      assert.ok(e instanceof AppError);
      assert.equal(e.code, 'bad_job');
      assert.match(e.message, field);
      assert.match(e.message, /j1/);
      return true;
    });
  fails('{"audio_language":5}', TranscriptionJobOptions, /options\.audio_language must be string/);
  fails('{"task":"dance"}', ProviderJobOptionsSchema, /options\.task/, 'provider_asr');
  fails('{"blob":{"format":"flac","ext":".flac","stored_bytes":10}}', ProviderJobOptionsSchema, /options\.blob\.chunks is missing/, 'provider_asr');
  fails('[1,2]', TranscriptionJobOptions, /options /);
  fails('{not json', TranscriptionJobOptions, /not JSON/);
  assert.equal(ERROR_CODES.bad_job.retryable, false);
});
