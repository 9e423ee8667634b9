/**
 * Which Whisper model suits this machine, and which installed model the
 * setup wizard should use. A CPU-only machine gets `small` when it has the
 * cores and memory to run it at a useful speed, else `base`; a machine with
 * an NVIDIA GPU gets `large-v3-turbo` when the card holds it comfortably,
 * else `medium`.
 */
import { cpus, totalmem } from 'node:os';
import { catalogueEntry } from '../transcription/index.js';
import { listGpus } from '../system/gpus.js';

export interface Hardware {
  cpu_cores: number;
  memory_gb: number;
  gpus: Array<{ id: number; name: string; memory_total_mb: number }>;
}

export interface Recommendation {
  /** a catalogue model name */
  name: string;
  /** why, in words */
  reason: string;
  hardware: Hardware;
}

/** CPU-only machines with at least this many logical cores and this much memory run `small`. */
const SMALL_MIN_CORES = 4;
const SMALL_MIN_MEMORY_GB = 4;
/** GPUs with at least this much memory run `large-v3-turbo` (about 1.6 GB of weights plus working memory). */
const TURBO_MIN_VRAM_MB = 4096;

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

/** The model for this hardware; `preferGpu: false` (the user chose CPU workers) ignores the GPUs. */
export function recommendModel(hw: Hardware, opts: { preferGpu?: boolean } = {}): Recommendation {
  const gpu = opts.preferGpu === false ? undefined : [...hw.gpus].sort((a, b) => b.memory_total_mb - a.memory_total_mb)[0];
  if (gpu) {
    const vram = (gpu.memory_total_mb / 1024).toFixed(1);
    return gpu.memory_total_mb >= TURBO_MIN_VRAM_MB
      ? { name: 'large-v3-turbo', reason: `Your GPU (${gpu.name}, ${vram} GB) runs large-v3-turbo: near the accuracy of large-v3 at several times its speed.`, hardware: hw }
      : { name: 'medium', reason: `Your GPU (${gpu.name}, ${vram} GB) has too little memory for large-v3-turbo; medium fits.`, hardware: hw };
  }
  const mem = Math.round(hw.memory_gb);
  const what = `${plural(hw.cpu_cores, 'CPU core', 'CPU cores')} and ${mem} GB of memory, no GPU`;
  return hw.cpu_cores >= SMALL_MIN_CORES && hw.memory_gb >= SMALL_MIN_MEMORY_GB
    ? { name: 'small', reason: `This machine has ${what}: small gives good subtitles at a usable speed on a CPU.`, hardware: hw }
    : { name: 'base', reason: `This machine has ${what}: base is the largest model that runs at a usable speed here.`, hardware: hw };
}

/** This machine's readings (nvidia-smi, Config.tools.nvidiaSmi, for GPUs; none without it). */
export async function readHardware(nvidiaSmi: string): Promise<Hardware> {
  const gpus = await listGpus(nvidiaSmi);
  return {
    cpu_cores: cpus().length,
    memory_gb: Math.round((totalmem() / 1024 ** 3) * 10) / 10,
    gpus: gpus.map((g) => ({ id: g.id, name: g.name, memory_total_mb: g.memory_total_mb })),
  };
}

/** A model as the wizard weighs it. */
export interface InstalledModel {
  name: string;
  path: string;
  kind: string;
  installed: boolean;
  multilingual: boolean;
}

/** Catalogue models from smallest to largest (variants rank with their base size). */
const SIZE_RANK = ['tiny', 'base', 'small', 'medium', 'large-v3-turbo', 'large-v2', 'large-v3'];

function rank(name: string): number {
  const base = name.replace(/-q\d(_\d)?$/, '').replace(/\.en$/, '');
  const i = SIZE_RANK.indexOf(base);
  return i < 0 ? -1 : i;
}

/**
 * The installed Whisper model closest to the recommendation: the
 * recommendation itself, else the largest installed multilingual catalogue
 * model not above it, else the smallest one above it, else an English-only
 * one, else a file the user put into the model folder. Null when none is
 * installed.
 */
export function bestInstalled(models: InstalledModel[], recommended: string): InstalledModel | null {
  const whisper = models.filter((m) => m.installed && m.kind === 'whisper');
  if (!whisper.length) return null;
  const exact = whisper.find((m) => m.name === recommended);
  if (exact) return exact;
  const target = rank(recommended);
  const known = whisper.filter((m) => catalogueEntry(m.name) && rank(m.name) >= 0);
  const multi = known.filter((m) => m.multilingual);
  const below = multi.filter((m) => rank(m.name) <= target).sort((a, b) => rank(b.name) - rank(a.name));
  if (below[0]) return below[0];
  const above = multi.filter((m) => rank(m.name) > target).sort((a, b) => rank(a.name) - rank(b.name));
  if (above[0]) return above[0];
  const own = whisper.filter((m) => !catalogueEntry(m.name));
  // A file of one's own is preferred to an English-only model: it was put there on purpose.
  return own[0] ?? known[0] ?? null;
}
