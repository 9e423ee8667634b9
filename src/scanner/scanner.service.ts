/**
 * Library scans: walk the folders, analyse files in batches (probe cache
 * loaded and live jobs checked once per batch), decide per file with the
 * rules engine, create jobs, report progress. One scan at a time: in this
 * process by a flag, across processes (server and `transcriptorio scan`) by a
 * lease row in app_state (scan-lease.ts). Every scan is a run with an id that
 * can be followed and cancelled (scan-runs.ts).
 */
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { AppError, badRequest, conflict } from '../errors.js';
import type { EventHub } from '../events/event-hub.js';
import { liveJobPaths, noSpeechJobs } from '../jobs/jobs.repository.js';
import type { JobsService } from '../jobs/jobs.service.js';
import type { ScanRulesService } from '../rules/rules.service.js';
import type { SettingsService } from '../settings/settings.service.js';
import { errText, parseExtensions, walkLibrary, type MediaCandidate, type WalkIssue } from './library-walker.js';
import { MediaAnalyzer, type AnalysisOutcome, type ProbeTool } from './media-analyzer.js';
import { evaluateFile, languageList, type Decision, type SkipSettings } from './rules-engine.js';
import { confineMediaPath } from '../security/media-roots.js';
import { acquireLease, type Lease } from './scan-lease.js';
import { ScanRuns, type ScanProgress, type ScanRun } from './scan-runs.js';
import * as repo from './scanner.repository.js';
import { existingFolders } from './library-folders.js';
import { isGeneratedSubtitle as isUneditedOutput } from '../transcription/subtitle-files.js';

export type { ScanProgress } from './scan-runs.js';

interface ScanRequest {
  paths?: string[];
  recursive?: boolean;
  dryRun?: boolean;
  trigger?: 'manual' | 'scheduled' | 'cli';
  /** paths come from an API request: they must lie inside the library folders (403 outside_library) */
  guardPaths?: boolean;
}

export interface ScanResult {
  scanned_files: number;
  matched_files: number;
  jobs_created: number;
  skipped_files: number;
  paths_scanned: string[];
  errors: number;
  error_files: WalkIssue[];
  ignored_files: number;
  probed_files: number;
  duration_seconds: number;
  dry_run: boolean;
  started_at: string;
  finished_at: string;
  /** the scan was cancelled: the counts cover the files handled until then */
  cancelled: boolean;
  decisions?: PublicDecision[];
}

type PublicDecision = Omit<Decision, 'plan'>;

/**
 * The marker that keeps one file out (`Movie.mkv.notranscribe` beside
 * `Movie.mkv`, for the `.notranscribe` marker); a marker in a folder keeps
 * the whole folder out of the walk instead.
 */
function fileMarker(c: MediaCandidate, marker: string): string | null {
  if (!marker) return null;
  const name = `${c.name}${marker.startsWith('.') ? '' : '.'}${marker}`;
  return c.folder.names.has(name) ? name : null;
}

/** How decideAndQueue treats files outside a scan (webhooks, play events, Bazarr sync); every field is optional. */
interface DecideOptions {
  /** the media's original language (Sonarr/Radarr): picks the audio track, read by audio_is_original_language */
  originalLanguage?: string | null;
  /** files that replace an earlier copy: our own unedited subtitles of them are made again */
  redoPaths?: ReadonlySet<string>;
  /** merged into the options of each job created (who asked for it, and why) */
  jobOptions?: Record<string, unknown>;
  /** the priority of each job created instead of the rule's */
  priority?: number;
}

interface ProcessOptions extends Omit<DecideOptions, 'redoPaths'> {
  /** the rules to decide with instead of the enabled scan rules (a webhook's implicit default rule) */
  rules?: Awaited<ReturnType<ScanRulesService['list']>>;
  /** the files replace earlier copies (Sonarr/Radarr isUpgrade) */
  upgrade?: boolean;
  /** a file whose size or mtime differ from its last analysis counts as an upgrade too */
  upgradeIfChanged?: boolean;
  /** decide without creating jobs */
  dryRun?: boolean;
}

/**
 * Told about every file a scan or the watcher analysed, and about every walk
 * that finished (the library index keeps itself current from these). A
 * failing observer is logged; it never stops a scan.
 */
export interface ScanObserver {
  analysed(outcomes: AnalysisOutcome[]): Promise<void>;
  /** `complete`: the walk was not cancelled, so a file of `roots` not in `found` is not there */
  walked(w: { roots: string[]; recursive: boolean; found: string[]; complete: boolean }): Promise<void>;
}

interface ScannerDeps {
  db: Db;
  settings: SettingsService;
  jobs: JobsService;
  rules: ScanRulesService;
  events: EventHub;
  log: Logger;
  /** Config.tools.ffprobe (FFPROBE_PATH) */
  ffprobe?: string | null;
  /** `ffprobe`: probe every new file with ffprobe instead of MediaInfo first (a fallback for a MediaInfo misreading) */
  probeTool?: ProbeTool;
}

const BATCH = 500;
// After a cancel, jobs are still created for files already analysed, but only this long: a cancel answers within 2 s.
const CANCEL_GRACE_MS = 1000;
export const STATE_KEYS = { lastScanTime: 'scanner.last_scan_time', totalScans: 'scanner.total_scans', nextScanTime: 'scanner.next_scan_time', lastResult: 'scanner.last_result' };

export class ScannerService {
  readonly analyzer: MediaAnalyzer;
  readonly runs = new ScanRuns<ScanResult>();
  private running: { scanId: string | null; progress: ScanProgress; startedAt: string } | null = null;
  private lastDecisions: PublicDecision[] = [];
  private observer: ScanObserver | null = null;

  constructor(private readonly deps: ScannerDeps) {
    const s = deps.settings;
    this.analyzer = new MediaAnalyzer(deps.db, {
      concurrency: () => s.getNumber('scanner_probe_concurrency') || 4,
      timeoutMs: () => (s.getNumber('scanner_probe_timeout_seconds') || 30) * 1000,
      tag: () => s.getString('subtitle_tag') || null,
      mediaExtensions: () => this.mediaExtensions(),
      ffprobe: deps.ffprobe ?? null,
      // The deps' choice (benchmarks, tests) wins over the setting.
      probeTool: () => deps.probeTool ?? (s.getString('scanner_probe_tool') === 'ffprobe' ? 'ffprobe' : 'auto'),
      log: deps.log,
    });
  }

  mediaExtensions(): Set<string> {
    return parseExtensions(this.deps.settings.getList('scanner_media_extensions'));
  }

  skipSettings(): SkipSettings {
    const s = this.deps.settings;
    return {
      skipIfExternalSubtitlesExist: s.getBoolean('skip_if_external_subtitles_exist'),
      skipIfTargetSubtitlesExist: s.getBoolean('skip_if_target_subtitles_exist'),
      skipIfInternalSubtitlesLanguage: languageList(s.getString('skip_if_internal_subtitles_language')),
      skipSubtitleLanguages: languageList(s.getList('skip_subtitle_languages')),
      skipIfAudioLanguages: languageList(s.getList('skip_if_audio_languages')),
      skipUnknownLanguage: s.getBoolean('skip_unknown_language'),
      skipOnlySubgenSubtitles: s.getBoolean('skip_only_subgen_subtitles'),
      skipForcedSubtitles: s.getBoolean('skip_forced_subtitles'),
    };
  }

  /** The library index registers here (the composition root). */
  observe(observer: ScanObserver | null): void {
    this.observer = observer;
  }

  private async tell(what: string, fn: (o: ScanObserver) => Promise<void>): Promise<void> {
    if (!this.observer) return;
    try {
      await fn(this.observer);
    } catch (e) {
      this.deps.log.warn({ err: e }, `library index not updated (${what})`);
    }
  }

  isScanning(): boolean {
    return this.running !== null;
  }

  currentProgress(): (ScanProgress & { scan_id: string }) | null {
    return this.running?.scanId ? { scan_id: this.running.scanId, ...this.running.progress } : null;
  }

  lastScanDecisions(): PublicDecision[] {
    return this.lastDecisions;
  }

  /** The folders a request names (absolute, existing), or the library_paths setting. */
  async resolvePaths(paths: string[] | undefined, guard = false): Promise<{ paths: string[]; fromSettings: boolean }> {
    if (paths && paths.length) {
      const settings = this.deps.settings;
      return { paths: await existingFolders(paths, async (p) => (guard ? confineMediaPath(settings, p) : undefined)), fromSettings: false };
    }
    const configured = this.deps.settings.getList('library_paths').map((p) => p.trim()).filter(Boolean);
    if (!configured.length) throw badRequest('No library paths configured', 'no_library_paths');
    return { paths: configured.map((p) => (isAbsolute(p) ? resolve(p) : p)), fromSettings: true };
  }

  /** Runs a scan to its end (scheduler, CLI, `POST /scan`); see start() for the errors. */
  async scan(req: ScanRequest = {}, onProgress?: (p: ScanProgress) => void): Promise<ScanResult> {
    return (await this.start(req, onProgress)).done;
  }

  /**
   * Starts a scan and answers once it runs: bad paths (400/403/404) and a
   * scan already running (409) are thrown here, not in `done`.
   */
  async start(req: ScanRequest = {}, onProgress?: (p: ScanProgress) => void): Promise<{ scan_id: string; done: Promise<ScanResult> }> {
    if (this.running) throw this.busyError();
    const { paths } = await this.resolvePaths(req.paths, req.guardPaths);
    if (this.running) throw this.busyError();
    const startedAt = new Date();
    const progress: ScanProgress = { scanned_files: 0, total_files: 0, current_path: null, jobs_created: 0, skipped_files: 0 };
    this.running = { scanId: null, startedAt: startedAt.toISOString(), progress };
    let lease: Lease;
    try {
      lease = await acquireLease(this.deps.db);
    } catch (e) {
      this.running = null;
      throw e;
    }
    const trigger = req.trigger ?? 'manual';
    const { scan_id, signal } = this.runs.begin({ trigger, dry_run: !!req.dryRun, paths, progress, started_at: startedAt.toISOString() });
    this.running.scanId = scan_id;
    const done = this.execute(scan_id, signal, lease, paths, req, startedAt, onProgress);
    return { scan_id, done };
  }

  /** Cancels a run of this process and waits (up to 5 s) for it to stop; null for an unknown id. */
  cancel(scanId: string): Promise<ScanRun<ScanResult> | null> {
    return this.runs.cancel(scanId, 5000);
  }

  private async execute(scanId: string, signal: AbortSignal, lease: Lease, paths: string[], req: ScanRequest, startedAt: Date, onProgress?: (p: ScanProgress) => void): Promise<ScanResult> {
    let outcome: { result: ScanResult } | { error: unknown };
    try {
      const result = await this.runScan(scanId, signal, paths, req, startedAt, onProgress);
      if (!req.dryRun) await this.recordScan(result);
      const { decisions, ...summary } = result;
      this.deps.events.publish('scan.completed', { ...summary, scan_id: scanId, trigger: req.trigger ?? 'manual' });
      // A real scan lists its per-file outcomes too (with the ids of the jobs it made), up to the same bound as the last decisions.
      outcome = { result: req.dryRun ? result : { ...summary, decisions: this.lastDecisions } };
    } catch (e) {
      this.deps.log.error({ err: e, scan_id: scanId }, 'scan failed');
      outcome = { error: e };
    }
    // Free the scanner before the run reads as finished: whoever sees "cancelled" may start the next scan at once.
    this.running = null;
    await lease.release();
    if ('error' in outcome) {
      this.runs.finish(scanId, 'failed', null, outcome.error instanceof Error ? outcome.error.message : String(outcome.error));
      throw outcome.error;
    }
    this.runs.finish(scanId, outcome.result.cancelled ? 'cancelled' : 'completed', outcome.result);
    return outcome.result;
  }

  private busyError(): AppError {
    const p = this.running?.progress;
    return conflict(`A scan is already running (${p?.scanned_files ?? 0} of ${p?.total_files ?? 0} files done); try again when it has finished`, 'scan_running');
  }

  private async runScan(scanId: string, signal: AbortSignal, paths: string[], req: ScanRequest, startedAt: Date, onProgress?: (p: ScanProgress) => void): Promise<ScanResult & { decisions: PublicDecision[] }> {
    const s = this.deps.settings;
    const recursive = req.recursive ?? s.getBoolean('scanner_recursive');
    const issues: WalkIssue[] = [];
    const existing: string[] = [];
    for (const p of paths) {
      // A configured library that is offline (unmounted share) is reported, not fatal.
      try {
        await stat(p);
        existing.push(p);
      } catch (e) {
        issues.push({ path: p, error: `library path unavailable: ${errText(e)}` });
      }
    }
    let abortedAt = 0;
    signal.addEventListener('abort', () => (abortedAt = Date.now()), { once: true });
    const walk = await walkLibrary(existing, { recursive, mediaExtensions: this.mediaExtensions(), ignoreMarker: s.getString('scanner_ignore_marker'), signal });
    issues.push(...walk.issues);
    const progress = this.running!.progress;
    progress.total_files = walk.candidates.length;
    let lastEmit = 0;
    const emit = (force = false) => {
      const now = Date.now();
      if (!force && now - lastEmit < 250) return;
      lastEmit = now;
      const snapshot = { ...progress };
      onProgress?.(snapshot);
      this.deps.events.publish('scan.progress', { scan_id: scanId, ...snapshot });
    };
    emit(true);
    const rules = await this.deps.rules.list(true);
    const skip = this.skipSettings();
    const decisions: PublicDecision[] = [];
    let matched = 0;
    let probed = 0;
    const giveUp = () => abortedAt > 0 && Date.now() - abortedAt > CANCEL_GRACE_MS;
    for (let i = 0; i < walk.candidates.length && !signal.aborted; i += BATCH) {
      const batch = walk.candidates.slice(i, i + BATCH);
      const outcomes = await this.analyzer.analyzeBatch(
        batch,
        (o) => {
          progress.current_path = o.candidate.path;
          if (o.probed) emit();
        },
        signal,
      );
      const results = await this.decideAndQueue(outcomes, { rules, skip, dryRun: !!req.dryRun, giveUp });
      for (const r of results) {
        progress.scanned_files++;
        if (r.probed) probed++;
        if (r.error) {
          issues.push({ path: r.path, error: r.error });
          continue;
        }
        const d = r.decision!;
        decisions.push(d);
        if (d.rule_id !== undefined && (d.action === 'job' || r.matchedButRaced)) matched++;
        if (d.action === 'job') {
          if (d.job_id) progress.jobs_created++;
        } else progress.skipped_files++;
      }
      emit(true);
    }
    this.lastDecisions = decisions.length > 20_000 ? decisions.slice(0, 20_000) : decisions;
    await this.tell('walk', (o) => o.walked({ roots: existing, recursive, found: walk.candidates.map((c) => c.path), complete: !signal.aborted && !walk.aborted }));
    const finishedAt = new Date();
    const cancelled = signal.aborted;
    return {
      scanned_files: cancelled ? progress.scanned_files : walk.candidates.length,
      matched_files: matched,
      jobs_created: progress.jobs_created,
      skipped_files: progress.skipped_files,
      paths_scanned: paths,
      errors: issues.length,
      error_files: issues,
      ignored_files: walk.ignored,
      probed_files: probed,
      duration_seconds: Math.round((finishedAt.getTime() - startedAt.getTime()) / 10) / 100,
      dry_run: !!req.dryRun,
      started_at: startedAt.toISOString(),
      finished_at: finishedAt.toISOString(),
      cancelled,
      decisions,
    };
  }

  /**
   * Decisions for analysed files, and jobs for the matches (unless dry run).
   * Live jobs are looked up once for the whole batch.
   */
  async decideAndQueue(
    outcomes: AnalysisOutcome[],
    o: { rules?: Awaited<ReturnType<ScanRulesService['list']>>; skip?: SkipSettings; dryRun: boolean; giveUp?: () => boolean } & DecideOptions,
  ): Promise<Array<{ path: string; probed: boolean; error?: string; decision?: PublicDecision; matchedButRaced?: boolean; upgraded?: boolean }>> {
    const rules = o.rules ?? (await this.deps.rules.list(true));
    const skip = o.skip ?? this.skipSettings();
    const paths = outcomes.map((x) => x.candidate.path);
    const [live, silent] = await Promise.all([liveJobPaths(this.deps.db, paths), noSpeechJobs(this.deps.db, paths)]);
    const marker = this.deps.settings.getString('scanner_ignore_marker');
    const out: Array<{ path: string; probed: boolean; error?: string; decision?: PublicDecision; matchedButRaced?: boolean; upgraded?: boolean }> = [];
    for (const x of outcomes) {
      // A cancelled scan stops here; the files left are neither counted nor queued.
      if (o.giveUp?.()) break;
      if ('error' in x) {
        out.push({ path: x.candidate.path, probed: x.probed, error: x.error });
        continue;
      }
      const quiet = silent.get(x.candidate.path);
      // Only while the file is as it was: a file changed since (a new copy, a re-mux) is judged again.
      const noSpeechJob = quiet && quiet.completedMs >= x.candidate.mtime_ms ? quiet.id : null;
      const ignoredBy = fileMarker(x.candidate, marker);
      // An upgraded file: our own unedited subtitles of it are made again; a user's (or ours, edited) still count.
      const redo = o.redoPaths?.has(x.candidate.path) ? new Set(x.analysis.external_subtitles.filter((e) => e.generated && isUneditedOutput(e.path)).map((e) => e.path)) : undefined;
      const { plan, ...decision } = evaluateFile({ analysis: x.analysis, rules, skip, hasLiveJob: live.has(x.candidate.path), noSpeechJob, ignoredBy, originalLanguage: o.originalLanguage ?? null, redo });
      if (decision.action === 'job' && plan && !o.dryRun) {
        try {
          const job = await this.deps.jobs.create({
            file_path: x.candidate.path, ...plan, ...(o.priority !== undefined ? { priority: o.priority } : {}), options: { ...plan.options, ...(o.jobOptions ? { ...o.jobOptions, reason: decision.reason } : {}) }, is_manual_request: false,
          });
          decision.job_id = job.id;
        } catch (e) {
          // Another scanner, the watcher or a user queued it in the meantime.
          if (e instanceof AppError && e.status === 409) {
            out.push({ path: x.candidate.path, probed: x.probed, matchedButRaced: true, decision: { ...decision, action: 'skip', reason: 'a job is already queued or running for this file' } });
            continue;
          }
          if (e instanceof AppError) {
            out.push({ path: x.candidate.path, probed: x.probed, error: `job not created: ${e.message}` });
            continue;
          }
          throw e;
        }
      }
      out.push({ path: x.candidate.path, probed: x.probed, decision, ...(redo?.size && decision.action === 'job' ? { upgraded: true } : {}) });
    }
    await this.tell('files', (ob) => ob.analysed(outcomes));
    return out;
  }

  /** POST /api/scanner/analyze: the file must lie inside the library folders (403 outside_library). */
  async analyzeRequest(filePath: string) {
    // Empty and relative paths get the analyzer's 400s; everything else is confined before it is looked at.
    if (filePath?.trim() && isAbsolute(filePath)) await confineMediaPath(this.deps.settings, filePath);
    return this.analyzer.analyzePath(filePath);
  }

  /** Analyses and decides on single files outside a scan (the watcher, webhooks, play events, Bazarr sync). */
  async processFiles(paths: string[], opts: ProcessOptions = {}): Promise<Array<{ path: string; error?: string; decision?: PublicDecision; upgraded?: boolean }>> {
    const candidates: MediaCandidate[] = [];
    const out: Array<{ path: string; error?: string; decision?: PublicDecision; upgraded?: boolean }> = [];
    for (const p of paths) {
      try {
        candidates.push(await this.analyzer.candidateFor(p));
      } catch (e) {
        out.push({ path: p, error: e instanceof AppError ? e.message : errText(e) });
      }
    }
    if (!candidates.length) return out;
    // Changed since its last analysis (size or mtime): a replaced file, as good as an upgrade.
    const before = opts.upgradeIfChanged ? await repo.loadProbeCache(this.deps.db, candidates.map((c) => c.path)) : null;
    const redoPaths = new Set(
      candidates.filter((c) => opts.upgrade || (before?.has(c.path) && (before.get(c.path)!.size !== c.size || before.get(c.path)!.mtime_ms !== c.mtime_ms))).map((c) => c.path),
    );
    const outcomes = await this.analyzer.analyzeBatch(candidates);
    const decided = await this.decideAndQueue(outcomes, {
      dryRun: !!opts.dryRun, rules: opts.rules, originalLanguage: opts.originalLanguage, redoPaths, jobOptions: opts.jobOptions, priority: opts.priority,
    });
    for (const r of decided) out.push(r);
    return out;
  }

  private async recordScan(result: ScanResult): Promise<void> {
    const { decisions, error_files, ...summary } = result;
    // One transaction: a reader that sees the new count also sees that scan's time and result.
    await this.deps.db.transaction().execute(async (trx) => {
      const total = Number((await repo.getState(trx, STATE_KEYS.totalScans)) ?? 0) + 1;
      await repo.setState(trx, STATE_KEYS.lastScanTime, result.finished_at);
      await repo.setState(trx, STATE_KEYS.lastResult, JSON.stringify({ ...summary, error_files: error_files.slice(0, 100) }));
      await repo.setState(trx, STATE_KEYS.totalScans, String(total));
    });
  }
}
