/**
 * The engine a worker process keeps between jobs: one WhisperEngine (one
 * whisper-server child with its model loaded). A job with the same model
 * reuses it; a job with another model replaces it; after
 * `model_idle_unload_seconds` without a job the model is unloaded to give the
 * memory back (the next job loads it again).
 */
import { basename } from 'node:path';
import { WhisperEngine, type EngineConfig } from '../transcription/index.js';

export class WorkerEngine {
  private engine: WhisperEngine | null = null;
  private lastUsed = Date.now();
  private inUse = false;

  constructor(
    /** what this worker runs on: cpu, or cuda with the device index the process sees */
    readonly device: { device: 'cpu' | 'cuda'; gpuDevice: number },
  ) {}

  /** An engine for this model (loaded lazily by its first transcription). */
  acquire(config: Omit<EngineConfig, 'device' | 'gpuDevice'>): WhisperEngine {
    const want = { ...config, ...this.device };
    const e = this.engine;
    if (
      e &&
      e.config.modelPath === want.modelPath &&
      (e.config.vadModelPath ?? null) === (want.vadModelPath ?? null) &&
      e.config.threads === Math.max(1, want.threads ?? 4)
    ) {
      this.inUse = true;
      return e;
    }
    if (e) void e.close();
    this.engine = new WhisperEngine(want);
    this.inUse = true;
    return this.engine;
  }

  release(): void {
    this.inUse = false;
    this.lastUsed = Date.now();
  }

  /** The loaded model's file name, for the worker row. */
  get modelLoaded(): string | null {
    return this.engine?.loaded ? basename(this.engine.config.modelPath) : null;
  }

  /** Process id of the engine's server (GPU memory readings). */
  get enginePid(): number | null {
    return this.engine?.pid ?? null;
  }

  /** Unloads the model when idle for longer than `idleSeconds` (0 keeps it). True when it unloaded. */
  async unloadIfIdle(idleSeconds: number, now = Date.now()): Promise<boolean> {
    if (!this.engine || this.inUse || idleSeconds <= 0 || !this.engine.loaded) return false;
    if (now - this.lastUsed < idleSeconds * 1000) return false;
    await this.engine.unload();
    return true;
  }

  /** Unloads the model now unless a job holds the engine. True when it unloaded. */
  async unloadNow(): Promise<boolean> {
    if (!this.engine || this.inUse || !this.engine.loaded) return false;
    await this.engine.unload();
    return true;
  }

  async close(): Promise<void> {
    const e = this.engine;
    this.engine = null;
    if (e) await e.close();
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
