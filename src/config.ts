/**
 * Process configuration from the environment and CLI flags, parsed once into a
 * frozen object. Everything a user edits at run time lives in the settings
 * table instead; this holds only what is needed before the database opens.
 */
import { hostname } from 'node:os';
import { resolve, join } from 'node:path';
import { DEFAULT_WHISPER_DIR } from './paths.js';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  readonly databaseUrl: string;
  readonly databaseKind: 'sqlite' | 'postgres';
  readonly dataDir: string;
  readonly host: string;
  readonly port: number;
  /**
   * Where host and port came from: a flag, an environment variable, or
   * neither (`default`), in which case the api_host / api_port settings say
   * where the server listens.
   */
  readonly listenSource: { readonly host: ListenSource; readonly port: ListenSource };
  readonly logLevel: LogLevel;
  /**
   * This machine's name in the worker list and in provider job affinity:
   * TRANSCRIPTORIO_NODE_NAME (or its older alias TRANSCRIPTORIO_NODE), else
   * the host name. Worker processes get it through their spec.
   */
  readonly nodeName: string;
  /**
   * Test-only: modules whose default export is a `Record<string, JobHandler>`
   * of extra job types for the worker processes (TRANSCRIPTORIO_EXTRA_HANDLERS,
   * comma-separated paths). Empty in production.
   */
  readonly extraHandlers: readonly string[];
  /** The programs and download mirror the service uses (each from its environment variable, else its default). */
  readonly tools: ToolPaths;
}

/**
 * Where the external programs are, read from the environment once (here)
 * and passed to what runs them; worker processes get them in their spec.
 */
export interface ToolPaths {
  /** FFMPEG_PATH: an ffmpeg binary tried first; null: the system ffmpeg, else the npm-installed one */
  readonly ffmpeg: string | null;
  /** FFPROBE_PATH: an ffprobe binary tried first (media analysis and the pipeline); null: the system one, else the npm-installed one */
  readonly ffprobe: string | null;
  /** NVIDIA_SMI: the nvidia-smi binary (a container's own path, or a stand-in); default `nvidia-smi` */
  readonly nvidiaSmi: string;
  /** TRANSCRIPTORIO_WHISPER_DIR: where scripts/build-whisper.mjs put the whisper.cpp builds; default vendor/whisper in the package */
  readonly whisperDir: string;
  /** TRANSCRIPTORIO_MODEL_BASE_URL: where catalogue models download from, over the model_download_base_url setting (a mirror, tests); null: none */
  readonly modelBaseUrl: string | null;
  /** TRANSCRIPTORIO_MODEL_PATH: the CLI's model folder when --model-dir / --dir is not given; null: the instance's model folder (model_path; by default DATA_DIR/models, transcription/models.ts modelFolder) */
  readonly modelPath: string | null;
}

type ListenSource = 'flag' | 'env' | 'default';

export class ConfigError extends Error {}

interface ConfigOverrides {
  databaseUrl?: string;
  dataDir?: string;
  host?: string;
  port?: number | string;
  logLevel?: string;
  nodeName?: string;
}

function parsePort(raw: string | number | undefined, fallback: number): number {
  if (raw === undefined || raw === '') return fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) {
    throw new ConfigError(`PORT must be an integer between 0 and 65535, got "${raw}"`);
  }
  return n;
}

export function databaseKindOf(url: string): 'sqlite' | 'postgres' {
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^sqlite:/i.test(url) || !/^[a-z][a-z0-9+.-]*:\/\//i.test(url)) return 'sqlite';
  throw new ConfigError(
    `DATABASE_URL "${url.replace(/\/\/[^@]*@/, '//***@')}" is not supported: use sqlite:<file> or postgres://user@host:port/db`,
  );
}

/** Path of the SQLite file named by a sqlite: URL (or a bare path). */
export function sqlitePathOf(url: string): string {
  const path = url.replace(/^sqlite:(\/\/)?/i, '');
  return path === ':memory:' ? path : resolve(path);
}

/** The tool paths of an environment (an empty variable counts as unset). */
export function toolPathsFromEnv(rawEnv: NodeJS.ProcessEnv): ToolPaths {
  const v = (name: string): string | null => {
    const x = rawEnv[name];
    return x === undefined || x === '' ? null : x;
  };
  return Object.freeze({
    ffmpeg: v('FFMPEG_PATH'),
    ffprobe: v('FFPROBE_PATH'),
    nvidiaSmi: v('NVIDIA_SMI') ?? 'nvidia-smi',
    whisperDir: v('TRANSCRIPTORIO_WHISPER_DIR') ?? DEFAULT_WHISPER_DIR,
    modelBaseUrl: v('TRANSCRIPTORIO_MODEL_BASE_URL'),
    modelPath: v('TRANSCRIPTORIO_MODEL_PATH'),
  });
}

export function loadConfig(overrides: ConfigOverrides = {}, rawEnv: NodeJS.ProcessEnv = process.env): Config {
  // An empty variable (`LOG_LEVEL=`) means unset, as in most shells' config files.
  const env = Object.fromEntries(Object.entries(rawEnv).filter(([, v]) => v !== undefined && v !== '')) as NodeJS.ProcessEnv;
  const dataDir = resolve(overrides.dataDir ?? env.DATA_DIR ?? './data');
  const databaseUrl = overrides.databaseUrl ?? env.DATABASE_URL ?? `sqlite:${join(dataDir, 'transcriptorio.db')}`;
  const logLevel = (overrides.logLevel ?? env.LOG_LEVEL ?? 'info').toLowerCase();
  if (!LOG_LEVELS.includes(logLevel as LogLevel)) {
    throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);
  }
  const host = overrides.host ?? env.HOST ?? '0.0.0.0';
  if (!host.trim()) throw new ConfigError('HOST must not be empty');
  const nodeName = overrides.nodeName?.trim() || env.TRANSCRIPTORIO_NODE_NAME?.trim() || env.TRANSCRIPTORIO_NODE?.trim() || hostname();
  const extraHandlers = (env.TRANSCRIPTORIO_EXTRA_HANDLERS ?? '').split(',').map((m) => m.trim()).filter(Boolean).map((m) => resolve(m));
  const source = (flag: unknown, envValue: unknown): ListenSource => (flag !== undefined && flag !== '' ? 'flag' : envValue !== undefined ? 'env' : 'default');
  return Object.freeze({
    databaseUrl,
    databaseKind: databaseKindOf(databaseUrl),
    dataDir,
    host,
    port: parsePort(overrides.port ?? env.PORT, 8000),
    listenSource: Object.freeze({ host: source(overrides.host, env.HOST), port: source(overrides.port, env.PORT) }),
    logLevel: logLevel as LogLevel,
    nodeName,
    extraHandlers: Object.freeze(extraHandlers),
    tools: toolPathsFromEnv(env),
  });
}
