/**
 * The Vulkan engine (Intel and AMD GPUs), run on Mesa's lavapipe, a CPU Vulkan
 * driver: slow, so a smoke test of the build, of the device probe, of the
 * engine a GPU worker builds and of a real job through a GPU worker.
 *
 * Needs vendor/whisper/vulkan (`npm run build:whisper -- --vulkan`: about 25
 * minutes the first time, a minute or two from its cache) and Mesa's Vulkan
 * drivers (Debian: mesa-vulkan-drivers); skipped with the reason otherwise.
 * TRANSCRIPTORIO_TEST_VULKAN=1 turns a skip into a failure (CI sets it where
 * it restored the build cache and built the variant).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isWhisperBuilt, whisperBinaryPath } from '../../src/transcription/binaries.js';
import { WhisperEngine } from '../../src/transcription/engine.js';
import { listVulkanDevices } from '../../src/system/gpus.js';
import { WorkerEngine, workerDevice } from '../../src/workers/worker-engine.js';
import { findSource } from '../../scripts/build-whisper.mjs';
import { VULKAN_SOURCE_FILE, patchVulkanSource, prepareVulkanSource, vulkanCacheKey } from '../../scripts/whisper-vulkan.mjs';
import { createTestApp } from '../helpers/app.js';
import { JFK_WAV } from '../helpers/fixtures.js';
import { makeVideo, useTestModel, waitFor } from '../workers/helpers.js';
import { minimalModel } from './helpers.js';

const PROBE = whisperBinaryPath('ggml-vulkan-devices', 'vulkan');

function vulkanSkip(): string | false {
  if (isWhisperBuilt('vulkan')) return false;
  const reason = 'the Vulkan build of whisper.cpp is absent (vendor/whisper/vulkan/bin): `npm run build:whisper -- --vulkan` builds it (needs glslc, libvulkan-dev, spirv-headers)';
  if (process.env.TRANSCRIPTORIO_TEST_VULKAN === '1') throw new Error(`TRANSCRIPTORIO_TEST_VULKAN=1 but ${reason}`);
  return reason;
}

/** lavapipe's index among the Vulkan devices, which ggml uses only when GGML_VK_VISIBLE_DEVICES names it. */
async function lavapipeIndex(): Promise<number | null> {
  const saved = process.env.GGML_VK_VISIBLE_DEVICES;
  try {
    for (let i = 0; i < 8; i++) {
      process.env.GGML_VK_VISIBLE_DEVICES = String(i);
      const devices = await listVulkanDevices(PROBE, { fresh: true });
      if (devices.length === 0) return null; // no device at this index: none further either
      if (/llvmpipe|lavapipe/i.test(`${devices[0].name} ${devices[0].driver}`)) return i;
    }
    return null;
  } finally {
    if (saved === undefined) delete process.env.GGML_VK_VISIBLE_DEVICES;
    else process.env.GGML_VK_VISIBLE_DEVICES = saved;
  }
}

test('the Vulkan build compiles a patched copy: the block that needs Vulkan headers 1.3.272 is guarded, the dependency stays as it is', { timeout: 60_000 }, (t) => {
  const src = findSource();
  if (!src) return t.skip('the whisper.cpp source (nodejs-whisper) is not installed');
  const original = readFileSync(join(src, VULKAN_SOURCE_FILE), 'utf8');
  const patched = patchVulkanSource(original);
  assert.match(patched, /#if VK_HEADER_VERSION >= 272\n {4}VkBool32 enable_best_practice[\s\S]*?&layer_setting_info\);\n#else\n[\s\S]*?vk::InstanceCreateInfo instance_create_info\(vk::InstanceCreateFlags\{\}, &app_info, layers, extensions\);\n#endif\n/);
  assert.equal(patchVulkanSource(patched), patched, 'patching twice changes nothing');
  assert.equal(patched.replace(/#if VK_HEADER_VERSION >= 272\n/, '').replace(/#else\n {4}\/\/ Vulkan headers older than 1\.3\.272[\s\S]*?#endif\n/, ''), original, 'nothing else changes');

  const cache = mkdtempSync(join(tmpdir(), 'tio-vulkan-src-'));
  t.after(() => rmSync(cache, { recursive: true, force: true }));
  const copy = prepareVulkanSource(src, cache);
  assert.equal(readFileSync(join(copy, VULKAN_SOURCE_FILE), 'utf8'), patched);
  assert.equal(readFileSync(join(src, VULKAN_SOURCE_FILE), 'utf8'), original, 'the installed source is untouched');
  const key = vulkanCacheKey(src, '1.9.1', ['-DGGML_VULKAN=ON']);
  assert.match(key, /^1\.9\.1-[0-9a-f]{16}$/);
  assert.equal(vulkanCacheKey(src, '1.9.1', ['-DGGML_VULKAN=ON']), key, 'the same source and flags: the same cache');
  assert.notEqual(vulkanCacheKey(src, '1.9.1', ['-DGGML_VULKAN=ON', '-DGGML_NATIVE=OFF']), key, 'other flags: another cache');
});

describe('the Vulkan engine on lavapipe', { skip: vulkanSkip() }, () => {
  let lavapipe: number | null = null;
  const saved = process.env.GGML_VK_VISIBLE_DEVICES;

  before(async () => {
    lavapipe = await lavapipeIndex();
    if (lavapipe === null && process.env.TRANSCRIPTORIO_TEST_VULKAN === '1') throw new Error('no lavapipe device: install mesa-vulkan-drivers');
    // The probe and the engine's own process (which inherits it) see lavapipe alone, as device 0.
    if (lavapipe !== null) process.env.GGML_VK_VISIBLE_DEVICES = String(lavapipe);
  });
  after(() => {
    if (saved === undefined) delete process.env.GGML_VK_VISIBLE_DEVICES;
    else process.env.GGML_VK_VISIBLE_DEVICES = saved;
  });

  test('ggml leaves the CPU-type lavapipe out unless GGML_VK_VISIBLE_DEVICES names it', { timeout: 60_000 }, async (t) => {
    if (lavapipe === null) return t.skip('no lavapipe device (Debian: mesa-vulkan-drivers)');
    const named = await listVulkanDevices(PROBE, { fresh: true });
    assert.equal(named.length, 1);
    assert.match(`${named[0].name} (${named[0].driver})`, /llvmpipe|lavapipe/i);
    delete process.env.GGML_VK_VISIBLE_DEVICES;
    try {
      const unnamed = await listVulkanDevices(PROBE, { fresh: true });
      assert.ok(!unnamed.some((d) => /llvmpipe|lavapipe/i.test(`${d.name} ${d.driver}`)), JSON.stringify(unnamed));
    } finally {
      process.env.GGML_VK_VISIBLE_DEVICES = String(lavapipe);
      await listVulkanDevices(PROBE, { fresh: true });
    }
  });

  test("the engine a Vulkan GPU worker builds transcribes jfk.wav on lavapipe and names the device it loaded on", { timeout: 300_000 }, async (t) => {
    if (lavapipe === null) return t.skip('no lavapipe device (Debian: mesa-vulkan-drivers)');
    const cache = new WorkerEngine(workerDevice('gpu', 'vulkan', 0));
    t.after(() => cache.close());
    const engine = await cache.acquire({ kind: 'local', modelPath: await minimalModel(), vadModelPath: null, threads: 2, label: 'minimal' });
    const r = await engine.transcribeWav(readFileSync(JFK_WAV), { language: 'en', beamSize: 1, temperatureFallback: false });
    assert.ok(r.segments.length > 0, 'segments');
    assert.equal(engine.capabilities.device, 'vulkan:0');
    assert.ok(engine instanceof WhisperEngine);
    assert.match(engine.gpuName ?? '', /llvmpipe/i, 'the engine log names the Vulkan device');
  });

  test('a Vulkan engine whose device does not exist fails its start instead of running on the CPU', { timeout: 120_000 }, async (t) => {
    if (lavapipe === null) return t.skip('no lavapipe device (Debian: mesa-vulkan-drivers)');
    const engine = new WhisperEngine({ modelPath: await minimalModel(), device: 'vulkan', gpuDevice: 3, threads: 2 });
    t.after(() => engine.close());
    await assert.rejects(engine.load(), { code: 'gpu_unavailable', message: /vulkan engine found no GPU 3/ });
  });

  test('a GPU worker chooses the Vulkan engine without an NVIDIA GPU and runs a real job on lavapipe', { timeout: 600_000 }, async (t) => {
    if (lavapipe === null) return t.skip('no lavapipe device (Debian: mesa-vulkan-drivers)');
    const app = await createTestApp('sqlite', undefined, { env: { NVIDIA_SMI: '/nonexistent/nvidia-smi' } });
    const media = mkdtempSync(join(tmpdir(), 'tio-vulkan-media-'));
    t.after(async () => {
      await app.close();
      rmSync(media, { recursive: true, force: true });
    });
    await useTestModel(app.ctx);
    await app.ctx.settings.bulkUpdate({ library_paths: media });

    const resources = (await app.app.inject({ url: '/api/system/resources' })).json();
    assert.equal(resources.gpu_engine.variant, 'vulkan');
    assert.equal(resources.gpu_engine.node, app.ctx.config.nodeName);
    assert.deepEqual(resources.gpu_engine.devices.map((d: { id: number }) => d.id), [0]);
    assert.match(resources.gpu_engine.devices[0].name, /llvmpipe/i);

    const add = await app.app.inject({ method: 'POST', url: '/api/workers', payload: { worker_type: 'gpu', device_id: 0 } });
    assert.equal(add.statusCode, 201, add.body);
    assert.equal(add.json().status, 'idle', add.body);
    const video = makeVideo(media, 'Movie.mkv');
    const job = await app.app.inject({ method: 'POST', url: '/api/jobs', payload: { file_path: video, file_name: 'Movie.mkv', target_lang: 'eng', source_lang: 'eng', quality_preset: 'fast' } });
    assert.equal(job.statusCode, 201, job.body);
    const done = await waitFor('job completed on lavapipe', async () => {
      const j = (await app.app.inject({ url: `/api/jobs/${job.json().id}` })).json();
      if (j.status === 'failed') throw new Error(`job failed: ${j.error}`);
      return j.status === 'completed' ? j : null;
    }, 540_000, 500);
    assert.equal(done.worker_id, add.json().worker_id);
    assert.equal(done.device_used, 'vulkan:0');
    assert.ok(existsSync(done.output_path), 'the subtitle file exists');
    assert.match(readFileSync(done.output_path, 'utf8'), /-->/);
  });
});
