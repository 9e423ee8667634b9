import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prepareJobEngine, type EngineCache, type EngineJob, type EngineSpec } from './engine-select.js';
import type { TranscriptionEngine } from '../engine.types.js';

/** A job on a worker whose cache records what it was asked for. */
function job(values: Record<string, unknown>, workerType: 'cpu' | 'gpu' = 'cpu', tools?: EngineJob['tools']) {
  const asked: EngineSpec[] = [];
  const engine: EngineCache = {
    enginePid: null,
    acquire: async (spec) => (asked.push(spec), { label: spec.label } as unknown as TranscriptionEngine),
  };
  const h: EngineJob = {
    job: { quality_preset: 'fast' },
    settings: { get: (k) => values[k], getBoolean: (k) => values[k] === true, getString: (k) => String(values[k] ?? '') },
    reportProgress: () => {},
    workerType,
    engine,
    tools,
  };
  return { h, asked };
}

test('one preparation for every job: threads from whisper_threads, else 4; the worker\'s device; the engine from the cache', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tio-select-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(join(dir, 'ggml-tiny.bin'), 'x');
  writeFileSync(join(dir, 'ggml-base.bin'), 'x');
  const base = { model_path: dir, whisper_model: 'tiny', preset_fast_model: 'tiny', vad_enabled: false };

  const plain = job(base);
  const a = await prepareJobEngine(plain.h);
  assert.equal(a.options.threads, 4, 'no whisper_threads: the one default');
  assert.deepEqual([a.options.device, a.options.gpuDevice], ['cpu', 0]);
  assert.equal(plain.asked.length, 1);
  assert.equal(plain.asked[0].kind, 'local');
  assert.equal(plain.asked[0].kind === 'local' && plain.asked[0].threads, 4);
  assert.equal(plain.asked[0].kind === 'local' && plain.asked[0].vadModelPath, null, 'VAD off: no VAD model');

  const gpu = job({ ...base, whisper_threads: 2 }, 'gpu', { ffmpeg: '/x/ffmpeg', ffprobe: null, modelBaseUrl: null });
  const b = await prepareJobEngine(gpu.h, { model: 'base', vadModel: () => 'my-vad' });
  assert.equal(b.options.threads, 2);
  assert.deepEqual([b.options.device, b.options.gpuDevice], ['cuda', 0], 'the engine sees its GPU as device 0');
  assert.deepEqual(b.options.tools, { ffmpeg: '/x/ffmpeg', ffprobe: null });
  const spec = gpu.asked[0];
  assert.ok(spec.kind === 'local');
  assert.equal(spec.modelPath, join(dir, 'ggml-base.bin'), 'the model the request chose');
  assert.equal(spec.vadModelPath, 'my-vad');
  assert.equal(b.label, spec.label);
});

test('a remote backend needs no local model nor VAD model', async () => {
  const remote = job({ engine_backend: 'remote_openai', remote_engine_url: 'http://gpu-box:9000', model_path: '/nowhere' });
  const r = await prepareJobEngine(remote.h, { vadModel: () => assert.fail('no VAD model for a remote engine') });
  assert.equal(remote.asked[0].kind, 'remote');
  assert.equal(r.spec.kind === 'remote' && r.spec.settings.url, 'http://gpu-box:9000');
});
