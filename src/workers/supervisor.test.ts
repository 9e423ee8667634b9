import { test } from 'node:test';
import assert from 'node:assert/strict';
import { restartBackoff } from './supervisor.js';

test('a worker that keeps crashing waits twice as long each time, at most a minute', () => {
  let crashes = 0;
  const delays: number[] = [];
  for (let i = 0; i < 9; i++) {
    const b = restartBackoff(crashes, 500);
    crashes = b.crashes;
    delays.push(b.delayMs);
  }
  assert.deepEqual(delays, [1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
});

test('a crash after a healthy minute of work starts the back-off over', () => {
  assert.deepEqual(restartBackoff(6, 61_000), { crashes: 1, delayMs: 1000 });
  assert.deepEqual(restartBackoff(6, 59_000), { crashes: 7, delayMs: 60_000 });
});
