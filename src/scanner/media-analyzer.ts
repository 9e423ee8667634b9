/**
 * What a media file holds: the probe's view (cached by path, size and mtime
 * in the probe_cache table, so an unchanged file is never probed twice) plus
 * the external subtitles found beside it. New files are probed in process
 * with MediaInfo; ffprobe answers for what MediaInfo cannot (and for all
 * files when `probeTool` says so). Both give the same ProbeResult.
 */
import { stat } from 'node:fs/promises';
import { basename, dirname, isAbsolute } from 'node:path';
import pLimit from 'p-limit';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { AppError, badRequest, notFound } from '../errors.js';
import { externalSubtitlesFor, readFolderListing, type ExternalSubtitle } from './external-subtitles.js';
import { ProbeAborted, ProbeError, type ProbeResult } from './ffprobe.js';
import { probeMedia } from './media-probe.js';
import { isMediaContent } from './media-sniff.js';
import { MediaInfoProber } from './mediainfo-probe.js';
import { errText, isMediaName, type MediaCandidate } from './library-walker.js';
import { loadProbeCache, saveProbeCache, type ProbeCacheRow } from './scanner.repository.js';

export interface MediaAnalysis extends ProbeResult {
  file_path: string;
  external_subtitles: ExternalSubtitle[];
}

export type AnalysisOutcome = { candidate: MediaCandidate; analysis: MediaAnalysis; probed: boolean } | { candidate: MediaCandidate; error: string; probed: boolean };

// Bumped when ProbeResult changes shape: older cache rows are then probed again.
const CACHE_VERSION = 1;
type CachedProbe = { v: number; ok: ProbeResult } | { v: number; error: string };

interface AnalyzerOptions {
  concurrency(): number;
  timeoutMs(): number;
  tag(): string | null;
  mediaExtensions(): ReadonlySet<string>;
  /** Config.tools.ffprobe (FFPROBE_PATH); null or absent: the system one, else the npm-installed one */
  ffprobe?: string | null;
  /** `ffprobe`: every file through ffprobe, as before MediaInfo; absent or `auto`: MediaInfo first */
  probeTool?(): ProbeTool;
  /** hears why a file went to ffprobe after MediaInfo (debug), and once that MediaInfo cannot be loaded at all (warn) */
  log?: Pick<Logger, 'debug' | 'warn'>;
}

export type ProbeTool = 'auto' | 'ffprobe';

// Each MediaInfo instance holds its own WebAssembly memory; more than this adds memory, not speed.
const MAX_IN_PROCESS = 4;

export class MediaAnalyzer {
  private readonly inProcess: MediaInfoProber;
  private warnedUnavailable = false;

  constructor(
    private readonly db: Db,
    private readonly opts: AnalyzerOptions,
  ) {
    this.inProcess = new MediaInfoProber(() => Math.min(MAX_IN_PROCESS, Math.max(1, opts.concurrency())));
  }

  /** One file, for POST /api/scanner/analyze: validates the path, then uses the cache like a scan. */
  async analyzePath(filePath: string): Promise<MediaAnalysis> {
    const outcome = await this.analyzeOnePath(filePath);
    if ('error' in outcome) throw new AppError(400, 'unreadable_media', `Cannot analyze ${filePath}: ${outcome.error}`);
    return outcome.analysis;
  }

  /** Like analyzePath, but an unreadable file is an outcome rather than an error (the watcher wants both). */
  async analyzeOnePath(filePath: string): Promise<AnalysisOutcome> {
    const candidate = await this.candidateFor(filePath);
    const [outcome] = await this.analyzeBatch([candidate]);
    return outcome;
  }

  async candidateFor(filePath: string): Promise<MediaCandidate> {
    if (!filePath?.trim()) throw badRequest('file_path must not be empty', 'bad_path');
    if (!isAbsolute(filePath)) throw badRequest(`file_path must be an absolute path, got "${filePath}"`, 'relative_path');
    let st;
    try {
      st = await stat(filePath);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT' || (e as NodeJS.ErrnoException).code === 'ENOTDIR') throw notFound(`File ${filePath}`);
      throw badRequest(`Cannot read ${filePath}: ${errText(e)}`, 'unreadable_path');
    }
    if (!st.isFile()) throw badRequest(`Path is not a file: ${filePath}`, 'not_a_file');
    if (!(await isMediaContent(filePath))) {
      throw new AppError(400, 'unreadable_media', `Cannot analyze ${filePath}: not a media file (its name ends like an MPEG transport stream, but it holds something else, such as TypeScript source)`);
    }
    const dir = dirname(filePath);
    const folder = await readFolderListing(dir);
    const exts = this.opts.mediaExtensions();
    const siblings = folder.entries.filter((e) => !e.isDirectory() && isMediaName(e.name, exts)).map((e) => e.name);
    const name = basename(filePath);
    if (!siblings.includes(name)) siblings.push(name);
    return { path: filePath, name, size: st.size, mtime_ms: Math.floor(st.mtimeMs), folder, siblings };
  }

  /**
   * Analyses candidates: cache rows are loaded in one query, missing or
   * stale ones are probed in parallel (scanner_probe_concurrency) and saved
   * in one transaction. Unreadable files are outcomes, not exceptions.
   * Once `signal` aborts, no probe starts, running ones are killed, and the
   * files not done are left out of the answer (and of the cache).
   */
  async analyzeBatch(candidates: MediaCandidate[], onDone?: (o: AnalysisOutcome) => void, signal?: AbortSignal): Promise<AnalysisOutcome[]> {
    const cache = await loadProbeCache(this.db, candidates.map((c) => c.path));
    const limit = pLimit(Math.max(1, this.opts.concurrency()));
    const timeout = this.opts.timeoutMs();
    const tag = this.opts.tag();
    const fresh: ProbeCacheRow[] = [];
    const outcomes = await Promise.all(
      candidates.map(async (c): Promise<AnalysisOutcome | null> => {
        let cached = parseCached(cache.get(c.path), c);
        let probed = false;
        // An empty file is usually a copy that has not started: no need to ask ffprobe.
        if (!cached && c.size === 0) cached = { v: CACHE_VERSION, error: 'empty file (0 bytes)' };
        if (!cached) {
          probed = true;
          const probe = await limit(async (): Promise<CachedProbe | null> => {
            try {
              return { v: CACHE_VERSION, ok: await this.probe(c.path, timeout, signal) };
            } catch (e) {
              if (e instanceof ProbeAborted) return null;
              return { v: CACHE_VERSION, error: e instanceof ProbeError ? e.message : errText(e) };
            }
          });
          if (!probe) return null;
          cached = probe;
          // A file that vanished between walk and probe says nothing about the next one at this path.
          if (!('error' in cached && /No such file/i.test(cached.error))) {
            fresh.push({ path: c.path, size: c.size, mtime_ms: c.mtime_ms, probed_at: new Date().toISOString(), result: JSON.stringify(cached) });
          } else {
            cached = { v: CACHE_VERSION, error: 'file vanished during the scan' };
          }
        }
        const outcome: AnalysisOutcome =
          'error' in cached
            ? { candidate: c, error: cached.error, probed }
            : { candidate: c, probed, analysis: { file_path: c.path, ...cached.ok, external_subtitles: externalSubtitlesFor(c.name, c.folder, c.siblings, tag) } };
        onDone?.(outcome);
        return outcome;
      }),
    );
    await saveProbeCache(this.db, fresh);
    return outcomes.filter((o): o is AnalysisOutcome => o !== null);
  }

  private async probe(path: string, timeoutMs: number, signal?: AbortSignal): Promise<ProbeResult> {
    const inProcess = (this.opts.probeTool?.() ?? 'auto') === 'ffprobe' ? null : this.inProcess;
    const answer = await probeMedia(path, { inProcess, timeoutMs, signal, ffprobe: this.opts.ffprobe ?? null });
    if (answer.fallback) this.opts.log?.debug({ path, reason: answer.fallback }, 'probed with ffprobe: MediaInfo could not vouch for its answer');
    const unavailable = this.inProcess.unavailableReason();
    if (unavailable && !this.warnedUnavailable) {
      this.warnedUnavailable = true;
      this.opts.log?.warn(`${unavailable}; every new file is probed with ffprobe (slower first scans)`);
    }
    return answer.result;
  }
}

function parseCached(row: ProbeCacheRow | undefined, c: MediaCandidate): CachedProbe | null {
  if (!row || row.size !== c.size || row.mtime_ms !== c.mtime_ms) return null;
  try {
    const v = JSON.parse(row.result) as CachedProbe;
    return v.v === CACHE_VERSION ? v : null;
  } catch {
    return null;
  }
}
