import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseNvidiaSmiCsv } from './gpus.js';

describe('parseNvidiaSmiCsv', () => {
  it('reads each line, keeps a comma inside a name and counts unavailable readings as 0', () => {
    const gpus = parseNvidiaSmiCsv('1, Tesla T4, 15360, 100, 15260, 7\n0, NVIDIA RTX, Laptop, 8192, [N/A], 8000, [Not Supported]\n\ngarbage line\n');
    assert.deepEqual(gpus, [
      { id: 0, name: 'NVIDIA RTX, Laptop', memory_total_mb: 8192, memory_used_mb: 0, memory_free_mb: 8000, utilization_percent: 0 },
      { id: 1, name: 'Tesla T4', memory_total_mb: 15360, memory_used_mb: 100, memory_free_mb: 15260, utilization_percent: 7 },
    ]);
  });
  it('gives no GPU for empty output', () => {
    assert.deepEqual(parseNvidiaSmiCsv(''), []);
  });
});
