/**
 * What a worker does with a provider job: read the request's audio from the
 * database into a temporary file (any node can, see upload-store.ts), run
 * the engine on it and keep the segments (or the detected language) in the
 * job's result; the waiting HTTP request renders the answer. The audio is
 * removed from the database once the result is there (a retried job still
 * has it).
 */
import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { Type, type Static } from '@fastify/type-provider-typebox';
import { AppError } from '../errors.js';
import { defineJob, type JobHandlerContext, type JobOutcome } from '../core/job-handler.js';
import { detectLanguage, resolveModel, transcribeAudioFile } from '../transcription/index.js';
import { findLanguage } from '../languages.js';
import { prepareJobEngine } from '../transcription/engines/engine-select.js';
import { withPartialResults } from './partial-results.js';
import type { AsrResult, DetectResult, ProviderJobOptions } from './provider.service.js';
import { removeUpload } from './provider.upload.js';
import { deleteBlob } from './job-blobs.repository.js';
import { FLAC_MIN_BYTES, restoreUpload, type BlobInfo } from './upload-store.js';
import { openPcmWav } from '../transcription/wav.js';

const OrNull = <T extends Parameters<typeof Type.Union>[0][number]>(t: T) => Type.Union([t, Type.Null()]);

/**
 * The options of a provider job (what provider.service.ts queues, its
 * ProviderJobOptions): where the audio is, and the request's own choices.
 * Either `blob` or `upload` names the audio (checked by the handler, which
 * says which job has none).
 */
export const ProviderJobOptionsSchema = Type.Object(
  {
    kind: Type.Optional(Type.Union([Type.Literal('asr'), Type.Literal('detect')])),
    blob: Type.Optional(
      Type.Object({
        format: Type.Union([Type.Literal('flac'), Type.Literal('original')]),
        ext: Type.String(),
        stored_bytes: Type.Integer({ minimum: 0 }),
        chunks: Type.Integer({ minimum: 0 }),
      }),
    ),
    upload: Type.Optional(Type.String()),
    upload_bytes: Type.Optional(Type.Number({ minimum: 0 })),
    media_path: Type.Optional(Type.String()),
    task: Type.Optional(Type.Union([Type.Literal('transcribe'), Type.Literal('translate')])),
    language: Type.Optional(OrNull(Type.String())),
    initialPrompt: Type.Optional(OrNull(Type.String())),
    vad: Type.Optional(OrNull(Type.Boolean())),
    temperature: Type.Optional(OrNull(Type.Number())),
    model: Type.Optional(OrNull(Type.String())),
  },
  { additionalProperties: true },
);
type ProviderJobPayload = Static<typeof ProviderJobOptionsSchema>;
// What the service queues must fit what the worker accepts: a new field of one without the other does not build.
const _queuedFits = (o: ProviderJobOptions): ProviderJobPayload => o;
void _queuedFits;

type ProviderJobContext = JobHandlerContext<ProviderJobPayload>;

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

function optionsOf(h: ProviderJobContext): ProviderJobPayload {
  const o = h.options;
  if (!o.blob && !o.upload) throw new AppError(422, 'bad_provider_job', `Job ${h.job.id} has no upload`);
  if (!o.blob && o.upload && !existsSync(o.upload)) throw new AppError(422, 'upload_missing', `The uploaded audio of job ${h.job.id} is gone (${o.upload})`);
  return o;
}

/**
 * The samples of a short upload already in Whisper's format (16 kHz mono
 * 16-bit PCM: every raw `encode=false` upload, a WAV such as OpenAI clients
 * send), so the engine gets them without an ffprobe and an ffmpeg run, most
 * of what a short request waited beyond its transcription. Null for anything
 * else, and from FLAC_MIN_BYTES on (those are not read into memory).
 */
async function shortPcm(path: string, blob: BlobInfo): Promise<Buffer | null> {
  if (blob.format !== 'original' || blob.stored_bytes >= FLAC_MIN_BYTES) return null;
  const wav = await openPcmWav(path).catch(() => null);
  if (!wav || wav.dataBytes < 2) return null;
  return (await readFile(path)).subarray(wav.dataOffset, wav.dataOffset + wav.dataBytes);
}

/**
 * Runs `fn` on the job's audio: the database copy written to a temporary
 * file (removed afterwards) and, when it is short PCM, its samples
 * (shortPcm); or, for a job queued before uploads went into the database,
 * the file on this node's disk. Once `fn` succeeded the stored audio is
 * removed: the result is what is kept.
 */
async function withAudio<T>(h: ProviderJobContext, o: ProviderJobPayload, fn: (audio: string | Buffer) => Promise<T>): Promise<T> {
  if (!o.blob) {
    const r = await fn(o.upload!);
    await removeUpload(o.upload);
    return r;
  }
  h.reportProgress({ stage: 'reading_upload', progress: 0, etaSeconds: null });
  const path = await restoreUpload(h.database.db, h.job.id, o.blob, tmpdir());
  try {
    const r = await fn((await shortPcm(path, o.blob)) ?? path);
    await deleteBlob(h.database.db, h.job.id).catch((e) => h.log.warn({ err: e }, 'could not remove the stored audio of a finished provider job; the clean-up removes it'));
    return r;
  } finally {
    await rm(path, { force: true });
  }
}

/** The job's options and its engine, from the worker's engine cache. */
async function optionsAndEngine(h: ProviderJobContext, o: ProviderJobPayload) {
  // The job's preset (provider_quality_preset when it was queued) and the request's own model go through the resolver like library jobs.
  const { options: base, engine, label } = await prepareJobEngine(h, {
    model: o.model,
    vadModel: (b) => vadModel(o.vad, b.vad !== false, b.vadModelPath, b.modelDir),
  });
  // Gating follows the request; the pipeline gates only where the engine has a VAD model (a remote server does its own).
  return { base: { ...base, vad: o.vad ?? base.vad !== false }, engine, label };
}

async function handleProviderAsr(h: ProviderJobContext): Promise<JobOutcome> {
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

async function handleProviderDetect(h: ProviderJobContext): Promise<JobOutcome> {
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

export const providerAsrJob = defineJob(ProviderJobOptionsSchema, handleProviderAsr);
export const providerDetectJob = defineJob(ProviderJobOptionsSchema, handleProviderDetect);
