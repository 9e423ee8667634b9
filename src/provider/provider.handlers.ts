/**
 * What a worker does with a provider job: read the request's audio from the
 * database into a temporary file (any node can, see upload-store.ts), run
 * the engine on it and keep the segments (or the detected language) in the
 * job's result; the waiting HTTP request renders the answer. The audio is
 * removed from the database once the result is there (a retried job still
 * has it).
 */
import { existsSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { AppError } from '../errors.js';
import type { JobHandlerContext, JobOutcome } from '../workers/job-handlers.js';
import { detectLanguage, pipelineOptionsFromSettings, resolveModel, transcribeAudioFile, type TranscriptionRequest } from '../transcription/index.js';
import { findLanguage } from '../languages.js';
import { engineSpecFor } from '../integrations/engine-select.js';
import { withPartialResults } from './partial-results.js';
import type { AsrResult, DetectResult, ProviderJobOptions } from './provider.service.js';
import { removeUpload } from './provider.upload.js';
import { deleteBlob } from './job-blobs.repository.js';
import { restoreUpload } from './upload-store.js';

/** VAD: the request's vad_filter, else the vad_enabled setting; a missing VAD model only matters when asked for. */
function vadModel(requested: boolean | null | undefined, settingOn: boolean, name: string | null | undefined, modelDir: string): string | null {
  const want = requested ?? settingOn;
  if (!want || !name) {
    if (requested === true) throw new AppError(422, 'vad_unavailable', 'vad_filter=true needs a VAD model: set vad_model (e.g. silero-v6.2.0) and download it');
    return null;
  }
  try {
    return resolveModel(name, modelDir);
  } catch (e) {
    if (requested === true) throw e;
    return null;
  }
}

function optionsOf(h: JobHandlerContext): ProviderJobOptions {
  const o = h.options as unknown as ProviderJobOptions;
  if (!o?.blob && !o?.upload) throw new AppError(422, 'bad_provider_job', `Job ${h.job.id} has no upload`);
  if (!o.blob && o.upload && !existsSync(o.upload)) throw new AppError(422, 'upload_missing', `The uploaded audio of job ${h.job.id} is gone (${o.upload})`);
  return o;
}

/**
 * Runs `fn` on the job's audio as a local file: the database copy written to
 * a temporary file (removed afterwards), or, for a job queued before uploads
 * went into the database, the file on this node's disk. Once `fn` succeeded
 * the stored audio is removed: the result is what is kept.
 */
async function withAudio<T>(h: JobHandlerContext, o: ProviderJobOptions, fn: (path: string) => Promise<T>): Promise<T> {
  if (!o.blob) {
    const r = await fn(o.upload!);
    await removeUpload(o.upload);
    return r;
  }
  h.reportProgress({ stage: 'reading_upload', progress: 0, etaSeconds: null });
  const path = await restoreUpload(h.database.db, h.job.id, o.blob, tmpdir());
  try {
    const r = await fn(path);
    await deleteBlob(h.database.db, h.job.id).catch((e) => h.log.warn({ err: e }, 'could not remove the stored audio of a finished provider job; the clean-up removes it'));
    return r;
  } finally {
    await rm(path, { force: true });
  }
}

/** The job's options and its engine, from the worker's engine cache. */
async function optionsAndEngine(h: JobHandlerContext, o: ProviderJobOptions) {
  const gpu = h.workerType === 'gpu';
  // The job's preset (provider_quality_preset when it was queued) and the request's own model go through the resolver like library jobs.
  const request: TranscriptionRequest = { quality_preset: h.job.quality_preset, model: o.model, device: gpu ? 'cuda' : 'cpu' };
  const settingsBase = pipelineOptionsFromSettings((k) => h.settings.get(k), request);
  const base = { ...settingsBase, ...(gpu ? { device: 'cuda' as const, gpuDevice: 0 } : {}) };
  const wantVad = o.vad ?? base.vad !== false;
  const spec = await engineSpecFor(h, request, { threads: base.threads ?? 4, vadModel: () => vadModel(o.vad, base.vad !== false, base.vadModelPath, base.modelDir) });
  const engine = await h.engine.acquire(spec);
  // Gating follows the request; the pipeline gates only where the engine has a VAD model (a remote server does its own).
  return { base: { ...base, vad: wantVad }, engine, label: spec.label };
}

export async function handleProviderAsr(h: JobHandlerContext): Promise<JobOutcome> {
  const o = optionsOf(h);
  const { base, engine, label } = await optionsAndEngine(h, o);
  const r = await withAudio(h, o, async (audio) => {
    h.reportProgress({ stage: 'transcribing', progress: 1, etaSeconds: null });
    const started = Date.now();
    return transcribeAudioFile(
      audio,
      {
        ...base,
        task: o.task ?? 'transcribe',
        language: o.language ?? null,
        initialPrompt: o.initialPrompt ?? base.initialPrompt,
        temperature: o.temperature ?? base.temperature,
        // Words are always computed: the answer lists them only when asked (and regrouping uses them).
        wordTimestamps: true,
      },
      {
        signal: h.signal,
        // Each decoded chunk's segments are kept on the running job for streaming answers.
        engine: withPartialResults(h, engine),
        onProgress: (p) => {
          const elapsed = (Date.now() - started) / 1000;
          h.reportProgress({ stage: 'transcribing', progress: Math.min(99, Math.max(1, p)), etaSeconds: p >= 3 && p < 100 ? Math.round((elapsed / p) * (100 - p)) : null });
        },
      },
    );
  });
  const result: AsrResult = { segments: r.segments, language: r.language, duration: r.duration, task: r.task };
  return { result, segments_count: r.segments.length, source_lang: findLanguage(r.language)?.code ?? null, model_used: label, device_used: engine.capabilities.device };
}

export async function handleProviderDetect(h: JobHandlerContext): Promise<JobOutcome> {
  const o = optionsOf(h);
  const { base, engine, label } = await optionsAndEngine(h, o);
  const g = await withAudio(h, o, async (audio) => {
    h.reportProgress({ stage: 'detecting_language', progress: 1, etaSeconds: null });
    return detectLanguage(audio, base, { signal: h.signal, engine });
  });
  const name = findLanguage(g.language)?.name ?? g.languageName;
  const result: DetectResult = { language: g.language, language_name: name.split(/[;,]/)[0].trim(), confidence: Math.round(g.confidence * 1000) / 1000 };
  return { result, source_lang: findLanguage(g.language)?.code ?? null, model_used: label, device_used: engine.capabilities.device };
}
