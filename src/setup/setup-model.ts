/**
 * The model the wizard sets up: the one the request names (a catalogue name,
 * a file in the model folder, or a ggml file picked with the path browser),
 * else the model jobs already use when it is installed, else the installed
 * model closest to the hardware's recommendation, else the recommendation
 * itself (downloaded by the wizard, or by the first job when automatic
 * download is on). The choice is written to `whisper_model`, which the
 * resolver (transcription/resolve.ts) reads for every preset without a model
 * of its own.
 */
import { open, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, resolve } from 'node:path';
import { AppError, badRequest } from '../errors.js';
import { isWithin } from '../security/media-roots.js';
import { QUALITY_PRESETS, catalogueEntry, defaultQualityPreset, resolveTranscription } from '../transcription/index.js';
import type { ModelsService } from '../models/models.service.js';
import { bestInstalled } from '../models/recommend.js';
import type { SettingsService } from '../settings/settings.service.js';

/** whisper.cpp's file magic (GGML_FILE_MAGIC, little-endian "lmgg"). */
const GGML_MAGIC = Buffer.from('lmgg', 'latin1');

export interface ModelChoice {
  /** the value of whisper_model after setup */
  model: string;
  /** how it was chosen */
  source: 'request' | 'kept' | 'installed' | 'recommended';
  installed: boolean;
  /** the settings to write (empty when the model in use is kept) */
  values: Record<string, string>;
}

interface ModelChoiceDeps {
  settings: SettingsService;
  models: ModelsService;
  /** resolves a picked path inside the browsable folders (403/404 otherwise) */
  resolveAllowed(path: string): Promise<string>;
}

async function isGgml(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    return bytesRead === 4 && buf.equals(GGML_MAGIC);
  } finally {
    await fh.close();
  }
}

/** A file given as the model: inside the model folder or the browsable folders, a ggml file. */
async function pickedFile(value: string, deps: ModelChoiceDeps): Promise<string> {
  const dir = deps.models.modelDir();
  const candidate = isAbsolute(value) ? resolve(value) : join(dir, value);
  let real: string;
  try {
    real = await realpath(candidate);
  } catch {
    throw badRequest(
      isAbsolute(value)
        ? `model: the file ${candidate} does not exist`
        : `model: "${value}" is neither a known model name nor a file in the model folder ${dir}`,
      isAbsolute(value) ? 'path_not_found' : 'unknown_model',
    );
  }
  const inModelDir = await realpath(dir).then((d) => isWithin(real, d), () => false);
  // A file the settings already name (the model jobs use now) was chosen by whoever set them.
  const get = (k: Parameters<SettingsService['get']>[0]) => deps.settings.get(k);
  const inUse = QUALITY_PRESETS.map((p) => resolveTranscription({ quality_preset: p }, get).modelPath).filter((m): m is string => !!m);
  const configured = (await Promise.all(inUse.map((m) => realpath(m).catch(() => null)))).includes(real);
  if (!inModelDir && !configured) {
    try {
      real = await deps.resolveAllowed(real);
    } catch (e) {
      if (e instanceof AppError) throw new AppError(e.status, e.code, `model: ${e.message}`);
      throw e;
    }
  }
  if (!(await stat(real)).isFile()) throw badRequest(`model: ${real} is not a file`, 'not_a_file');
  if (!(await isGgml(real))) throw badRequest(`model: ${real} is not a ggml Whisper model (whisper.cpp's ggml-*.bin files)`, 'not_a_model');
  return real;
}

/**
 * A preset's own model that is missing would keep its jobs failing after
 * setup: it is cleared so the preset follows whisper_model again.
 */
function clearMissingPresetModels(choice: ModelChoice, settings: SettingsService): ModelChoice {
  if (!choice.values.whisper_model) return choice;
  const get = (k: Parameters<SettingsService['get']>[0]) => settings.get(k);
  const values = { ...choice.values };
  for (const p of QUALITY_PRESETS) {
    const r = resolveTranscription({ quality_preset: p }, get);
    if (r.modelSource === `preset_${p}_model` && !r.modelInstalled) values[`preset_${p}_model`] = '';
  }
  return { ...choice, values };
}

/** The model the wizard sets up, and the settings that make jobs use it. */
export async function chooseModel(requested: string | null | undefined, workerType: 'cpu' | 'gpu' | null, deps: ModelChoiceDeps): Promise<ModelChoice> {
  return clearMissingPresetModels(await pick(requested, workerType, deps), deps.settings);
}

async function pick(requested: string | null | undefined, workerType: 'cpu' | 'gpu' | null, deps: ModelChoiceDeps): Promise<ModelChoice> {
  const value = requested?.trim();
  const preferGpu = workerType ? workerType === 'gpu' : undefined;
  if (value) {
    const entry = catalogueEntry(value);
    if (entry && entry.kind === 'whisper') {
      const installed = !!(await deps.models.list()).find((m) => m.name === entry.name)?.installed;
      return { model: entry.name, source: 'request', installed, values: { whisper_model: entry.name } };
    }
    if (entry) throw badRequest(`model: ${entry.name} is a voice detection model, not a Whisper model`, 'unknown_model');
    const path = await pickedFile(value, deps);
    return { model: path, source: 'request', installed: true, values: { whisper_model: path } };
  }
  const get = (k: Parameters<SettingsService['get']>[0]) => deps.settings.get(k);
  const current = resolveTranscription({ quality_preset: defaultQualityPreset(get) }, get);
  if (current.engine.kind !== 'local' || current.modelInstalled) {
    return { model: current.configuredModel, source: 'kept', installed: current.modelInstalled, values: {} };
  }
  const rec = await deps.models.recommend(undefined, { preferGpu });
  const best = bestInstalled(await deps.models.list(rec), rec.name);
  if (best) {
    const model = catalogueEntry(best.name) ? best.name : resolve(best.path);
    return { model, source: 'installed', installed: true, values: { whisper_model: model } };
  }
  return { model: rec.name, source: 'recommended', installed: false, values: { whisper_model: rec.name } };
}
