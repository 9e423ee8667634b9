/**
 * The engine a worker process keeps between jobs, and the one place that
 * decides whether a job reuses it: same engine spec -> the same engine (a
 * local one keeps its whisper-server child and its loaded model), another
 * spec -> the old engine is closed and a new one built. That holds for the
 * local whisper.cpp engine and for a remote server alike (a remote engine
 * holds no model, so building one is cheap; it is reused while the settings
 * that reach it are the same, and replaced when one changes). After
 * `model_idle_unload_seconds` without a job the model is unloaded to give the
 * memory back (the next job loads it again).
 */
import { WhisperEngine, type EngineConfig, type TranscriptionEngine } from '../transcription/index.js';
import { RemoteEngine, type RemoteEngineSettings } from '../transcription/engines/remote-engine.js';
import type { EngineCache, EngineSpec } from '../transcription/engines/engine-select.js';
import type { GpuEngine } from '../system/gpus.js';

/** What a worker's local engines run on: the build (cpu, cuda, vulkan), the device index the engine's `-dev` takes, the builds' folder. */
export interface WorkerDevice {
  device: 'cpu' | GpuEngine;
  gpuDevice: number;
  whisperDir?: string;
}

/**
 * The device of a worker's engine (`gpuEngine`: checkGpuWorker()'s choice,
 * gpu-devices.ts). A CPU worker runs the CPU build. A CUDA
 * worker sees only its own GPU, as device 0 (the supervisor sets
 * CUDA_VISIBLE_DEVICES); a Vulkan worker sees every Vulkan device and names
 * its own by the index the device list gave (device_id).
 */
export function workerDevice(workerType: 'cpu' | 'gpu', gpuEngine: GpuEngine | null, deviceId: number | null, whisperDir?: string): WorkerDevice {
  if (workerType === 'cpu') return { device: 'cpu', gpuDevice: 0, whisperDir };
  // No choice made (a worker built without the GPU check): CUDA, whose engine then says what is missing.
  const device = gpuEngine ?? 'cuda';
  return { device, gpuDevice: device === 'vulkan' ? (deviceId ?? 0) : 0, whisperDir };
}

/**
 * Whether an engine built for `a` serves a job that wants `b` as it is. The
 * label is not compared: the same file under another name is the same model,
 * and it stays loaded.
 */
export function sameEngine(a: EngineSpec, b: EngineSpec): boolean {
  if (a.kind === 'local' && b.kind === 'local') return a.modelPath === b.modelPath && a.vadModelPath === b.vadModelPath && a.threads === b.threads;
  if (a.kind === 'remote' && b.kind === 'remote') {
    const [x, y] = [a.settings, b.settings];
    return x.backend === y.backend && x.url === y.url && x.apiKey === y.apiKey && x.model === y.model && x.timeoutSeconds === y.timeoutSeconds && x.retries === y.retries && x.backoffMs === y.backoffMs;
  }
  return false;
}

/** How the cache builds engines: the real ones, or fakes in tests. */
export interface EngineFactory {
  local(config: EngineConfig): TranscriptionEngine;
  remote(settings: RemoteEngineSettings, label: string): TranscriptionEngine;
}

const realEngines: EngineFactory = {
  local: (config) => new WhisperEngine(config),
  remote: (settings, label) => new RemoteEngine(settings, label),
};

/** The worker's engine cache; job handlers see it as an `EngineCache` (JobHandlerContext.engine). */
export class WorkerEngine implements EngineCache {
  private current: { spec: EngineSpec; engine: TranscriptionEngine } | null = null;
  private lastUsed = Date.now();
  private inUse = false;

  constructor(
    /** what this worker runs on (workerDevice()) */
    readonly device: WorkerDevice,
    private readonly factory: EngineFactory = realEngines,
  ) {}

  async acquire(spec: EngineSpec): Promise<TranscriptionEngine> {
    this.inUse = true;
    const c = this.current;
    if (c && sameEngine(c.spec, spec)) return c.engine;
    this.current = null;
    // Closed before the next one starts: two models must not share the GPU's memory, even briefly.
    if (c) await c.engine.close().catch(() => {});
    const engine =
      spec.kind === 'local'
        ? this.factory.local({ modelPath: spec.modelPath, vadModelPath: spec.vadModelPath, threads: spec.threads, label: spec.label, ...this.device })
        : this.factory.remote(spec.settings, spec.label);
    this.current = { spec, engine };
    return engine;
  }

  release(): void {
    this.inUse = false;
    this.lastUsed = Date.now();
  }

  /** The loaded model's file name, for the worker row (null: none loaded, or a remote engine). */
  get modelLoaded(): string | null {
    return this.current?.engine.loadedModel ?? null;
  }

  get enginePid(): number | null {
    return this.current?.engine.pid ?? null;
  }

  /** Unloads the model when idle for longer than `idleSeconds` (0 keeps it). True when it unloaded. */
  async unloadIfIdle(idleSeconds: number, now = Date.now()): Promise<boolean> {
    const e = this.current?.engine;
    if (!e || this.inUse || idleSeconds <= 0 || e.loadedModel === null) return false;
    if (now - this.lastUsed < idleSeconds * 1000) return false;
    await e.unload();
    return true;
  }

  /** Unloads the model now unless a job holds the engine. True when it unloaded. */
  async unloadNow(): Promise<boolean> {
    const e = this.current?.engine;
    if (!e || this.inUse || e.loadedModel === null) return false;
    await e.unload();
    return true;
  }

  async close(): Promise<void> {
    const c = this.current;
    this.current = null;
    if (c) await c.engine.close();
  }
}

/**
 * clear_vram_on_complete: a GPU worker gives its memory back after a job when
 * nothing waits in the queue (another job would only load the model again).
 * CPU workers keep the model until model_idle_unload_seconds.
 */
export function freesMemoryAfterJob(workerType: 'cpu' | 'gpu', clearVramOnComplete: boolean, queuedJobs: number): boolean {
  return workerType === 'gpu' && clearVramOnComplete && queuedJobs === 0;
}
