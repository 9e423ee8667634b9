/**
 * A job needs its model on disk. When a catalogue model is missing and
 * `model_auto_download` is on, the worker downloads it (from
 * `model_download_base_url`, checksum verified, moved into place atomically)
 * and reports the download as a job stage; otherwise, or when the download
 * fails, the job fails with a message that says what was tried and the one
 * thing to do, with the model folder as an absolute path.
 */
import { resolve } from 'node:path';
import { AppError } from '../errors.js';
import type { DownloadProgress } from './download.js';
import { catalogueEntry, downloadModel, resolveModel } from './models.js';

interface ModelInstallOptions {
  /** the model_auto_download setting */
  autoDownload: boolean;
  /** the model_download_base_url setting */
  baseUrl?: string | null;
  /** TRANSCRIPTORIO_MODEL_BASE_URL (Config.tools.modelBaseUrl): wins over the setting and the catalogue, for mirrors and tests */
  mirror?: string | null;
  onProgress?(p: DownloadProgress): void;
  signal?: AbortSignal;
}

const isAbort = (e: unknown) => (e as Error)?.name === 'AbortError';

/**
 * Where a catalogue file is fetched from: the mirror of
 * TRANSCRIPTORIO_MODEL_BASE_URL (Config.tools.modelBaseUrl: a mirror, tests),
 * else the setting for the Whisper models; entries kept in another
 * repository (the VAD models) keep their own.
 */
export function downloadBaseUrl(entry: { baseUrl?: string }, setting: string | null | undefined, mirror?: string | null): string | undefined {
  if (mirror) return mirror;
  if (entry.baseUrl) return entry.baseUrl;
  return setting?.trim() || undefined;
}

/** The model's file path, downloading a missing catalogue model when allowed. */
export async function ensureModel(nameOrPath: string, modelDir: string, opts: ModelInstallOptions): Promise<string> {
  try {
    return resolveModel(nameOrPath, modelDir);
  } catch (e) {
    if (!(e instanceof AppError) || e.code !== 'model_missing') throw e;
    const dir = resolve(modelDir);
    const entry = catalogueEntry(nameOrPath.trim());
    if (!entry) {
      throw new AppError(422, 'model_missing', `The model file ${resolve(nameOrPath.trim())} does not exist. Put the ggml file there, or choose an installed model on the Models page.`);
    }
    if (!opts.autoDownload) {
      throw new AppError(422, 'model_missing', `The ${entry.name} model (${entry.file}) is not installed in ${dir}, and automatic download is off (setting model_auto_download). Download it on the Models page, or copy ${entry.file} into ${dir}.`);
    }
    try {
      return await downloadModel(entry.name, dir, { baseUrl: downloadBaseUrl(entry, opts.baseUrl, opts.mirror), onProgress: opts.onProgress, signal: opts.signal });
    } catch (err) {
      if (isAbort(err)) throw err;
      throw new AppError(
        422,
        'model_missing',
        `The ${entry.name} model (${entry.file}) is not installed in ${dir}, and the automatic download failed: ${(err as Error).message}. Download it on the Models page, or copy ${entry.file} into ${dir} (no internet needed).`,
      );
    }
  }
}

/** What a job hands over to install its model: its settings, its cancel signal, its progress report and the download mirror. */
export interface ModelJobContext {
  settings: { getBoolean(key: string): boolean; getString(key: string): string };
  /** Config.tools (a worker: its spec's): TRANSCRIPTORIO_MODEL_BASE_URL */
  tools?: { modelBaseUrl: string | null };
  signal?: AbortSignal;
  reportProgress(p: { stage: string; progress: number; etaSeconds: number | null }): void;
}

/**
 * ensureModel for a job: model_auto_download and model_download_base_url
 * from the settings, the download shown as the job's stage with its ETA.
 */
export function installedModel(job: ModelJobContext, model: string, modelDir: string): Promise<string> {
  return ensureModel(model, modelDir, {
    autoDownload: job.settings.getBoolean('model_auto_download'),
    baseUrl: job.settings.getString('model_download_base_url'),
    mirror: job.tools?.modelBaseUrl,
    signal: job.signal,
    onProgress: (p) => {
      const eta = p.total && p.bytesPerSecond > 0 ? Math.round((p.total - p.received) / p.bytesPerSecond) : null;
      job.reportProgress({ stage: 'downloading_model', progress: 0, etaSeconds: eta });
    },
  });
}
