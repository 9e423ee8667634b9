/**
 * CPU and memory readings for /api/system. CPU usage is the busy share of the
 * time between two samples of the kernel's per-core counters (os.cpus()), so a
 * reading costs nothing; a sample is reused for a second so a busy dashboard
 * does not turn every request into work.
 */
import { cpus } from 'node:os';
import { readFile } from 'node:fs/promises';
import si from 'systeminformation';
import { gpuEngineHere, listGpus, type Gpu, type GpuEngineInfo } from './gpus.js';
import type { ToolPaths } from '../config.js';

interface CpuInfo {
  usage_percent: number;
  count_logical: number;
  count_physical: number;
  frequency_mhz: number;
}

interface MemoryInfo {
  total_gb: number;
  used_gb: number;
  free_gb: number;
  usage_percent: number;
}

export interface Resources {
  cpu: CpuInfo;
  memory: MemoryInfo;
  gpus: Gpu[];
  /** the engine GPU workers run here (cuda, vulkan or none) and its devices */
  gpu_engine: GpuEngineInfo;
}

const SAMPLE_MS = 1000;
/** The first reading after start needs two samples; this is the gap between them. */
const FIRST_SAMPLE_GAP_MS = 100;

const round1 = (n: number) => Math.round(n * 10) / 10;
const round2 = (n: number) => Math.round(n * 100) / 100;
const GB = 1024 ** 3;

interface Ticks {
  busy: number;
  total: number;
}

function ticks(): Ticks {
  let busy = 0;
  let total = 0;
  for (const c of cpus()) {
    const t = c.times;
    const all = t.user + t.nice + t.sys + t.idle + t.irq;
    total += all;
    busy += all - t.idle;
  }
  return { busy, total };
}

// Sampled at import so the first request already has an interval to measure.
let lastTicks: Ticks | null = ticks();
let lastUsage: { at: number; value: number } | null = null;

/** CPU busy percent over the last interval (at most ~1 s old). */
async function cpuUsagePercent(): Promise<number> {
  const now = Date.now();
  if (lastUsage && now - lastUsage.at < SAMPLE_MS) return lastUsage.value;
  if (!lastTicks) {
    lastTicks = ticks();
    await new Promise((r) => setTimeout(r, FIRST_SAMPLE_GAP_MS));
  }
  const cur = ticks();
  const dTotal = cur.total - lastTicks.total;
  const value = dTotal > 0 ? round1(Math.min(100, Math.max(0, ((cur.busy - lastTicks.busy) / dTotal) * 100))) : (lastUsage?.value ?? 0);
  // Keep the previous sample when the gap was too short to say anything.
  if (dTotal > 0) lastTicks = cur;
  lastUsage = { at: Date.now(), value };
  return value;
}

let physicalCores: Promise<number> | null = null;

/** Physical cores do not change while we run; systeminformation reads them once. */
function physicalCoreCount(): Promise<number> {
  physicalCores ??= si
    .cpu()
    .then((c) => c.physicalCores || c.cores || cpus().length)
    .catch(() => cpus().length);
  return physicalCores;
}

/** Current clock in MHz: os.cpus() where the platform reports it, else /proc/cpuinfo (VMs often report 0). */
async function frequencyMhz(): Promise<number> {
  const speeds = cpus().map((c) => c.speed).filter((s) => s > 0);
  if (speeds.length) return round1(speeds.reduce((a, b) => a + b, 0) / speeds.length);
  try {
    const text = await readFile('/proc/cpuinfo', 'utf8');
    const mhz = [...text.matchAll(/^cpu MHz\s*:\s*([\d.]+)/gm)].map((m) => Number(m[1])).filter((n) => n > 0);
    if (mhz.length) return round1(mhz.reduce((a, b) => a + b, 0) / mhz.length);
  } catch {
    /* not Linux */
  }
  return 0;
}

/** Reuses a reading for SAMPLE_MS so a polling dashboard does not reread /proc on every request. */
function cachedFor<T>(fn: () => Promise<T>): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | null = null;
  return () => {
    const now = Date.now();
    if (!last || now - last.at >= SAMPLE_MS) {
      const value = fn();
      last = { at: now, value };
      value.catch(() => (last = null));
    }
    return last.value;
  };
}

const cachedFrequency = cachedFor(frequencyMhz);

export async function cpuInfo(): Promise<CpuInfo> {
  const [usage, physical, freq] = await Promise.all([cpuUsagePercent(), physicalCoreCount(), cachedFrequency()]);
  return { usage_percent: usage, count_logical: cpus().length, count_physical: physical, frequency_mhz: freq };
}

/**
 * Memory the way users read it: "used" leaves out the page cache the kernel
 * gives back on demand (free = available), as `free -h` and psutil do.
 */
export const memoryInfo = cachedFor(readMemory);

async function readMemory(): Promise<MemoryInfo> {
  const m = await si.mem();
  const available = m.available || m.free;
  const used = Math.max(0, m.total - available);
  return {
    total_gb: round2(m.total / GB),
    used_gb: round2(used / GB),
    free_gb: round2(available / GB),
    usage_percent: m.total ? round1((used / m.total) * 100) : 0,
  };
}

/** `tools`: Config.tools (nvidia-smi, the whisper.cpp builds). */
export async function allResources(tools: Pick<ToolPaths, 'nvidiaSmi' | 'whisperDir'>): Promise<Resources> {
  const [cpu, memory, gpus, gpuEngine] = await Promise.all([cpuInfo(), memoryInfo(), listGpus(tools.nvidiaSmi), gpuEngineHere(tools)]);
  return { cpu, memory, gpus, gpu_engine: gpuEngine };
}
