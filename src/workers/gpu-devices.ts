/**
 * What the worker pool needs to know about GPUs: which GPU engine this node
 * runs (CUDA for NVIDIA cards, else Vulkan for Intel/AMD ones: the rule is
 * chooseGpuEngine() in src/system/gpus.ts) and which device ids it has (to
 * refuse a GPU worker for a device nobody has), whether a GPU worker can run
 * here at all (driver, device, the engine's build), and how much GPU memory a
 * process uses. Readings come from src/system/gpus.ts, the one caller of
 * nvidia-smi and of the Vulkan build's device probe.
 */
import { isWhisperBuilt, whisperBinaryPath } from '../transcription/index.js';
import type { ToolPaths } from '../config.js';
import type { GpuEngine, GpuEngineInfo } from '../system/gpus.js';

type GpuTools = Pick<ToolPaths, 'nvidiaSmi' | 'whisperDir'>;

/** This node's GPU engine and its devices (`tools`: Config.tools; a worker process: its spec's). */
async function gpuEngineHere(tools: GpuTools): Promise<GpuEngineInfo> {
  const { gpuEngineHere: read } = await import('../system/gpus.js');
  return read(tools);
}

/** The GPUs a GPU worker may be given: the devices of this node's GPU engine. */
export async function listGpuDevices(tools: GpuTools): Promise<GpuEngineInfo['devices']> {
  return (await gpuEngineHere(tools)).devices;
}

const BUILD_COMMAND: Record<GpuEngine, string> = {
  cuda: 'install the CUDA toolkit and run `TRANSCRIPTORIO_CUDA=1 npm run build:whisper`',
  vulkan: 'install glslc, libvulkan-dev and spirv-headers and run `npm run build:whisper -- --vulkan`',
};

/**
 * The engine a GPU worker for this device runs, or why it cannot run here.
 * Without the Vulkan build its devices cannot be listed, so a node with
 * only an Intel or AMD GPU reads as having none until that build exists.
 */
export async function checkGpuWorker(deviceId: number | null, tools: GpuTools): Promise<{ engine: GpuEngine } | { problem: string }> {
  if (deviceId === null || deviceId === undefined) return { problem: 'A GPU worker needs a device_id' };
  const { variant, devices } = await gpuEngineHere(tools);
  if (!variant) {
    const vulkanHint = isWhisperBuilt('vulkan', tools.whisperDir) ? 'the Vulkan build of whisper.cpp sees no GPU either' : `for an Intel or AMD GPU, ${BUILD_COMMAND.vulkan}`;
    return { problem: `No usable GPU on this node (nvidia-smi found no NVIDIA device; ${vulkanHint}); GPU ${deviceId} cannot be used` };
  }
  if (!devices.some((g) => g.id === deviceId)) return { problem: `GPU ${deviceId} does not exist on this node (${variant} devices: ${devices.map((g) => g.id).join(', ')})` };
  if (!isWhisperBuilt(variant, tools.whisperDir)) {
    return { problem: `No ${variant === 'cuda' ? 'CUDA' : 'Vulkan'} build of whisper.cpp (${whisperBinaryPath('whisper-server', variant, tools.whisperDir)} is missing): ${BUILD_COMMAND[variant]}` };
  }
  return { engine: variant };
}

/** GPU memory (MiB) used by a process; null when unknown. */
export async function gpuMemoryOfPid(tools: Pick<ToolPaths, 'nvidiaSmi'>, pid: number | null): Promise<number | null> {
  const { gpuMemoryOfPid: read } = await import('../system/gpus.js');
  return read(tools.nvidiaSmi, pid);
}
