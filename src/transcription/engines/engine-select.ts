/**
 * Which engine a job runs on, and the options it runs with: the one place
 * both kinds of job (a library transcription, a provider request) prepare
 * them. The resolver (../resolve.ts, `engine.kind` from `engine_backend`)
 * answers local whisper.cpp or a remote server; the answer is an EngineSpec,
 * and the worker's engine cache (src/workers/worker-engine.ts, an
 * `EngineCache`) decides whether the engine it holds serves it or a new one
 * is built.
 *
 * For a local engine the model is installed first (downloaded when
 * `model_auto_download` allows, as the job's `downloading_model` stage), so
 * the cache only ever builds engines on files that exist. A remote engine
 * needs no Whisper weights on this machine, nor a VAD model.
 */
import { resolveTranscription, type TranscriptionRequest } from '../resolve.js';
import { installedModel, type ModelJobContext } from '../model-install.js';
import { pipelineOptionsFromSettings, type PipelineSettings } from '../settings-map.js';
import { vadModelFile } from '../engine.js';
import type { TranscriptionEngine } from '../engine.types.js';
import type { MediaTools } from '../audio.js';
import { remoteEngineSettings, type RemoteEngineSettings } from './remote-engine.js';
import { definitionByKey, type SettingKey } from '../../settings/definitions/index.js';

/** What a job needs its engine to be (engineSpecFor builds it from the resolver's answer). */
export type EngineSpec =
  | {
      kind: 'local';
      /** the ggml model file, installed */
      modelPath: string;
      /** the Silero VAD model file; null: no VAD */
      vadModelPath: string | null;
      threads: number;
      /** model_used: the model as the resolver named it */
      label: string;
    }
  | { kind: 'remote'; settings: RemoteEngineSettings; label: string };

/** Where a job gets its engine: the worker's cache, which keeps one engine (and its loaded model) between jobs. */
export interface EngineCache {
  /** The engine for this spec: the one kept from earlier jobs when the spec is the same, else a new one (the old one is closed first). */
  acquire(spec: EngineSpec): Promise<TranscriptionEngine>;
  /** Process id of the local engine's server (GPU memory readings); null for none. */
  readonly enginePid: number | null;
}

/** The threads of a local engine when whisper_threads gives none: the setting's own default, from its definition. */
const DEFAULT_THREADS = Number(definitionByKey.get('whisper_threads')!.default);

interface LocalEngineNeeds {
  threads: number;
  /** the VAD model file of the job (null: none); asked only for a local engine */
  vadModel(): string | null;
}

/**
 * The engine spec of a job: `request` is what the job asks the resolver (its
 * preset, a model it chose, the worker's device), the same request its
 * pipeline options were made from.
 */
export async function engineSpecFor(
  h: Pick<ModelJobContext, 'signal' | 'reportProgress'> & { settings: ModelJobContext['settings'] & { get(key: SettingKey): unknown } },
  request: TranscriptionRequest,
  local: LocalEngineNeeds,
): Promise<EngineSpec> {
  const get = (k: SettingKey) => h.settings.get(k);
  const r = resolveTranscription(request, get);
  if (r.engine.kind !== 'local') return { kind: 'remote', settings: remoteEngineSettings(r.engine.kind, get), label: r.label };
  const modelPath = await installedModel(h, r.modelName, r.modelDir);
  return { kind: 'local', modelPath, vadModelPath: local.vadModel(), threads: Math.max(1, local.threads), label: r.label };
}

/** What of a running job preparing its engine reads (a worker's JobHandlerContext is one). */
export interface EngineJob extends ModelJobContext {
  job: { quality_preset: string | null };
  /** Config.tools (a worker: its spec's): ffmpeg and ffprobe for the pipeline, the model mirror */
  tools?: Partial<MediaTools> & { modelBaseUrl: string | null };
  settings: ModelJobContext['settings'] & { get(key: SettingKey): unknown };
  workerType: 'cpu' | 'gpu';
  engine: EngineCache;
}

/** The pipeline options of a job, for the device its worker runs on. */
type JobPipelineOptions = PipelineSettings & { threads: number; device: 'cpu' | 'cuda'; gpuDevice: number };

/** What a job adds to its settings when it asks for an engine. */
interface JobEngineChoice {
  /** a model the request chose (a provider request's `model`); absent: the preset decides */
  model?: string | null;
  /** the VAD model file of a local engine; absent: the vad_enabled / vad_model settings (vadModelFile) */
  vadModel?(options: JobPipelineOptions): string | null;
}

interface PreparedEngine {
  options: JobPipelineOptions;
  spec: EngineSpec;
  engine: TranscriptionEngine;
  /** model_used of the job */
  label: string;
}

/**
 * A job's pipeline options and its engine from the worker's cache: model and
 * decoding from the resolver for the job's preset (and a model the request
 * chose) on the worker's device, threads from whisper_threads.
 */
export async function prepareJobEngine(h: EngineJob, choice: JobEngineChoice = {}): Promise<PreparedEngine> {
  const gpu = h.workerType === 'gpu';
  const request: TranscriptionRequest = { quality_preset: h.job.quality_preset, ...(choice.model !== undefined ? { model: choice.model } : {}), device: gpu ? 'cuda' : 'cpu' };
  const base = pipelineOptionsFromSettings((k) => h.settings.get(k), request);
  const options: JobPipelineOptions = {
    ...base,
    threads: Math.max(1, base.threads || DEFAULT_THREADS),
    device: gpu ? 'cuda' : 'cpu',
    // The engine sees its GPU as device 0 (the supervisor sets CUDA_VISIBLE_DEVICES).
    gpuDevice: 0,
    ...(h.tools ? { tools: { ffmpeg: h.tools.ffmpeg ?? null, ffprobe: h.tools.ffprobe ?? null } } : {}),
  };
  const vadModel = choice.vadModel ?? vadModelFile;
  const spec = await engineSpecFor(h, request, { threads: options.threads, vadModel: () => vadModel(options) });
  const engine = await h.engine.acquire(spec);
  return { options, spec, engine, label: spec.label };
}
