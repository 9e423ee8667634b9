import { test } from 'node:test';
import assert from 'node:assert/strict';
import { freesMemoryAfterJob } from './worker-engine.js';

test('clear_vram_on_complete: a GPU worker frees its memory after a job only when no job waits', () => {
  assert.equal(freesMemoryAfterJob('gpu', true, 0), true);
  assert.equal(freesMemoryAfterJob('gpu', true, 3), false, 'the next job would load the model again');
  assert.equal(freesMemoryAfterJob('gpu', false, 0), false, 'setting off');
  assert.equal(freesMemoryAfterJob('cpu', true, 0), false, 'CPU workers keep the model until model_idle_unload_seconds');
});
