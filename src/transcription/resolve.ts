/**
 * Which model and which decoding a job runs with: the one place this is
 * decided. Library jobs, provider requests (/asr, /detect-language), the
 * OpenAI API, `/api/status`, the provider's `/status` and the Models page all
 * ask this function, so what the UI shows is what the workers run.
 *
 * - Model: the request's own model (OpenAI `model`), else the preset's
 *   `preset_<name>_model` when set, else `whisper_model`. An int8 compute type
 *   (of the device the job runs on) picks the q8_0 file of a catalogue model.
 * - Decoding: the shared settings (`whisper_best_of`,
 *   `whisper_temperature_fallback`, `detect_language_windows`) are what
 *   `balanced` uses; `fast` never spends more than them (greedy, no fallback),
 *   `best` never less (best_of >= 5, >= 5 language windows). Each preset's
 *   beam size is its `preset_<name>_beam_size`.
 * - Engine: `engine_backend` (local whisper.cpp or a remote server).
 */
import { resolve as resolvePath } from 'node:path';
import { AppError } from '../errors.js';
import { catalogueEntry, resolveModel } from './models.js';
import { PRESET_BEAM_SIZE, QUALITY_PRESETS, defaultQualityPreset, isQualityPreset, type QualityPreset } from '../quality-presets.js';
import { bool, num, str, type SettingsGet } from './setting-get.js';

export type EngineKind = 'local' | 'remote_asr' | 'remote_openai';

export interface TranscriptionRequest {
  /** the job's quality_preset; absent or unknown: the `transcription_preset` setting */
  quality_preset?: string | null;
  /** a model the request chose itself (OpenAI `model`, an installed file); wins over the settings */
  model?: string | null;
  /** the device the job runs on (the worker's type); absent: `transcribe_device` */
  device?: 'cpu' | 'cuda';
}

export interface Decoding {
  beamSize: number;
  bestOf: number;
  temperature: number;
  temperatureFallback: boolean;
  detectLanguageWindows: number;
}

export interface ResolvedTranscription {
  preset: QualityPreset;
  /** the model as configured: a catalogue name or a path */
  configuredModel: string;
  /** which setting chose it */
  modelSource: 'request' | `preset_${QualityPreset}_model` | 'whisper_model';
  /** what the engine loads: configuredModel with the compute type applied */
  modelName: string;
  /** modelName as a file: under model_path for a catalogue name, else the path; null for an unknown name */
  modelPath: string | null;
  /** whether modelPath exists (a missing catalogue model may still be downloaded by the job) */
  modelInstalled: boolean;
  modelDir: string;
  device: 'cpu' | 'cuda';
  computeType: string;
  decoding: Decoding;
  engine: { kind: EngineKind; remoteUrl: string | null };
  /** what model_used, /status and the dashboard show: modelName, or the remote server for a remote engine */
  label: string;
}

/** The label of a remote engine (model_used of its jobs, the provider's /status). */
export function remoteEngineLabel(kind: Exclude<EngineKind, 'local'>, url: string, model: string): string {
  return kind === 'remote_openai' ? `${model || 'whisper-1'} @ ${url}` : `whisper-asr-webservice @ ${url}`;
}

function engineKind(get: SettingsGet): EngineKind {
  const v = str(get, 'engine_backend', 'local');
  return v === 'remote_asr' || v === 'remote_openai' ? v : 'local';
}

/** int8 compute types prefer the q8_0 file of a catalogue model; paths and models without one stay as they are. */
function withComputeType(model: string, computeType: string): string {
  if (!/int8/.test(computeType)) return model;
  const entry = catalogueEntry(model);
  return (entry && catalogueEntry(`${entry.name}-q8_0`)?.name) || model;
}

/** The file a model name stands for, without throwing: where it is, or where it would be downloaded to. */
function modelFile(name: string, modelDir: string): { path: string | null; installed: boolean } {
  try {
    return { path: resolveModel(name, modelDir), installed: true };
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'model_missing' || !name.trim()) return { path: null, installed: false };
    const entry = catalogueEntry(name);
    return { path: entry ? resolvePath(modelDir, entry.file) : resolvePath(name.trim()), installed: false };
  }
}

function decodingFor(preset: QualityPreset, get: SettingsGet): Decoding {
  const shared: Decoding = {
    beamSize: num(get, `preset_${preset}_beam_size`, PRESET_BEAM_SIZE[preset]),
    bestOf: num(get, 'whisper_best_of', 5),
    temperature: num(get, 'whisper_temperature', 0),
    temperatureFallback: bool(get, 'whisper_temperature_fallback', true),
    detectLanguageWindows: num(get, 'detect_language_windows', 3),
  };
  switch (preset) {
    case 'fast':
      return { ...shared, bestOf: 1, temperatureFallback: false };
    case 'balanced':
      return shared;
    case 'best':
      return { ...shared, bestOf: Math.max(shared.bestOf, 5), detectLanguageWindows: Math.max(shared.detectLanguageWindows, 5) };
  }
}

/**
 * The model, decoding and engine of a job (or request) under the current settings.
 *
 * @example
 * resolveTranscription({ quality_preset: 'fast' }, (k) => settings.get(k)).modelName // 'medium'
 */
export function resolveTranscription(request: TranscriptionRequest, get: SettingsGet): ResolvedTranscription {
  const preset = isQualityPreset(request.quality_preset) ? request.quality_preset : defaultQualityPreset(get);
  const device = request.device ?? (str(get, 'transcribe_device', 'cpu') === 'cpu' ? 'cpu' : 'cuda');
  const computeType = device === 'cpu' ? str(get, 'cpu_compute_type', 'auto') : str(get, 'gpu_compute_type', 'auto');
  const modelDir = str(get, 'model_path', './models') || './models';
  const own = str(get, `preset_${preset}_model`, '').trim();
  const requested = request.model?.trim();
  const [configuredModel, modelSource]: [string, ResolvedTranscription['modelSource']] = requested
    ? [requested, 'request']
    : own
      ? [own, `preset_${preset}_model`]
      : [str(get, 'whisper_model', 'medium').trim() || 'medium', 'whisper_model'];
  // A model the request chose is an installed file: it is used as it is.
  const modelName = modelSource === 'request' ? configuredModel : withComputeType(configuredModel, computeType);
  const file = modelFile(modelName, modelDir);
  const kind = engineKind(get);
  const remoteUrl = kind === 'local' ? null : str(get, 'remote_engine_url', '').trim();
  return {
    preset,
    configuredModel,
    modelSource,
    modelName,
    modelPath: file.path,
    modelInstalled: file.installed,
    modelDir,
    device,
    computeType,
    decoding: decodingFor(preset, get),
    engine: { kind, remoteUrl },
    label: kind === 'local' ? modelName : remoteEngineLabel(kind, remoteUrl ?? '', str(get, 'remote_engine_model', '')),
  };
}

/** Every preset resolved: what /api/status and the Models page show. */
export function resolveAllPresets(get: SettingsGet, device?: 'cpu' | 'cuda'): Record<QualityPreset, ResolvedTranscription> {
  return Object.fromEntries(QUALITY_PRESETS.map((p) => [p, resolveTranscription({ quality_preset: p, device }, get)])) as Record<QualityPreset, ResolvedTranscription>;
}

/** The label (model_used) of each preset: the `models` field of the status endpoints. */
export function presetLabels(all: Record<QualityPreset, ResolvedTranscription>): Record<QualityPreset, string> {
  return Object.fromEntries(QUALITY_PRESETS.map((p) => [p, all[p].label])) as Record<QualityPreset, string>;
}
