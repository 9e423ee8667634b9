/**
 * Health checks: what stands between this install and its next subtitle,
 * computed from the real state each time (files, processes, database rows,
 * settings), each with what is wrong, the one thing that fixes it, and the
 * UI page where that is done. The UI shows error-level checks as a banner on
 * every page and all of them on System → Health.
 */
import type { ToolPaths } from '../config.js';
import { constants } from 'node:fs';
import { access, stat, statfs } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Db } from '../db/database.js';
import type { WorkerRow } from '../db/schema.js';
import { pingDatabase } from '../db/database.js';
import { statusCounts } from '../jobs/jobs.repository.js';
import { findLanguage } from '../languages.js';
import { ffmpegPaths, isWhisperBuilt, isTranslationConfigured, pipelineOptionsFromSettings, resolveAllPresets, QUALITY_PRESETS } from '../transcription/index.js';
import { isLoopbackAddress, separateProviderKey } from '../security/request-guard.js';
import type { ScanRule } from '../rules/rules.service.js';
import { ruleNeedsTranslation } from '../rules/rules-explain.js';
import { DISK_FULL_BYTES, freeBytes, freeSpaceFix, type DiskFullEvent } from './disk-full.js';
import { storedSettings } from '../settings/settings.health.js';
import { legacyModelFolder } from './health-models.js';

type HealthLevel = 'error' | 'warning' | 'info';

export interface HealthCheck {
  id: string;
  level: HealthLevel;
  message: string;
  fix: string;
  /** the UI page that fixes it (a hash route), or null */
  link: string | null;
}

interface HealthDeps {
  db: Db;
  settings: { get(key: string): unknown; getString(key: string): string; getBoolean(key: string): boolean; getList(key: string): string[]; getNumber(key: string): number };
  dataDir: string;
  /** the address the server listens on (the value in force) */
  listenHost: string;
  rules(): Promise<ScanRule[]>;
  /** the worker rows of every node (the Workers service's) */
  workerRows(): Promise<WorkerRow[]>;
  /** workers whose heartbeat is older than this are not counted as running */
  liveWindowMs?: number;
  /** the last full disk a request of this server met, while it stands (DiskFullRecord.current) */
  diskFull?: () => Promise<DiskFullEvent | null>;
  /** Config.tools: the whisper.cpp builds, ffmpeg and ffprobe */
  tools?: Pick<ToolPaths, 'whisperDir' | 'ffmpeg' | 'ffprobe'>;
}

/** Free space below which a disk is reported (a 2-hour film's subtitles are tiny, but models and uploads are not). */
const LOW_DISK_BYTES = 1024 ** 3;

type Check = (d: HealthDeps) => Promise<HealthCheck[]>;

const one = (c: HealthCheck | null | false | undefined): HealthCheck[] => (c ? [c] : []);

const database: Check = async (d) =>
  one(!(await pingDatabase(d.db)) && { id: 'database_unreachable', level: 'error', message: 'The database does not answer.', fix: 'Check that the database server is running and that DATABASE_URL points at it, then restart TranscriptorIO.', link: null });

const models: Check = async (d) => {
  const get = (k: string) => d.settings.get(k);
  const all = resolveAllPresets(get);
  const out: HealthCheck[] = [];
  const seen = new Set<string>();
  for (const preset of QUALITY_PRESETS) {
    const r = all[preset];
    if (r.engine.kind !== 'local' || r.modelInstalled || seen.has(r.modelName)) continue;
    seen.add(r.modelName);
    const users = QUALITY_PRESETS.filter((p) => all[p].modelName === r.modelName).join(', ');
    const auto = d.settings.getBoolean('model_auto_download');
    // An error either way: offline, the automatic download fails too, and jobs with it.
    out.push({
      id: `model_missing:${r.modelName}`,
      level: 'error',
      message: auto
        ? `No model is installed for the ${users} preset${users.includes(',') ? 's' : ''}: ${r.modelName} is missing. The first job will try to download it, and fails if this machine has no internet.`
        : `No model is installed for the ${users} preset${users.includes(',') ? 's' : ''}: ${r.modelName} is missing${r.modelPath ? ` (${r.modelPath})` : ''}, so every job would fail.`,
      fix: `Download ${r.modelName} on the Models page, or copy its ggml file into ${resolve(r.modelDir)}.`,
      link: '#/models',
    });
  }
  return out;
};

const engine: Check = async (d) => {
  const local = resolveAllPresets((k) => d.settings.get(k)).balanced.engine.kind === 'local';
  return one(local && !isWhisperBuilt('cpu', d.tools?.whisperDir) && {
    id: 'engine_not_built',
    level: 'error',
    message: 'The whisper.cpp engine is not built on this machine, so no transcription can run.',
    fix: 'Install TranscriptorIO again with a C++ toolchain and CMake present (the engine is compiled during installation).',
    link: null,
  });
};

const ffmpeg: Check = async (d) => {
  try {
    ffmpegPaths(d.tools);
    return [];
  } catch (e) {
    return [{ id: 'ffmpeg_missing', level: 'error', message: `ffmpeg or ffprobe cannot be run: ${(e as Error).message}`, fix: 'Install ffmpeg (it includes ffprobe) with your system’s package manager, then restart TranscriptorIO.', link: null }];
  }
};

const workers: Check = async (d) => {
  const [counts, rows] = await Promise.all([statusCounts(d.db), d.workerRows()]);
  const window = d.liveWindowMs ?? 60_000;
  const live = rows.filter((w) => (w.status === 'idle' || w.status === 'busy') && Date.now() - Number(w.last_heartbeat_ms ?? 0) < window);
  const out: HealthCheck[] = [];
  const queued = counts.queued ?? 0;
  if (queued > 0 && live.length === 0) {
    out.push({ id: 'no_workers', level: 'error', message: `${queued} ${queued === 1 ? 'job waits' : 'jobs wait'} and no worker is running, so nothing is being transcribed.`, fix: 'Add a CPU or GPU worker on the Workers page.', link: '#/workers' });
  }
  for (const w of rows.filter((r) => r.status === 'error')) {
    out.push({ id: `worker_error:${w.worker_id}`, level: 'error', message: `${w.worker_type === 'gpu' ? 'GPU' : 'CPU'} worker ${w.worker_id}${w.node ? ` on ${w.node}` : ''} is in error: ${w.error ?? 'no reason given'}.`, fix: 'Fix the cause shown, then remove the worker and add it again on the Workers page.', link: '#/workers' });
  }
  return out;
};

const libraries: Check = async (d) => {
  const out: HealthCheck[] = [];
  for (const p of d.settings.getList('library_paths')) {
    if (!isAbsolute(p)) continue;
    try {
      if (!(await stat(p)).isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
      await access(p, constants.R_OK | constants.X_OK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'does not exist (an unmounted disk or share?)' : code === 'ENOTDIR' ? 'is not a folder' : 'cannot be read by the service user';
      out.push({ id: `library_unavailable:${p}`, level: 'error', message: `The library folder ${p} ${why}, so it cannot be scanned.`, fix: code === 'ENOENT' ? 'Mount the disk or share, or correct the folder in Settings → Library and scanning (Library folders).' : 'Give the service user read access to the folder, or correct it in Settings → Library and scanning.', link: '#/settings/library_paths' });
    }
  }
  return out;
};

const translation: Check = async (d) => {
  if (isTranslationConfigured(pipelineOptionsFromSettings((k) => d.settings.get(k)).translation)) return [];
  return (await d.rules())
    .filter((r) => r.enabled && ruleNeedsTranslation(r))
    .map((r) => {
      const target = findLanguage(r.action.target_language)?.name ?? r.action.target_language;
      return {
        id: `rule_needs_translation:${r.id}`,
        level: 'error' as const,
        message: `The rule "${r.name}" makes ${target} subtitles from audio in another language: that needs a translation provider, and none is set up, so its jobs would fail.`,
        fix: 'Set up a translation provider in Settings → Languages and translation, or change the rule’s target to English (Whisper translates to English by itself).',
        link: '#/settings/translation_provider',
      };
    });
};

const disks: Check = async (d) => {
  const places = [
    { what: 'the data folder', path: d.dataDir },
    ...d.settings.getList('library_paths').filter((p) => isAbsolute(p)).map((p) => ({ what: `the library folder ${p}`, path: p })),
  ];
  const out: HealthCheck[] = [];
  // The data folder holds the database (SQLite), uploads and logs: full, nothing can be queued or recorded.
  const dataFree = await freeBytes(d.dataDir);
  const met = (await d.diskFull?.()) ?? null;
  const dataFull = (dataFree !== null && dataFree < DISK_FULL_BYTES) || met !== null;
  if (dataFull) {
    const dir = resolve(d.dataDir);
    out.push({
      id: `disk_full:${d.dataDir}`,
      level: 'error',
      message: met
        ? `${met.problem} Jobs cannot be queued nor finished until there is room.`
        : `The disk holding the data folder ${dir} is full (${((dataFree ?? 0) / 1024 ** 2).toFixed(1)} MB free): jobs cannot be queued nor finished, uploads are refused.`,
      fix: met?.fix ?? freeSpaceFix(dir),
      link: null,
    });
  }
  for (const p of places) {
    // The data folder's disk is reported as full above, not also as low.
    if (p.path === d.dataDir && dataFull) continue;
    try {
      const s = await statfs(resolve(p.path));
      const free = Number(s.bavail) * Number(s.bsize);
      if (free < LOW_DISK_BYTES) {
        out.push({ id: `low_disk:${p.path}`, level: 'warning', message: `The disk of ${p.what} has only ${(free / 1024 ** 2).toFixed(0)} MB free: subtitles, models and uploads may fail to be written.`, fix: 'Free some space on that disk.', link: null });
      }
    } catch {
      /* a missing folder is reported by its own check */
    }
  }
  return out;
};

const exposure: Check = async (d) => {
  const host = d.listenHost.trim();
  const loopback = host === 'localhost' || isLoopbackAddress(host);
  return one(!d.settings.getBoolean('auth_enabled') && !loopback && {
    id: 'auth_off_on_network',
    level: 'warning',
    message: `The API key is turned off while the server listens on ${host === '0.0.0.0' || host === '::' ? 'every network interface' : host}: anyone on the network can change settings and read the library.`,
    fix: 'Turn on “Require the API key” in Settings → Server and security.',
    link: '#/settings/auth_enabled',
  });
};

/**
 * The provider URL Bazarr was given carries the API key: older versions of
 * the setup wizard used it as the provider key. Bazarr shows that URL in its
 * settings and writes it to its log, and the API key opens everything here.
 * The Health page's button makes a separate provider key (POST
 * /api/setup/provider-key), moving Bazarr's endpoint along when Bazarr is
 * connected.
 */
const providerKey: Check = async (d) => {
  const provider = d.settings.getBoolean('bazarr_provider_enabled') || d.settings.getString('operation_mode').includes('provider');
  return one(provider && separateProviderKey(d.settings) === null && {
    id: 'provider_key_is_api_key',
    level: 'warning',
    message: 'Bazarr’s provider URL (/provider/<key>) carries this server’s API key. Bazarr shows that URL in its settings and writes it to its log, and the API key opens everything here: settings, the library, jobs.',
    fix: d.settings.getString('bazarr_url').trim() && d.settings.getString('bazarr_sync_api_key').trim()
      ? 'Make a separate provider key: it opens only the provider routes, and Bazarr’s endpoint is updated in the same step.'
      : 'Make a separate provider key: it opens only the provider routes. Then paste the new provider URL into Bazarr’s Whisper provider (Endpoint), or connect Bazarr (bazarr_url and its API key) first so it is updated for you.',
    link: null,
  });
};

const CHECKS: Check[] = [database, engine, ffmpeg, models, legacyModelFolder, workers, libraries, translation, disks, exposure, providerKey, storedSettings];

const ORDER: Record<HealthLevel, number> = { error: 0, warning: 1, info: 2 };

/** Every check, errors first; a check that itself fails is reported rather than hiding the others. */
export async function runHealthChecks(d: HealthDeps): Promise<HealthCheck[]> {
  const results = await Promise.all(
    CHECKS.map((c) =>
      c(d).catch((e: unknown): HealthCheck[] => [{ id: `check_failed:${c.name}`, level: 'warning', message: `The ${c.name} check could not run: ${(e as Error).message}`, fix: 'See the server log for details.', link: null }]),
    ),
  );
  return results.flat().sort((a, b) => ORDER[a.level] - ORDER[b.level]);
}
