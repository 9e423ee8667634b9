/**
 * Model catalogue, resolution and downloads. Checksums are the SHA-1 values
 * published in whisper.cpp's models/README.md for the ggml files on
 * huggingface.co/ggerganov/whisper.cpp; files without a published value are
 * checked by size only.
 */
import { EventEmitter } from 'node:events';
import { createHash } from 'node:crypto';
import { createReadStream, existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppError } from '../errors.js';
import { downloadFile, type DownloadProgress } from './download.js';

export interface CatalogueEntry {
  name: string;
  file: string;
  /** approximate size in MiB as published */
  sizeMiB: number;
  sha1?: string;
  multilingual: boolean;
  kind: 'whisper' | 'vad';
  /** base URL override for this entry (the VAD models live in another repository) */
  baseUrl?: string;
}

export const DEFAULT_MODEL_BASE_URL = 'https://huggingface.co/ggerganov/whisper.cpp/resolve/main';
const DEFAULT_VAD_BASE_URL = 'https://huggingface.co/ggml-org/whisper-vad/resolve/main';

const w = (name: string, sizeMiB: number, sha1?: string): CatalogueEntry => ({
  name,
  file: `ggml-${name}.bin`,
  sizeMiB,
  sha1,
  multilingual: !name.includes('.en'),
  kind: 'whisper',
});

export const MODEL_CATALOGUE: readonly CatalogueEntry[] = [
  w('tiny', 75, 'bd577a113a864445d4c299885e0cb97d4ba92b5f'),
  w('tiny.en', 75, 'c78c86eb1a8faa21b369bcd33207cc90d64ae9df'),
  w('tiny-q5_1', 31),
  w('tiny.en-q5_1', 31),
  w('tiny-q8_0', 42),
  w('base', 142, '465707469ff3a37a2b9b8d8f89f2f99de7299dac'),
  w('base.en', 142, '137c40403d78fd54d454da0f9bd998f78703390c'),
  w('base-q5_1', 57),
  w('base.en-q5_1', 57),
  w('base-q8_0', 78),
  w('small', 466, '55356645c2b361a969dfd0ef2c5a50d530afd8d5'),
  w('small.en', 466, 'db8a495a91d927739e50b3fc1cc4c6b8f6c2d022'),
  w('small-q5_1', 181),
  w('small.en-q5_1', 181),
  w('small-q8_0', 252),
  w('medium', 1536, 'fd9727b6e1217c2f614f9b698455c4ffd82463b4'),
  w('medium.en', 1536, '8c30f0e44ce9560643ebd10bbe50cd20eafd3723'),
  w('medium-q5_0', 514),
  w('medium.en-q5_0', 514),
  w('medium-q8_0', 785),
  w('large-v2', 2970, '0f4c8e34f21cf1a914c59d8b3ce882345ad349d6'),
  w('large-v2-q5_0', 1126, '00e39f2196344e901b3a2bd5814807a769bd1630'),
  w('large-v3', 2970, 'ad82bf6a9043ceed055076d0fd39f5f186ff8062'),
  w('large-v3-q5_0', 1126, 'e6e2ed78495d403bef4b7cff42ef4aaadcfea8de'),
  w('large-v3-turbo', 1536, '4af2b29d7ec73d781377bfd1758ca957a807e941'),
  w('large-v3-turbo-q5_0', 547, 'e050f7970618a659205450ad97eb95a18d69c9ee'),
  w('large-v3-turbo-q8_0', 834),
  { name: 'silero-v6.2.0', file: 'ggml-silero-v6.2.0.bin', sizeMiB: 0.86, multilingual: true, kind: 'vad', baseUrl: DEFAULT_VAD_BASE_URL },
  { name: 'silero-v5.1.2', file: 'ggml-silero-v5.1.2.bin', sizeMiB: 0.86, multilingual: true, kind: 'vad', baseUrl: DEFAULT_VAD_BASE_URL },
];

/**
 * Models shipped in assets/models (assets/README.md): VAD is on by default, so
 * its default model must work on an offline install with an empty model_path.
 * The path is the same from src/transcription and dist/transcription.
 */
export const BUNDLED_MODEL_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', 'assets', 'models');
/** The `vad_model` default; shipped in assets/models. */
export const DEFAULT_VAD_MODEL = 'silero-v6.2.0';
const BUNDLED = new Set([DEFAULT_VAD_MODEL]);

/** Path of the copy shipped with the product, or null when this model is not shipped. */
export function bundledModelPath(name: string): string | null {
  const entry = catalogueEntry(name);
  if (!entry || !BUNDLED.has(entry.name)) return null;
  const path = join(BUNDLED_MODEL_DIR, entry.file);
  return existsSync(path) ? path : null;
}

/** The model_path older versions defaulted to: `models` in the folder the server was started in. */
const LEGACY_MODEL_PATH = './models';

/**
 * The model folder when model_path is left at its default: `models` inside
 * the data folder, so models stay with the database through a re-clone, an
 * upgrade into a new folder, or a container that keeps only its data volume.
 */
export function defaultModelDir(dataDir: string): string {
  return join(resolve(dataDir), 'models');
}

/** Where the model files are, and why there. */
export interface ModelFolder {
  /** the absolute folder models are read from and downloaded to */
  dir: string;
  /** `setting`: model_path names it; `data`: the default in DATA_DIR; `legacy`: the old ./models, which still holds the models */
  source: 'setting' | 'data' | 'legacy';
  /** the default folder the models belong in (DATA_DIR/models), for a `legacy` folder's note */
  dataDefault: string;
}

function hasModelFiles(dir: string): boolean {
  try {
    return readdirSync(dir).some((f) => f.endsWith('.bin'));
  } catch {
    return false;
  }
}

/**
 * The model folder of a model_path value. Empty (and `./models`, the default
 * of older versions, which migration 014 left unstored) means DATA_DIR/models;
 * but an install whose models are still in the old `./models` (next to the
 * data folder, or in the folder the process runs in) while DATA_DIR/models
 * has none keeps using them there, and the health check says how to move
 * them. Any other value is the folder it names (relative to `cwd`).
 *
 * @example
 * modelFolder('', '/srv/tio/data').dir // '/srv/tio/data/models'
 */
export function modelFolder(setting: string | null | undefined, dataDir: string, cwd: string = process.cwd()): ModelFolder {
  const dataDefault = defaultModelDir(dataDir);
  const value = (setting ?? '').trim();
  const bare = value.replace(/\/+$/, '');
  if (value && bare !== LEGACY_MODEL_PATH && bare !== 'models') {
    return { dir: resolve(cwd, value), source: 'setting', dataDefault };
  }
  if (!hasModelFiles(dataDefault)) {
    const legacy = [...new Set([join(dirname(resolve(dataDir)), 'models'), resolve(cwd, 'models')])].find((d) => d !== dataDefault && hasModelFiles(d));
    if (legacy) return { dir: legacy, source: 'legacy', dataDefault };
  }
  return { dir: dataDefault, source: 'data', dataDefault };
}

/**
 * The model folder a settings reader stands for. A SettingsService that
 * turns model_path into its absolute folder (modelFolderSetting) still tells
 * its own text (`textOf`), which says whether the folder is the default, a
 * chosen one or the old ./models; a plain reader's value is that text.
 */
export function settingsModelFolder(settings: { getString(key: 'model_path'): string; textOf?(key: 'model_path'): string }, dataDir: string): ModelFolder {
  return modelFolder(settings.textOf ? settings.textOf('model_path') : settings.getString('model_path'), dataDir);
}

/**
 * model_path's value in force for a process whose data folder is `dataDir`
 * (SettingsService's `derived` option): every reader of the setting gets the
 * absolute folder modelFolder decides.
 */
export function modelFolderSetting(dataDir: string): { model_path: (text: string) => string } {
  return { model_path: (text) => modelFolder(text, dataDir).dir };
}

export function catalogueEntry(name: string): CatalogueEntry | undefined {
  const n = name.trim().toLowerCase().replace(/^ggml-/, '').replace(/\.bin$/, '');
  return MODEL_CATALOGUE.find((e) => e.name === n);
}

export interface ModelInfo extends CatalogueEntry {
  path: string;
  downloaded: boolean;
  bytes: number | null;
  partialBytes: number | null;
}

/** The catalogue with what is present in `modelDir`. */
export async function listModels(modelDir: string): Promise<ModelInfo[]> {
  const out: ModelInfo[] = [];
  for (const e of MODEL_CATALOGUE) {
    const path = join(modelDir, e.file);
    const st = await stat(path).catch(() => null);
    const part = await stat(`${path}.part`).catch(() => null);
    out.push({ ...e, path, downloaded: !!st, bytes: st?.size ?? null, partialBytes: part?.size ?? null });
  }
  // Files the user placed there that the catalogue does not know.
  const names = await readdir(modelDir).catch(() => [] as string[]);
  for (const f of names) {
    if (!f.endsWith('.bin') || out.some((m) => m.file === f)) continue;
    const path = join(modelDir, f);
    out.push({ name: f.replace(/^ggml-/, '').replace(/\.bin$/, ''), file: f, sizeMiB: statSync(path).size / 2 ** 20, multilingual: true, kind: 'whisper', path, downloaded: true, bytes: statSync(path).size, partialBytes: null });
  }
  return out;
}

function looksLikePath(s: string): boolean {
  return isAbsolute(s) || s.includes('/') || s.includes('\\') || s.endsWith('.bin');
}

/**
 * A model name or a path to a ggml file -> an existing file path (a name
 * missing from `modelDir` falls back to a bundled copy if there is one). Throws
 * `model_missing` naming the file and the command that fetches it.
 */
export function resolveModel(nameOrPath: string, modelDir: string): string {
  const value = nameOrPath.trim();
  if (!value) throw new AppError(400, 'model_missing', 'No model given');
  const entry = catalogueEntry(value);
  if (entry) {
    const path = resolve(modelDir, entry.file);
    if (existsSync(path)) return path;
    // A copy in model_path wins; else the one shipped with the product (Silero VAD).
    const bundled = bundledModelPath(entry.name);
    if (bundled) return bundled;
    throw new AppError(422, 'model_missing', `Model file ${path} is missing: run \`transcriptorio models download ${entry.name} --dir ${modelDir}\``);
  }
  if (looksLikePath(value)) {
    const path = resolve(value);
    if (existsSync(path)) return path;
    const inDir = resolve(modelDir, value);
    if (existsSync(inDir)) return inDir;
    throw new AppError(422, 'model_missing', `Model file ${path} does not exist`);
  }
  const names = MODEL_CATALOGUE.filter((e) => e.kind === 'whisper').map((e) => e.name).join(', ');
  throw new AppError(400, 'unknown_model', `Unknown model "${value}": use one of ${names}, or a path to a ggml file`);
}

export interface DownloadModelOptions {
  onProgress?(p: DownloadProgress): void;
  signal?: AbortSignal;
  /** base URL of the ggml files (model-install.ts downloadBaseUrl); default the catalogue entry's, else DEFAULT_MODEL_BASE_URL */
  baseUrl?: string;
  /** expected checksum when the catalogue has none (tests) */
  sha1?: string;
  sha256?: string;
  force?: boolean;
}

/** Emits `progress` events ({ received, total, percent, bytesPerSecond }) for the API and UI. */
export const modelDownloads = new EventEmitter();

export async function downloadModel(name: string, modelDir: string, opts: DownloadModelOptions = {}): Promise<string> {
  const entry = catalogueEntry(name);
  if (!entry) throw new AppError(400, 'unknown_model', `Unknown model "${name}"`);
  await mkdir(modelDir, { recursive: true });
  const dest = resolve(modelDir, entry.file);
  if (existsSync(dest) && !opts.force) return dest;
  const base = (opts.baseUrl ?? entry.baseUrl ?? DEFAULT_MODEL_BASE_URL).replace(/\/+$/, '');
  const part = `${dest}.part`;
  await downloadFile(`${base}/${entry.file}`, part, {
    signal: opts.signal,
    onProgress: (p) => {
      opts.onProgress?.(p);
      modelDownloads.emit('progress', { model: entry.name, ...p });
    },
  });
  const sha1 = opts.sha1 ?? entry.sha1;
  const sha256 = opts.sha256;
  for (const [algo, want] of [['sha1', sha1], ['sha256', sha256]] as const) {
    if (!want) continue;
    const got = await hashFile(part, algo);
    if (got !== want.toLowerCase()) {
      await rm(part, { force: true });
      throw new AppError(502, 'checksum_mismatch', `Downloaded ${entry.file} has ${algo} ${got}, expected ${want}: the file was removed, try again`);
    }
  }
  await rename(part, dest);
  modelDownloads.emit('done', { model: entry.name, path: dest });
  return dest;
}

export async function removeModel(name: string, modelDir: string): Promise<boolean> {
  const entry = catalogueEntry(name);
  const file = entry ? entry.file : name;
  const path = resolve(modelDir, file);
  const had = existsSync(path) || existsSync(`${path}.part`);
  await rm(path, { force: true });
  await rm(`${path}.part`, { force: true });
  return had;
}

function hashFile(path: string, algo: 'sha1' | 'sha256'): Promise<string> {
  return new Promise((res, rej) => {
    const h = createHash(algo);
    createReadStream(path)
      .on('data', (c) => h.update(c))
      .on('error', rej)
      .on('end', () => res(h.digest('hex')));
  });
}
