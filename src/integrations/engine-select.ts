/**
 * Which engine a job runs on: the worker's local whisper.cpp engine, or a
 * remote server (setting `engine_backend`). Handlers call `workerEngineFor`
 * and pass `choice.engine` as the pipeline's `hooks.engine` and
 * `choice.options` as its options, then `choice.release()` when done.
 *
 * The pipeline resolves `options.model` to a file and reuses `hooks.engine`
 * when its `config.modelPath` is that file; for a remote engine the model is
 * a small local stand-in file, so no Whisper weights are needed on this
 * machine and the remote engine is always the one used.
 */
import { mkdirSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { JobHandlerContext } from '../workers/job-handlers.js';
import { remoteEngineLabel, resolveModel } from '../transcription/index.js';
import { installedModel } from '../transcription/model-install.js';
import { RemoteEngine, remoteEngineSettings } from './remote-engine.js';

export interface EngineOptionsIn {
  model: string;
  modelDir: string;
  vad?: boolean;
  vadModelPath?: string | null;
  threads?: number;
}

export interface EngineChoice<O extends EngineOptionsIn = EngineOptionsIn> {
  /** pass as hooks.engine (undefined: the pipeline makes and closes its own) */
  engine: unknown;
  options: O;
  remote: boolean;
  /** model_used of the job: the model as the resolver named it (src/transcription/resolve.ts), or the remote server */
  label: string;
  /** device_used of the job */
  device: string;
  release(): void;
}

/** The worker process's engine cache (src/workers/worker-engine.ts), as far as handlers need it. */
interface EngineCache {
  acquire(config: { modelPath: string; vadModelPath?: string | null; threads?: number }): { deviceLabel?: string };
  release(): void;
}

const isCache = (e: unknown): e is EngineCache => !!e && typeof (e as EngineCache).acquire === 'function' && typeof (e as EngineCache).release === 'function';

function standInModel(backend: string): string {
  const dir = join(tmpdir(), 'transcriptorio-remote-engine');
  const file = join(dir, `${backend}.bin`);
  if (!existsSync(file)) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(file, `Stand-in model file: transcription runs on the ${backend} engine configured in the settings.\n`);
  }
  return file;
}

export async function workerEngineFor<O extends EngineOptionsIn>(h: Pick<JobHandlerContext, 'settings' | 'engine' | 'signal' | 'reportProgress'>, options: O): Promise<EngineChoice<O>> {
  const remote = remoteEngineSettings((k) => h.settings.get(k));
  if (remote) {
    const modelPath = standInModel(remote.backend);
    const engine = new RemoteEngine(remote, modelPath);
    // Detection windows and VAD gating need the local VAD binary and model: the remote server does its own.
    return {
      engine,
      options: { ...options, model: modelPath, vad: false, vadModelPath: null },
      remote: true,
      label: remoteEngineLabel(remote.backend, remote.url, remote.model),
      device: engine.deviceLabel,
      release: () => undefined,
    };
  }
  const modelPath = await installedModel(h, options.model, options.modelDir);
  const vadModelPath = options.vad === false || !options.vadModelPath ? null : resolveModel(options.vadModelPath, options.modelDir);
  if (isCache(h.engine)) {
    const cache = h.engine;
    const engine = cache.acquire({ modelPath, vadModelPath, threads: options.threads });
    let released = false;
    return {
      engine,
      options,
      remote: false,
      label: options.model,
      device: engine.deviceLabel ?? 'cpu',
      release: () => {
        if (!released) cache.release();
        released = true;
      },
    };
  }
  return { engine: undefined, options, remote: false, label: options.model, device: 'cpu', release: () => undefined };
}

/**
 * The remote engine and the options to run the pipeline with, when
 * `engine_backend` chooses one; null for the local engine. For handlers that
 * pick their local engine themselves (the transcription handler).
 */
export async function remoteEngineFor<O extends EngineOptionsIn>(h: Pick<JobHandlerContext, 'settings'>, options: O): Promise<{ engine: RemoteEngine; options: O; label: string } | null> {
  if (!remoteEngineSettings((k) => h.settings.get(k))) return null;
  // Remote: no local model is installed, so no signal or progress is needed.
  const c = await workerEngineFor({ settings: h.settings, engine: undefined, signal: new AbortController().signal, reportProgress: () => {} }, options);
  return { engine: c.engine as RemoteEngine, options: c.options, label: c.label };
}
