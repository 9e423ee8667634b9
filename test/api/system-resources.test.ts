/**
 * System Resources API: real CPU and memory readings, and GPUs through
 * nvidia-smi (a stand-in script plays a two-GPU machine; a missing binary
 * means no GPU), named by each app's configuration (NVIDIA_SMI).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/app.js';
import { listGpus } from '../../src/system/gpus.js';
import { assertKeys, expectStatus } from './api-helpers.js';

const CPU_KEYS = ['usage_percent', 'count_logical', 'count_physical', 'frequency_mhz'];
const MEMORY_KEYS = ['total_gb', 'used_gb', 'free_gb', 'usage_percent'];
const GPU_KEYS = ['id', 'name', 'memory_total_mb', 'memory_used_mb', 'memory_free_mb', 'utilization_percent'];

describe('system resources API', () => {
  /** an app whose nvidia-smi does not exist */
  let t: TestApp;
  /** an app whose nvidia-smi is the two-GPU stand-in */
  let gpuBox: TestApp;
  let dir: string;
  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tio-smi-'));
    t = await createTestApp('sqlite', undefined, { env: { NVIDIA_SMI: join(dir, 'missing-nvidia-smi') } });
    const fake = join(dir, 'nvidia-smi');
    writeFileSync(fake, `#!/bin/sh
case "$*" in
  *--query-gpu=index,name,memory.total,memory.used,memory.free,utilization.gpu*--format=csv,noheader,nounits*)
    echo "0, NVIDIA GeForce RTX 3080, 10240, 2048, 8192, 15"
    echo "1, NVIDIA A100-SXM4-40GB, 40960, 0, 40960, [N/A]" ;;
  *) exit 9 ;;
esac
`);
    chmodSync(fake, 0o755);
    gpuBox = await createTestApp('sqlite', undefined, { env: { NVIDIA_SMI: fake } });
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await t.close();
    await gpuBox.close();
  });

  it('GET /api/system/cpu reports this machine and a usage between 0 and 100', async () => {
    const cpu = expectStatus(await t.app.inject({ url: '/api/system/cpu' }), 200);
    assertKeys(cpu, CPU_KEYS, 'cpu');
    assert.equal(cpu.count_logical, cpus().length);
    assert.ok(cpu.count_physical >= 1 && cpu.count_physical <= cpu.count_logical);
    assert.ok(cpu.usage_percent >= 0 && cpu.usage_percent <= 100, String(cpu.usage_percent));
    assert.equal(typeof cpu.frequency_mhz, 'number');
  });

  it('CPU usage is measured: a busy loop on this process raises it', async () => {
    // Wait out the one-second cache, burn a core for a while, and read again.
    await new Promise((r) => setTimeout(r, 1100));
    const end = Date.now() + 1100;
    while (Date.now() < end) Math.sqrt(Math.random());
    const busy = expectStatus(await t.app.inject({ url: '/api/system/cpu' }), 200).usage_percent;
    // One of N cores busy for the whole interval gives at least ~100/N percent.
    assert.ok(busy >= 100 / cpus().length * 0.6, `usage ${busy}% while one core was busy`);
  });

  it('GET /api/system/memory matches the machine', async () => {
    const mem = expectStatus(await t.app.inject({ url: '/api/system/memory' }), 200);
    assertKeys(mem, MEMORY_KEYS, 'memory');
    assert.ok(Math.abs(mem.total_gb - totalmem() / 1024 ** 3) < 0.05);
    assert.ok(Math.abs(mem.used_gb + mem.free_gb - mem.total_gb) < 0.05);
    assert.ok(mem.usage_percent > 0 && mem.usage_percent < 100);
  });

  it('without nvidia-smi there are no GPUs: [] and a 404 for any id', async () => {
    assert.deepEqual(expectStatus(await t.app.inject({ url: '/api/system/gpus' }), 200), []);
    const res = expectStatus(await t.app.inject({ url: '/api/system/resources' }), 200);
    assertKeys(res, ['cpu', 'memory', 'gpus']);
    assertKeys(res.cpu, CPU_KEYS, 'cpu');
    assertKeys(res.memory, MEMORY_KEYS, 'memory');
    assert.deepEqual(res.gpus, []);
    assert.match(expectStatus(await t.app.inject({ url: '/api/system/gpu/0' }), 404).detail, /GPU 0/);
  });

  it('GPUs reported by nvidia-smi are listed and found by id', async () => {
    const gpus = expectStatus(await gpuBox.app.inject({ url: '/api/system/gpus' }), 200);
    assert.equal(gpus.length, 2);
    for (const g of gpus) assertKeys(g, GPU_KEYS, 'gpu');
    assert.deepEqual(gpus[0], { id: 0, name: 'NVIDIA GeForce RTX 3080', memory_total_mb: 10240, memory_used_mb: 2048, memory_free_mb: 8192, utilization_percent: 15 });
    assert.equal(gpus[1].utilization_percent, 0, '[N/A] reads as 0');
    const one = expectStatus(await gpuBox.app.inject({ url: '/api/system/gpu/1' }), 200);
    assert.equal(one.name, 'NVIDIA A100-SXM4-40GB');
    assert.equal(expectStatus(await gpuBox.app.inject({ url: '/api/system/resources' }), 200).gpus.length, 2);
    assert.deepEqual((await listGpus(gpuBox.ctx.config.tools.nvidiaSmi)).map((g) => g.id), [0, 1]);
    assert.match(expectStatus(await gpuBox.app.inject({ url: '/api/system/gpu/7' }), 404).detail, /GPU 7 not found.*0, 1/);
  });

  it('a device id that is not a non-negative integer is a 400', async () => {
    for (const id of ['abc', '1.5', '-1']) expectStatus(await t.app.inject({ url: `/api/system/gpu/${id}` }), 400);
  });
});
