/**
 * Whisper models as the API and UI see them: the catalogue with what is
 * installed, downloads running in the server process with progress on the
 * event stream, and removal.
 */
import type { ToolPaths } from '../config.js';
import { statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Logger } from 'pino';
import { AppError, badRequest, conflict, notFound } from '../errors.js';
import type { EventHub } from '../events/event-hub.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { Static } from '@fastify/type-provider-typebox';
import type { ModelSchema, RecommendationSchema } from './models.schemas.js';
import { downloadBaseUrl } from '../transcription/model-install.js';
import { bundledModelPath } from '../transcription/models.js';
import { QUALITY_PRESETS, catalogueEntry, defaultQualityPreset, downloadModel, listModels, removeModel, resolveAllPresets, resolveTranscription, type ModelInfo, type QualityPreset } from '../transcription/index.js';
import { readHardware, recommendModel, type Hardware, type Recommendation } from './recommend.js';

type ModelView = Static<typeof ModelSchema>;
type RecommendationView = Static<typeof RecommendationSchema>;

function describe(m: ModelInfo): string {
  if (m.kind === 'vad') return 'Silero voice activity detection';
  const quant = /-q\d/.test(m.name) ? ` (quantized ${m.name.split('-').pop()})` : '';
  return `${m.multilingual ? 'Multilingual' : 'English-only'} Whisper ${m.name.split('-q')[0]}${quant}`;
}

function statOrNull(path: string): { size: number } | null {
  try {
    return statSync(path);
  } catch {
    return null;
  }
}

export class ModelsService {
  private downloads = new Map<string, { controller: AbortController; percent: number | null }>();

  constructor(
    private readonly settings: SettingsService,
    private readonly events: EventHub,
    private readonly log: Logger,
    /** Config.tools: nvidia-smi for the recommendation, the download mirror (TRANSCRIPTORIO_MODEL_BASE_URL) */
    private readonly tools: Pick<ToolPaths, 'nvidiaSmi' | 'modelBaseUrl'>,
  ) {}

  modelDir(): string {
    return resolve(this.settings.getString('model_path') || './models');
  }

  /**
   * The model suggested for this machine. GPU workers (or GPUs and no CPU
   * workers yet) weigh the GPU; CPU workers on a machine with a GPU get a CPU model.
   */
  async recommend(hardware?: Hardware, opts: { preferGpu?: boolean } = {}): Promise<Recommendation> {
    const hw = hardware ?? (await readHardware(this.tools.nvidiaSmi));
    const preferGpu = opts.preferGpu ?? (this.settings.getNumber('worker_gpu_count') > 0 || this.settings.getNumber('worker_cpu_count') === 0);
    return recommendModel(hw, { preferGpu });
  }

  /** The recommendation with what the wizard shows beside it: the model folder and the model in use. */
  async recommendation(opts: { preferGpu?: boolean } = {}): Promise<RecommendationView> {
    const rec = await this.recommend(undefined, opts);
    const models = await this.list(rec);
    const current = resolveTranscription({ quality_preset: defaultQualityPreset((k) => this.settings.get(k)) }, (k) => this.settings.get(k));
    return {
      name: rec.name,
      reason: rec.reason,
      installed: !!models.find((m) => m.name === rec.name)?.installed,
      hardware: rec.hardware,
      model_dir: this.modelDir(),
      current_model: current.configuredModel,
      current_installed: current.modelInstalled,
    };
  }

  /**
   * The model file each preset runs with, as the resolver gives it; none for a
   * remote engine (no local model is used then).
   */
  private modelsInUse(): Map<string, QualityPreset[]> {
    const byPreset = resolveAllPresets((k) => this.settings.get(k));
    const out = new Map<string, QualityPreset[]>();
    for (const p of QUALITY_PRESETS) {
      const r = byPreset[p];
      if (r.engine.kind !== 'local' || !r.modelPath) continue;
      out.set(r.modelPath, [...(out.get(r.modelPath) ?? []), p]);
    }
    return out;
  }

  async list(recommendation?: Recommendation): Promise<ModelView[]> {
    const rec = recommendation ?? (await this.recommend());
    const inUse = this.modelsInUse();
    const models = await listModels(this.modelDir());
    // A model the settings name by a path outside model_path is listed too: it is what jobs use.
    for (const path of inUse.keys()) {
      if (models.some((m) => resolve(m.path) === path)) continue;
      const st = statOrNull(path);
      const file = basename(path);
      models.push({ name: file.replace(/^ggml-/, '').replace(/\.bin$/, ''), file, sizeMiB: (st?.size ?? 0) / 2 ** 20, multilingual: true, kind: 'whisper', path, downloaded: !!st, bytes: st?.size ?? null, partialBytes: null });
    }
    // The shipped VAD model counts as installed when the model folder has no copy of its own.
    for (const m of models) {
      const bundled = !m.downloaded && m.kind === 'vad' ? bundledModelPath(m.name) : null;
      if (bundled) Object.assign(m, { path: bundled, downloaded: true, bytes: statOrNull(bundled)?.size ?? null, bundled: true });
    }
    return models.map((m) => ({
      name: m.name,
      file: m.file,
      kind: m.kind,
      multilingual: m.multilingual,
      size_bytes: m.bytes ?? Math.round(m.sizeMiB * 2 ** 20),
      installed: m.downloaded,
      path: m.path,
      sha: m.sha1 ?? null,
      description: describe(m),
      partial_bytes: m.partialBytes,
      downloading: this.downloads.has(m.name),
      progress: this.downloads.get(m.name)?.percent ?? null,
      in_use: inUse.has(resolve(m.path)),
      used_by: inUse.get(resolve(m.path)) ?? [],
      recommended: m.name === rec.name,
      bundled: (m as { bundled?: boolean }).bundled === true,
    }));
  }

  /** Starts a download in the background; progress arrives as `model.download` events. */
  async startDownload(name: string): Promise<{ started: boolean; message: string }> {
    const entry = catalogueEntry(name);
    if (!entry) throw badRequest(`Unknown model "${name}"`, 'unknown_model');
    if (this.downloads.has(entry.name)) throw conflict(`Model ${entry.name} is already downloading`, 'download_running');
    const installed = (await this.list()).find((m) => m.name === entry.name)?.installed;
    if (installed) return { started: false, message: `Model ${entry.name} is already installed` };
    const controller = new AbortController();
    const state = { controller, percent: null as number | null };
    this.downloads.set(entry.name, state);
    let lastSent = 0;
    const publish = (status: string, extra: Record<string, unknown> = {}) =>
      this.events.publish('model.download', { name: entry.name, status, ...extra });
    publish('downloading', { received_bytes: 0, total_bytes: null, percent: 0 });
    downloadModel(entry.name, this.modelDir(), {
      baseUrl: downloadBaseUrl(entry, this.settings.getString('model_download_base_url'), this.tools.modelBaseUrl),
      signal: controller.signal,
      onProgress: (p) => {
        state.percent = p.percent;
        const now = Date.now();
        if (now - lastSent < 250) return;
        lastSent = now;
        publish('downloading', { received_bytes: p.received, total_bytes: p.total, percent: p.percent, bytes_per_second: p.bytesPerSecond });
      },
    })
      .then((path) => {
        this.log.info({ model: entry.name, path }, 'model downloaded');
        publish('done', { percent: 100, path });
      })
      .catch((e: Error) => {
        const cancelled = controller.signal.aborted;
        this.log.warn({ model: entry.name, err: e.message }, cancelled ? 'model download cancelled' : 'model download failed');
        publish(cancelled ? 'cancelled' : 'error', { error: cancelled ? null : e.message });
      })
      .finally(() => this.downloads.delete(entry.name));
    return { started: true, message: `Download of model ${entry.name} started` };
  }

  cancelDownload(name: string): void {
    const entry = catalogueEntry(name);
    const d = entry && this.downloads.get(entry.name);
    if (!d) throw notFound(`Download of model ${name}`);
    d.controller.abort();
  }

  async remove(name: string): Promise<void> {
    const entry = catalogueEntry(name);
    if (entry && this.downloads.has(entry.name)) throw conflict(`Model ${entry.name} is downloading; cancel the download first`, 'download_running');
    const known = (await this.list()).find((m) => m.name === name || m.file === name);
    if (!known || (!known.installed && known.partial_bytes === null)) throw notFound(`Model ${name}`);
    if (known.bundled) throw badRequest(`Model ${known.name} ships with TranscriptorIO and cannot be deleted`, 'bundled_model');
    if (!(await removeModel(known.name, this.modelDir()))) throw notFound(`Model ${name}`);
  }

  stop(): void {
    for (const d of this.downloads.values()) d.controller.abort();
  }
}

export { AppError };
