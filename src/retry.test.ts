import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sleep, withRetries } from './retry.js';

test('withRetries tries again after a doubling, capped back-off until an attempt succeeds', async () => {
  const times: number[] = [];
  const started = Date.now();
  const r = await withRetries(async (n) => {
    times.push(Date.now() - started);
    if (n < 3) throw new Error(`attempt ${n}`);
    return 'ok';
  }, { retries: 5, backoffMs: 20, maxBackoffMs: 50 });
  assert.equal(r, 'ok');
  assert.equal(times.length, 4);
  // waits of 20, 40, then 50 (capped) ms
  assert.ok(times[1] >= 18 && times[2] - times[1] >= 38 && times[3] - times[2] >= 48, times.join(', '));
});

test('withRetries stops at once on an error that is not retryable, and after the last retry with the last error', async () => {
  let calls = 0;
  await assert.rejects(withRetries(async () => { calls++; throw new Error('refused'); }, { retries: 3, backoffMs: 1, retryable: (e) => (e as Error).message !== 'refused' }), /refused/);
  assert.equal(calls, 1);
  calls = 0;
  await assert.rejects(withRetries(async (n) => { calls++; throw new Error(`failure ${n}`); }, { retries: 2, backoffMs: 1 }), /failure 2/);
  assert.equal(calls, 3);
});

test('a cancel ends a back-off at once with an AbortError', async () => {
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 30);
  await assert.rejects(withRetries(async () => { throw new Error('down'); }, { retries: 3, backoffMs: 10_000, signal: ac.signal }), { name: 'AbortError' });
  assert.ok(Date.now() - started < 2000);
  await assert.rejects(sleep(10, AbortSignal.abort()), { name: 'AbortError' });
});
