import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { EngineConfig, TranscriptionEngine } from '../transcription/index.js';
import type { RemoteEngineSettings } from '../transcription/engines/remote-engine.js';
import type { EngineSpec } from '../transcription/engines/engine-select.js';
import { WorkerEngine, freesMemoryAfterJob, sameEngine, workerDevice, type EngineFactory, type WorkerDevice } from './worker-engine.js';

test('clear_vram_on_complete: a GPU worker frees its memory after a job only when no job waits', () => {
  assert.equal(freesMemoryAfterJob('gpu', true, 0), true);
  assert.equal(freesMemoryAfterJob('gpu', true, 3), false, 'the next job would load the model again');
  assert.equal(freesMemoryAfterJob('gpu', false, 0), false, 'setting off');
  assert.equal(freesMemoryAfterJob('cpu', true, 0), false, 'CPU workers keep the model until model_idle_unload_seconds');
});

/** A fake engine: "loaded" once it has transcribed, until unloaded; counts closes. */
class FakeEngine implements TranscriptionEngine {
  closed = 0;
  unloaded = 0;
  private isLoaded = false;
  readonly capabilities;
  constructor(
    readonly built: { kind: 'local'; config: EngineConfig } | { kind: 'remote'; settings: RemoteEngineSettings },
    readonly label: string,
  ) {
    this.capabilities = { vad: built.kind === 'local' && !!built.config.vadModelPath, wordTimestamps: true, translate: true, device: built.kind === 'local' ? (built.config.device ?? 'cpu') : 'remote' };
  }
  get loadedModel() {
    return this.isLoaded && this.built.kind === 'local' ? this.built.config.modelPath.split('/').pop()! : null;
  }
  get pid() {
    return this.isLoaded ? 4242 : null;
  }
  async transcribeWav() {
    this.isLoaded = this.built.kind === 'local';
    return { segments: [], language: 'en' };
  }
  async detectLanguage() {
    return { language: 'en', probabilities: { en: 1 } };
  }
  async speechSpans() {
    return [];
  }
  async unload() {
    this.unloaded++;
    this.isLoaded = false;
  }
  async close() {
    this.closed++;
    this.isLoaded = false;
  }
}

function fakeCache(device: WorkerDevice = { device: 'cpu', gpuDevice: 0 }) {
  const built: FakeEngine[] = [];
  const factory: EngineFactory = {
    local: (config) => (built.push(new FakeEngine({ kind: 'local', config }, config.label ?? '')), built.at(-1)!),
    remote: (settings, label) => (built.push(new FakeEngine({ kind: 'remote', settings }, label)), built.at(-1)!),
  };
  return { cache: new WorkerEngine(device, factory), built };
}

const local = (extra: Partial<Extract<EngineSpec, { kind: 'local' }>> = {}): EngineSpec => ({ kind: 'local', modelPath: '/models/ggml-small.bin', vadModelPath: '/models/ggml-silero.bin', threads: 4, label: 'small', ...extra });
const remoteSettings: RemoteEngineSettings = { backend: 'remote_asr', url: 'http://gpu-box:9000', apiKey: 'k', model: 'whisper-1', timeoutSeconds: 3600, retries: 2 };
const remote = (extra: Partial<RemoteEngineSettings> = {}): EngineSpec => ({ kind: 'remote', settings: { ...remoteSettings, ...extra }, label: 'whisper-asr-webservice @ http://gpu-box:9000' });

test('engine cache: the same local spec reuses the engine (the model stays loaded), whatever the label', async () => {
  const { cache, built } = fakeCache();
  const first = await cache.acquire(local());
  await first.transcribeWav(Buffer.alloc(0), {});
  cache.release();
  const again = await cache.acquire(local({ label: '/models/ggml-small.bin' }));
  assert.equal(again, first);
  assert.equal(built.length, 1, 'no second engine built');
  assert.equal(built[0].closed, 0);
  assert.equal(cache.modelLoaded, 'ggml-small.bin');
});

test('engine cache: another model, thread count, VAD model or backend replaces the engine and closes the old one', async () => {
  const changes: [string, EngineSpec][] = [
    ['model', local({ modelPath: '/models/ggml-medium.bin' })],
    ['threads', local({ threads: 8 })],
    ['VAD off', local({ vadModelPath: null })],
    ['VAD model', local({ vadModelPath: '/models/ggml-silero-v5.bin' })],
    ['remote backend', remote()],
  ];
  for (const [what, spec] of changes) {
    const { cache, built } = fakeCache();
    const old = await cache.acquire(local());
    cache.release();
    const next = await cache.acquire(spec);
    assert.notEqual(next, old, `${what}: a new engine`);
    assert.equal(built.length, 2, what);
    assert.equal(built[0].closed, 1, `${what}: the old engine is closed`);
    assert.equal(built[1].closed, 0, what);
  }
});

test('engine cache: the old engine is closed before the new one is built (two models never share the memory)', async () => {
  const order: string[] = [];
  const factory: EngineFactory = {
    local: (config) => {
      order.push(`build ${config.modelPath}`);
      const e = new FakeEngine({ kind: 'local', config }, config.label ?? '');
      e.close = async () => void order.push(`close ${config.modelPath}`);
      return e;
    },
    remote: () => assert.fail('no remote engine here'),
  };
  const cache = new WorkerEngine({ device: 'cpu', gpuDevice: 0 }, factory);
  await cache.acquire(local());
  await cache.acquire(local({ modelPath: '/models/ggml-medium.bin' }));
  assert.deepEqual(order, ['build /models/ggml-small.bin', 'close /models/ggml-small.bin', 'build /models/ggml-medium.bin']);
});

test('engine cache: a remote engine is reused while the settings that reach the server are the same, replaced when one changes', async () => {
  const { cache, built } = fakeCache();
  const first = await cache.acquire(remote());
  assert.equal(await cache.acquire(remote()), first);
  for (const change of [{ url: 'http://other:9000' }, { apiKey: 'k2' }, { model: 'large-v3' }, { timeoutSeconds: 60 }, { retries: 0 }, { backend: 'remote_openai' as const }]) {
    const before = built.length;
    await cache.acquire(remote(change));
    assert.equal(built.length, before + 1, JSON.stringify(change));
    assert.equal(built[before - 1].closed, 1, JSON.stringify(change));
  }
  // And back to local: the remote engine goes, a local one is built.
  await cache.acquire(local());
  assert.equal(built.at(-1)!.built.kind, 'local');
  assert.equal(built.at(-2)!.closed, 1);
});

test('engine cache: local engines get the worker\'s device and the spec\'s label', async () => {
  const { cache, built } = fakeCache({ device: 'cuda', gpuDevice: 0 });
  const e = await cache.acquire(local());
  assert.equal(e.label, 'small');
  assert.deepEqual(built[0].built, { kind: 'local', config: { modelPath: '/models/ggml-small.bin', vadModelPath: '/models/ggml-silero.bin', threads: 4, label: 'small', device: 'cuda', gpuDevice: 0 } });
});

test('workerDevice: a CUDA worker names its GPU 0 (CUDA_VISIBLE_DEVICES), a Vulkan worker by its device_id; a CPU worker runs the CPU build', () => {
  assert.deepEqual(workerDevice('gpu', 'cuda', 3, '/w'), { device: 'cuda', gpuDevice: 0, whisperDir: '/w' });
  assert.deepEqual(workerDevice('gpu', 'vulkan', 1, '/w'), { device: 'vulkan', gpuDevice: 1, whisperDir: '/w' });
  assert.deepEqual(workerDevice('cpu', 'vulkan', null, '/w'), { device: 'cpu', gpuDevice: 0, whisperDir: '/w' });
  assert.deepEqual(workerDevice('gpu', null, 2), { device: 'cuda', gpuDevice: 0, whisperDir: undefined }, 'no choice made: CUDA, whose engine says what is missing');
});

test("engine cache: a Vulkan worker's local engines run the Vulkan build on its device", async () => {
  const { cache, built } = fakeCache(workerDevice('gpu', 'vulkan', 1));
  await cache.acquire(local());
  assert.equal(built[0].built.kind === 'local' && built[0].built.config.device, 'vulkan');
  assert.equal(built[0].built.kind === 'local' && built[0].built.config.gpuDevice, 1);
  assert.equal(built[0].capabilities.device, 'vulkan');
});

test('engine cache: idle unload after model_idle_unload_seconds, never while a job holds the engine; unloadNow for clear_vram_on_complete', async () => {
  const { cache, built } = fakeCache();
  const e = await cache.acquire(local());
  await e.transcribeWav(Buffer.alloc(0), {});
  const now = Date.now();
  assert.equal(await cache.unloadIfIdle(1, now + 10_000), false, 'a job holds the engine');
  assert.equal(await cache.unloadNow(), false, 'a job holds the engine');
  cache.release();
  assert.equal(await cache.unloadIfIdle(0, now + 10_000), false, '0 keeps the model');
  assert.equal(await cache.unloadIfIdle(60, Date.now()), false, 'not idle long enough');
  assert.equal(cache.enginePid, 4242);
  assert.equal(await cache.unloadIfIdle(1, Date.now() + 2000), true);
  assert.equal(built[0].unloaded, 1);
  assert.equal(cache.modelLoaded, null);
  assert.equal(cache.enginePid, null);
  assert.equal(await cache.unloadIfIdle(1, Date.now() + 2000), false, 'nothing loaded any more');
  // The next job reuses the same engine, which loads the model again.
  assert.equal(await cache.acquire(local()), e);
  await e.transcribeWav(Buffer.alloc(0), {});
  cache.release();
  assert.equal(await cache.unloadNow(), true);
  assert.equal(built[0].unloaded, 2);
  assert.equal(built.length, 1);
});

test('engine cache: a remote engine holds no model: nothing to unload, no model_loaded', async () => {
  const { cache } = fakeCache();
  const e = await cache.acquire(remote());
  await e.transcribeWav(Buffer.alloc(0), {});
  cache.release();
  assert.equal(cache.modelLoaded, null);
  assert.equal(await cache.unloadNow(), false);
  assert.equal(await cache.unloadIfIdle(1, Date.now() + 5000), false);
});

test('sameEngine: labels are not compared; kinds never match each other', () => {
  assert.equal(sameEngine(local({ label: 'a' }), local({ label: 'b' })), true);
  assert.equal(sameEngine(local(), remote()), false);
  assert.equal(sameEngine(remote(), local()), false);
  assert.equal(sameEngine(remote(), remote()), true);
});

test('close: the engine is closed and forgotten', async () => {
  const { cache, built } = fakeCache();
  await cache.acquire(local());
  await cache.close();
  assert.equal(built[0].closed, 1);
  assert.equal(cache.enginePid, null);
  await cache.acquire(local());
  assert.equal(built.length, 2, 'a new engine after close');
});
