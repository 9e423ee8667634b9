/**
 * What the worker pool needs to know about GPUs: which device ids exist (to
 * refuse a GPU worker for a device nobody has), whether a GPU worker can run
 * here at all (driver, device, CUDA build of the engine), and how much GPU
 * memory a process uses. Readings come from src/system/gpus.ts, the one
 * caller of nvidia-smi.
 */
import { isWhisperBuilt, whisperBinaryPath } from '../transcription/index.js';
import type { ToolPaths } from '../config.js';

interface GpuInfo {
  id: number;
  name: string;
  memory_total_mb?: number;
}

/** `tools`: Config.tools (a worker process: its spec's). */
export async function listGpuDevices(tools: Pick<ToolPaths, 'nvidiaSmi'>): Promise<GpuInfo[]> {
  const { listGpus } = await import('../system/gpus.js');
  return listGpus(tools.nvidiaSmi);
}

/** Why a GPU worker for this device cannot run here, or null when it can. */
export async function checkGpuWorker(deviceId: number | null, tools: Pick<ToolPaths, 'nvidiaSmi' | 'whisperDir'>): Promise<string | null> {
  if (deviceId === null || deviceId === undefined) return 'A GPU worker needs a device_id';
  const gpus = await listGpuDevices(tools);
  if (gpus.length === 0) return `No NVIDIA GPU is usable on this node (nvidia-smi found no device or no driver is installed); GPU ${deviceId} cannot be used`;
  if (!gpus.some((g) => g.id === deviceId)) return `GPU ${deviceId} does not exist on this node (devices: ${gpus.map((g) => g.id).join(', ')})`;
  if (!isWhisperBuilt('cuda', tools.whisperDir)) {
    return `No CUDA build of whisper.cpp (${whisperBinaryPath('whisper-server', 'cuda', tools.whisperDir)} is missing): install the CUDA toolkit and run \`TRANSCRIPTORIO_CUDA=1 npm run build:whisper\``;
  }
  return null;
}

/** GPU memory (MiB) used by a process; null when unknown. */
export async function gpuMemoryOfPid(tools: Pick<ToolPaths, 'nvidiaSmi'>, pid: number | null): Promise<number | null> {
  const { gpuMemoryOfPid: read } = await import('../system/gpus.js');
  return read(tools.nvidiaSmi, pid);
}
