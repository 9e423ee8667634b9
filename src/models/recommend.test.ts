import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { bestInstalled, recommendModel, type InstalledModel } from './recommend.js';

const cpu = (cores: number, memory: number) => ({ cpu_cores: cores, memory_gb: memory, gpus: [] });

describe('model recommendation', () => {
  it('CPU only: small with enough cores and memory, else base', () => {
    assert.equal(recommendModel(cpu(8, 16)).name, 'small');
    assert.equal(recommendModel(cpu(4, 4)).name, 'small');
    assert.equal(recommendModel(cpu(2, 16)).name, 'base');
    assert.equal(recommendModel(cpu(8, 2)).name, 'base');
    assert.match(recommendModel(cpu(2, 8)).reason, /2 CPU cores and 8 GB of memory, no GPU/);
  });

  it('a GPU: large-v3-turbo when its memory holds it, else medium; CPU workers ignore it', () => {
    const gpu = (mb: number) => ({ ...cpu(8, 16), gpus: [{ id: 0, name: 'Card', memory_total_mb: mb }] });
    assert.equal(recommendModel(gpu(8192)).name, 'large-v3-turbo');
    assert.equal(recommendModel(gpu(2048)).name, 'medium');
    assert.equal(recommendModel(gpu(8192), { preferGpu: false }).name, 'small');
  });

  it('the installed model closest to the recommendation', () => {
    const m = (name: string, multilingual = true): InstalledModel => ({ name, path: `/m/ggml-${name}.bin`, kind: 'whisper', installed: true, multilingual });
    assert.equal(bestInstalled([m('tiny'), m('small'), m('medium')], 'small')?.name, 'small');
    assert.equal(bestInstalled([m('tiny'), m('base-q5_1'), m('large-v3')], 'small')?.name, 'base-q5_1');
    assert.equal(bestInstalled([m('large-v3')], 'small')?.name, 'large-v3');
    assert.equal(bestInstalled([m('small.en', false), m('my-own')], 'small')?.name, 'my-own', 'an own file before an English-only model');
    assert.equal(bestInstalled([m('small.en', false)], 'small')?.name, 'small.en');
    assert.equal(bestInstalled([{ ...m('silero-v6.2.0'), kind: 'vad' }], 'small'), null);
    assert.equal(bestInstalled([{ ...m('small'), installed: false }], 'small'), null);
  });
});
