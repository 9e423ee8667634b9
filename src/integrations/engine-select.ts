/**
 * Which engine a job runs on, as the resolver answers it
 * (src/transcription/resolve.ts, `engine.kind` from `engine_backend`): the
 * worker's local whisper.cpp engine, or a remote server. The answer is an
 * EngineSpec; the worker's engine cache (src/workers/worker-engine.ts)
 * decides whether the engine it holds serves it or a new one is built.
 *
 * For a local engine the model is installed first (downloaded when
 * `model_auto_download` allows, as the job's `downloading_model` stage), so
 * the cache only ever builds engines on files that exist. A remote engine
 * needs no Whisper weights on this machine, nor a VAD model.
 */
import type { JobHandlerContext } from '../workers/job-handlers.js';
import type { EngineSpec } from '../workers/worker-engine.js';
import { resolveTranscription, type TranscriptionRequest } from '../transcription/index.js';
import { installedModel } from '../transcription/model-install.js';
import { remoteEngineSettings } from './remote-engine.js';
import type { SettingKey } from '../settings/definitions/index.js';

export interface LocalEngineNeeds {
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
  h: Pick<JobHandlerContext, 'settings' | 'signal' | 'reportProgress'>,
  request: TranscriptionRequest,
  local: LocalEngineNeeds,
): Promise<EngineSpec> {
  const get = (k: SettingKey) => h.settings.get(k);
  const r = resolveTranscription(request, get);
  if (r.engine.kind !== 'local') return { kind: 'remote', settings: remoteEngineSettings(r.engine.kind, get), label: r.label };
  const modelPath = await installedModel(h, r.modelName, r.modelDir);
  return { kind: 'local', modelPath, vadModelPath: local.vadModel(), threads: Math.max(1, local.threads), label: r.label };
}
