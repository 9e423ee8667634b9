/**
 * The 'transcription' job: one media file -> one subtitle in the job's
 * target language, through the engine's transcribeMedia with the options the
 * settings give, run on the worker's own engine so the model stays loaded
 * between jobs of the same model.
 */
import { hostname } from 'node:os';
import { AppError } from '../../errors.js';
import { pipelineOptionsFromSettings, resolveModel, transcribeMedia, type Stage } from '../../transcription/index.js';
import { registerJobHandler, type JobHandlerContext, type JobOutcome } from '../job-handlers.js';
import { applyPathMappings, mappingsFromSettings } from '../path-mapping.js';
import { gpuMemoryOfPid } from '../gpu-devices.js';
import type { WorkerEngine } from '../worker-engine.js';
import { remoteEngineFor } from '../../integrations/engine-select.js';
import { mediaAccess } from '../../transcription/audio.js';
import { installedModel } from '../../transcription/model-install.js';

/**
 * The job's path as this node sees it, or a clear error: `file_not_found`
 * naming the node and the mapping to check, or `media_unreadable` when the
 * file is there but the service user may not read it (or enter its folder),
 * which no path mapping would fix.
 */
export function localMediaPath(ctx: Pick<JobHandlerContext, 'job' | 'settings'>, node = process.env.TRANSCRIPTORIO_NODE || hostname()): string {
  const get = (k: string) => ctx.settings.get(k);
  const path = applyPathMappings(ctx.job.file_path, mappingsFromSettings(get));
  const access = mediaAccess(path);
  if (!access.ok && access.missing) {
    const mapped = path !== ctx.job.file_path ? ` (mapped from ${ctx.job.file_path})` : '';
    throw new AppError(
      422,
      'file_not_found',
      `File not found on node ${node}: ${path}${mapped}. If the library is mounted elsewhere on this machine, check path mappings (settings path_mappings, use_path_mapping)`,
    );
  }
  if (!access.ok) throw access.error;
  return path;
}

function audioLanguages(options: Record<string, unknown>, preferred: string[]): string[] {
  const a = options.audio_language;
  const fromJob = Array.isArray(a) ? a.map(String) : typeof a === 'string' && a.trim() ? [a.trim()] : [];
  return [...fromJob, ...preferred];
}

export async function transcriptionHandler(ctx: JobHandlerContext): Promise<JobOutcome> {
  const { job, settings } = ctx;
  const file = localMediaPath(ctx);
  const get = (k: string) => settings.get(k);
  const gpu = ctx.workerType === 'gpu';
  // Model and decoding come from the resolver, for the device this worker runs on (its compute type).
  const base = pipelineOptionsFromSettings(get, { quality_preset: job.quality_preset, device: gpu ? 'cuda' : 'cpu' });
  const threads = Math.max(1, settings.getNumber('whisper_threads') || base.threads || 4);
  const options = {
    ...base,
    targetLang: job.target_lang,
    sourceLang: job.source_lang,
    audioLanguage: audioLanguages(ctx.options, base.preferredAudioLanguages),
    threads,
    device: gpu ? ('cuda' as const) : ('cpu' as const),
    gpuDevice: 0,
  };
  const remote = await remoteEngineFor(ctx, options); // engine_backend: a remote Whisper server instead of whisper.cpp
  const worker = remote ? undefined : (ctx.engine as WorkerEngine | undefined);
  let engine;
  if (worker) {
    const modelPath = await installedModel(ctx, options.model, options.modelDir);
    const vadModelPath = options.vad === false || !options.vadModelPath ? null : resolveModel(options.vadModelPath, options.modelDir);
    engine = worker.acquire({ modelPath, vadModelPath, threads });
  }
  const result = await transcribeMedia(file, remote?.options ?? options, {
    signal: ctx.signal,
    engine: (remote?.engine as never) ?? engine,
    onStage(stage: Stage, progress: number, eta: number | null) {
      ctx.reportProgress({ stage, progress, etaSeconds: eta });
    },
  });
  const vram = gpu ? (result.vramUsedMb ?? (await gpuMemoryOfPid(worker?.enginePid ?? null))) : null;
  return {
    output_path: result.outputPath,
    segments_count: result.segmentsCount,
    model_used: remote?.label ?? options.model,
    device_used: gpu ? `cuda:${ctx.deviceId ?? 0}` : result.deviceUsed,
    vram_used_mb: vram,
    source_lang: result.language,
  };
}

registerJobHandler('transcription', transcriptionHandler);
