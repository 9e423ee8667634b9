/**
 * The 'transcription' job: one media file -> one subtitle in the job's
 * target language, through transcribeMedia with the options the settings
 * give, on the engine the resolver chooses (local whisper.cpp or a remote
 * server) from the worker's engine cache, so the model stays loaded between
 * jobs of the same model.
 */
import { hostname } from 'node:os';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import { transcribeMedia, type Stage } from '../../transcription/index.js';
import { defineJob, type JobHandlerContext, type JobOutcome } from '../../core/job-handler.js';
import { applyPathMappings, mappingsFromSettings } from '../../security/path-mapping.js';
import { gpuMemoryOfPid } from '../gpu-devices.js';
import { engineSpecFor, prepareJobEngine, type EngineSpec } from '../../transcription/engines/engine-select.js';
import { mediaAccess } from '../../transcription/audio.js';
import { stat } from 'node:fs/promises';
import { saveSpeech } from '../../sync/sync.repository.js';
import type { SettingKey } from '../../settings/definitions/index.js';

/**
 * The options of a transcription job. The handler reads the audio language
 * the rule (or Bazarr, or the library) chose; the rest says who asked and
 * why (`source`, `reason`, `rule_id`, `requested_by`, ...) for the job's
 * page, so other properties are allowed.
 */
export const TranscriptionJobOptions = Type.Object(
  {
    /** the audio track's language(s) to prefer, before preferred_audio_languages */
    audio_language: Type.Optional(Type.Union([Type.String(), Type.Array(Type.String()), Type.Null()])),
    /** the regional variant of the target a Bazarr sync asked for (`pt-BR`), kept when translating */
    target_variant: Type.Optional(Type.Union([Type.String(), Type.Null()])),
    /** a model for this job only (the library's Transcribe / Redo with a model); absent: the preset's */
    model: Type.Optional(Type.Union([Type.String({ minLength: 1 }), Type.Null()])),
  },
  { additionalProperties: true },
);
export type TranscriptionJobOptions = Static<typeof TranscriptionJobOptions>;

/**
 * The job's path as this node sees it, or a clear error: `file_not_found`
 * naming the node and the mapping to check, or `media_unreadable` when the
 * file is there but the service user may not read it (or enter its folder),
 * which no path mapping would fix.
 */
export function localMediaPath(ctx: Pick<JobHandlerContext, 'job' | 'settings'> & Partial<Pick<JobHandlerContext, 'node'>>, node = ctx.node ?? hostname()): string {
  const get = (k: SettingKey) => ctx.settings.get(k);
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

function audioLanguages(options: TranscriptionJobOptions, preferred: string[]): string[] {
  const a = options.audio_language;
  const fromJob = Array.isArray(a) ? a : typeof a === 'string' && a.trim() ? [a.trim()] : [];
  return [...fromJob, ...preferred];
}

export async function transcriptionHandler(ctx: JobHandlerContext<TranscriptionJobOptions>): Promise<JobOutcome> {
  const { job } = ctx;
  const file = localMediaPath(ctx);
  const gpu = ctx.workerType === 'gpu';
  // Model, decoding and engine come from the resolver, for the device this worker runs on (its compute type).
  const { options: base, spec, engine } = await prepareJobEngine(ctx, ctx.options.model ? { model: ctx.options.model } : {});
  const options = {
    ...base,
    targetLang: job.target_lang,
    targetVariant: ctx.options.target_variant ?? null,
    sourceLang: job.source_lang,
    audioLanguage: audioLanguages(ctx.options, base.preferredAudioLanguages),
  };
  const local = spec.kind === 'local';
  const retryModel = String(ctx.settings.get('quality_retry_model') ?? '').trim();
  const result = await transcribeMedia(file, options, {
    signal: ctx.signal,
    engine,
    // A second model for the retries of flagged segments: the cache swaps it in only when a segment is retried.
    ...(retryModel && spec.kind === 'local' && retryModel !== base.model ? { retryEngine: () => retryEngineFor(ctx, retryModel, spec) } : {}),
    onStage(stage: Stage, progress: number, eta: number | null) {
      ctx.reportProgress({ stage, progress, etaSeconds: eta });
    },
  });
  if (result.speech) await keepSpeech(ctx, file, result.speech);
  const vram = gpu && local ? (result.vramUsedMb ?? (await gpuMemoryOfPid(ctx.tools, ctx.engine.enginePid))) : null;
  return {
    output_path: result.outputPath,
    segments_count: result.segmentsCount,
    model_used: spec.label,
    // A CUDA engine sees its GPU as device 0 (CUDA_VISIBLE_DEVICES): the job names the machine's index.
    device_used: gpu && local && result.deviceUsed.startsWith('cuda') ? `cuda:${ctx.deviceId ?? 0}` : result.deviceUsed,
    vram_used_mb: vram,
    source_lang: result.language,
    quality: result.quality,
  };
}

/** The engine of quality_retry_model, from the worker's cache (the job's own model is loaded again by the next job that needs it). */
async function retryEngineFor(ctx: JobHandlerContext<TranscriptionJobOptions>, model: string, jobSpec: Extract<EngineSpec, { kind: 'local' }>) {
  const request = { quality_preset: 'best', model, device: ctx.workerType === 'gpu' ? 'cuda' : 'cpu' } as const;
  const spec = await engineSpecFor(ctx, request, { threads: jobSpec.threads, vadModel: () => jobSpec.vadModelPath });
  return ctx.engine.acquire(spec);
}

export const transcriptionJob = defineJob(TranscriptionJobOptions, transcriptionHandler);

/**
 * The speech the quality report heard, kept for this version of the file
 * (under the path the server knows it by), so the subtitle sync check never
 * listens to it again. Best effort: a failure here never fails the job.
 */
async function keepSpeech(ctx: JobHandlerContext<TranscriptionJobOptions>, localFile: string, speech: { spans: Array<{ start: number; end: number }>; seconds: number }): Promise<void> {
  try {
    const st = await stat(localFile);
    await saveSpeech(ctx.database.db, ctx.job.file_path, st.size, st.mtimeMs, { spans: speech.spans, duration: speech.seconds, streamIndex: null, language: null });
  } catch (e) {
    ctx.log.debug({ err: e }, 'speech spans not kept for subtitle sync');
  }
}
