/**
 * GPU readings from nvidia-smi, its one caller. Other modules import
 * listGpus() (the worker pool checks a GPU worker's device_id against it)
 * and gpuMemoryOfPid() (a job's VRAM); a machine without an NVIDIA driver
 * simply has no GPUs. Readings are cached for a moment because
 * nvidia-smi takes tens of milliseconds and a dashboard polls it.
 */
import { execFile } from 'node:child_process';

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
