import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chooseGpuEngine, parseNvidiaSmiCsv, parseVulkanProbe } from './gpus.js';

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

describe('parseVulkanProbe', () => {
  it('reads the devices of the Vulkan build\'s probe, with the driver ggml names on stderr', () => {
    const stdout = '0\tAMD Radeon RX 6600 (RADV NAVI23)\t8321499136\t8589934592\n1\tllvmpipe (LLVM 15.0.6, 256 bits)\t2147483648\t2147483648\n';
    const stderr = [
      'ggml_vulkan: Found 2 Vulkan devices:',
      'ggml_vulkan: 0 = AMD Radeon RX 6600 (RADV NAVI23) (radv) | uma: 0 | fp16: 1 | bf16: 0 | warp size: 64 | shared memory: 65536 | int dot: 1 | matrix cores: none',
      'ggml_vulkan: 1 = llvmpipe (LLVM 15.0.6, 256 bits) (llvmpipe) | uma: 0 | fp16: 1 | bf16: 0 | warp size: 8 | shared memory: 32768 | int dot: 0 | matrix cores: none',
      'ggml_vulkan: Warning: Device type is CPU. This is probably not the device you want.',
    ].join('\n');
    assert.deepEqual(parseVulkanProbe(stdout, stderr), [
      { id: 0, name: 'AMD Radeon RX 6600 (RADV NAVI23)', driver: 'radv', memory_total_mb: 8192 },
      { id: 1, name: 'llvmpipe (LLVM 15.0.6, 256 bits)', driver: 'llvmpipe', memory_total_mb: 2048 },
    ]);
  });
  it('gives no device when ggml found none (a machine without a GPU, lavapipe not named)', () => {
    assert.deepEqual(parseVulkanProbe('', 'ggml_vulkan: No devices found.\n'), []);
  });
});

describe('chooseGpuEngine: the engine a GPU worker runs', () => {
  it('CUDA wherever there is an NVIDIA GPU, even when Vulkan sees devices too (the NVIDIA card has a Vulkan driver)', () => {
    assert.equal(chooseGpuEngine({ nvidia: 1, vulkan: 2 }), 'cuda');
    assert.equal(chooseGpuEngine({ nvidia: 2, vulkan: 0 }), 'cuda');
  });
  it('Vulkan when its build sees a device and no NVIDIA GPU is there', () => {
    assert.equal(chooseGpuEngine({ nvidia: 0, vulkan: 1 }), 'vulkan');
  });
  it('none without a device of either kind', () => {
    assert.equal(chooseGpuEngine({ nvidia: 0, vulkan: 0 }), null);
  });
});
