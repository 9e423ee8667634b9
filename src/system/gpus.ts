/**
 * GPU readings: nvidia-smi (its one caller) for NVIDIA cards, and the Vulkan
 * build of whisper.cpp for the Vulkan devices it would use (Intel, AMD and
 * others). Other modules import listGpus() (the worker pool checks a GPU
 * worker's device_id against it), listVulkanDevices(), gpuEngineHere() (the
 * rule that picks a GPU worker's engine) and gpuMemoryOfPid() (a job's
 * VRAM); a machine without an NVIDIA driver simply has no NVIDIA GPUs.
 * Readings are cached for a moment because nvidia-smi takes tens of
 * milliseconds and a dashboard polls it.
 */
import { execFile } from 'node:child_process';
import { isWhisperBuilt, whisperBinaryPath } from '../transcription/binaries.js';
import type { ToolPaths } from '../config.js';

export interface Gpu {
  id: number;
  name: string;
  memory_total_mb: number;
  memory_used_mb: number;
  memory_free_mb: number;
  utilization_percent: number;
}

const QUERY = ['--query-gpu=index,name,memory.total,memory.used,memory.free,utilization.gpu', '--format=csv,noheader,nounits'];
const CACHE_MS = 2000;
const TIMEOUT_MS = 5000;

/** nvidia-smi prints "[N/A]" or "[Not Supported]" for readings a card lacks; those count as 0. */
function num(v: string | undefined): number {
  const n = Number(v?.trim());
  return Number.isFinite(n) ? Math.round(n) : 0;
}

/** Parses the CSV lines of the query above; malformed lines are skipped. */
export function parseNvidiaSmiCsv(text: string): Gpu[] {
  const out: Gpu[] = [];
  for (const line of text.split(/\r?\n/)) {
    if (!line.trim()) continue;
    const parts = line.split(',').map((s) => s.trim());
    if (parts.length < 6) continue;
    // A GPU name may contain a comma: the index is first and the four readings last.
    const id = Number(parts[0]);
    if (!Number.isInteger(id)) continue;
    const readings = parts.slice(-4);
    out.push({
      id,
      name: parts.slice(1, -4).join(', '),
      memory_total_mb: num(readings[0]),
      memory_used_mb: num(readings[1]),
      memory_free_mb: num(readings[2]),
      utilization_percent: num(readings[3]),
    });
  }
  return out.sort((a, b) => a.id - b.id);
}

function runNvidiaSmi(nvidiaSmi: string): Promise<Gpu[]> {
  return new Promise((resolve) => {
    execFile(nvidiaSmi, QUERY, { timeout: TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      // Not installed, no driver, or no device: all mean "no usable GPU".
      if (err) return resolve([]);
      resolve(parseNvidiaSmiCsv(String(stdout)));
    });
  });
}

let cached: { at: number; key: string; gpus: Promise<Gpu[]> } | null = null;

/**
 * Every GPU nvidia-smi reports, by device index; [] when there is none or no
 * nvidia-smi. `nvidiaSmi` is the binary (Config.tools.nvidiaSmi: NVIDIA_SMI,
 * else `nvidia-smi`).
 */
export function listGpus(nvidiaSmi: string, opts: { fresh?: boolean } = {}): Promise<Gpu[]> {
  const now = Date.now();
  const key = nvidiaSmi;
  if (!opts.fresh && cached && cached.key === key && now - cached.at < CACHE_MS) return cached.gpus;
  const gpus = runNvidiaSmi(nvidiaSmi);
  cached = { at: now, key, gpus };
  return gpus;
}

/** One GPU by device index, or undefined. */
export async function findGpu(nvidiaSmi: string, id: number): Promise<Gpu | undefined> {
  return (await listGpus(nvidiaSmi)).find((g) => g.id === id);
}

/** GPU memory (MiB) a process uses, from nvidia-smi's compute apps; null when unknown (no GPU, no driver, not listed). */
export function gpuMemoryOfPid(nvidiaSmi: string, pid: number | null): Promise<number | null> {
  if (!pid) return Promise.resolve(null);
  return new Promise((resolve) => {
    execFile(nvidiaSmi, ['--query-compute-apps=pid,used_memory', '--format=csv,noheader,nounits'], { timeout: TIMEOUT_MS, windowsHide: true }, (err, stdout) => {
      if (err) return resolve(null);
      for (const line of String(stdout).split('\n')) {
        const [p, mem] = line.split(',').map((s) => s.trim());
        if (Number(p) === pid && Number.isFinite(Number(mem))) return resolve(Number(mem));
      }
      resolve(null);
    });
  });
}

/** A device the Vulkan build of whisper.cpp would run on; `id` is its index for the engine's `-dev`. */
export interface VulkanDevice {
  id: number;
  name: string;
  /** the Vulkan driver (radv, Intel open-source Mesa driver, llvmpipe, ...); '' when ggml did not say */
  driver: string;
  memory_total_mb: number;
}

/**
 * Reads the Vulkan build's device probe (vendor/whisper/vulkan/bin/ggml-vulkan-devices):
 * on stdout one line per device, `index<TAB>description<TAB>free bytes<TAB>total bytes`;
 * on stderr what ggml's Vulkan backend announces while it starts
 * (`ggml_vulkan: 0 = NAME (DRIVER) | uma: 0 | ...`), which names the driver.
 */
export function parseVulkanProbe(stdout: string, stderr: string): VulkanDevice[] {
  const drivers = new Map<number, string>();
  for (const m of stderr.matchAll(/^ggml_vulkan: (\d+) = .+ \(([^()]*)\) \| uma: /gm)) drivers.set(Number(m[1]), m[2].trim());
  const out: VulkanDevice[] = [];
  for (const line of stdout.split(/\r?\n/)) {
    const [index, name, , total] = line.split('\t');
    const id = Number(index);
    if (!name || !Number.isInteger(id) || out.some((d) => d.id === id)) continue;
    out.push({ id, name: name.trim(), driver: drivers.get(id) ?? '', memory_total_mb: Math.round((Number(total) || 0) / 2 ** 20) });
  }
  return out.sort((a, b) => a.id - b.id);
}

// Starting a Vulkan instance takes a moment and devices do not come and go while the server runs.
const VULKAN_CACHE_MS = 60_000;
let vulkanCached: { at: number; key: string; devices: Promise<VulkanDevice[]> } | null = null;

/**
 * The Vulkan devices whisper.cpp's Vulkan build would use here, by the index
 * its `-dev` takes; [] without the build's probe (`probe` null or missing),
 * without a Vulkan driver, or with no device ggml would use. ggml lists the
 * discrete and integrated GPUs, and CPU-type devices such as Mesa's lavapipe
 * only when GGML_VK_VISIBLE_DEVICES names them.
 */
export function listVulkanDevices(probe: string | null, opts: { fresh?: boolean } = {}): Promise<VulkanDevice[]> {
  if (!probe) return Promise.resolve([]);
  const now = Date.now();
  // The same variable decides what ggml lists in the engine's own process, which inherits it.
  const key = `${probe}\0${process.env.GGML_VK_VISIBLE_DEVICES ?? ''}`;
  if (!opts.fresh && vulkanCached && vulkanCached.key === key && now - vulkanCached.at < VULKAN_CACHE_MS) return vulkanCached.devices;
  const devices = new Promise<VulkanDevice[]>((resolve) => {
    execFile(probe, [], { timeout: 20_000, windowsHide: true }, (err, stdout, stderr) => {
      // No libvulkan, no driver, a bad GGML_VK_VISIBLE_DEVICES (the probe aborts): no device.
      if (err) return resolve([]);
      resolve(parseVulkanProbe(String(stdout), String(stderr)));
    });
  });
  vulkanCached = { at: now, key, devices };
  return devices;
}

/** The engines a GPU worker can run on: NVIDIA's CUDA, or Vulkan for the other GPUs. */
export type GpuEngine = 'cuda' | 'vulkan';

/**
 * Which engine a GPU worker runs: CUDA wherever nvidia-smi shows an NVIDIA
 * GPU, else Vulkan where its build sees a device; null when neither. (An
 * NVIDIA card also has a Vulkan driver; CUDA is the faster of the two.)
 */
export function chooseGpuEngine(found: { nvidia: number; vulkan: number }): GpuEngine | null {
  if (found.nvidia > 0) return 'cuda';
  if (found.vulkan > 0) return 'vulkan';
  return null;
}

/** A GPU device as the engine that would run on it names it. */
export interface GpuEngineDevice {
  id: number;
  name: string;
}

/** The GPU engine of this node and its devices; `devices` is empty when `variant` is null. */
export interface GpuEngineInfo {
  variant: GpuEngine | null;
  devices: GpuEngineDevice[];
}

/** The Vulkan build's device probe; null when that build is absent. */
function vulkanProbe(whisperDir: string): string | null {
  return isWhisperBuilt('vulkan', whisperDir) ? whisperBinaryPath('ggml-vulkan-devices', 'vulkan', whisperDir) : null;
}

/**
 * chooseGpuEngine() on this node's readings. `tools`: Config.tools (nvidia-smi
 * and the whisper.cpp builds; a worker process: its spec's).
 */
export async function gpuEngineHere(tools: Pick<ToolPaths, 'nvidiaSmi' | 'whisperDir'>): Promise<GpuEngineInfo> {
  const [nvidia, vulkan] = await Promise.all([listGpus(tools.nvidiaSmi), listVulkanDevices(vulkanProbe(tools.whisperDir))]);
  const variant = chooseGpuEngine({ nvidia: nvidia.length, vulkan: vulkan.length });
  if (variant === 'cuda') return { variant, devices: nvidia.map((g) => ({ id: g.id, name: g.name })) };
  if (variant === 'vulkan') return { variant, devices: vulkan.map((d) => ({ id: d.id, name: d.driver ? `${d.name} (${d.driver})` : d.name })) };
  return { variant: null, devices: [] };
}
