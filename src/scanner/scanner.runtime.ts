/**
 * The scanner of one server process: the scan service, the scheduler and the
 * watcher, kept in line with the settings (auto_scan_enabled, scanner_cron,
 * scanner_schedule_interval_minutes, watcher_enabled, library_paths, ...).
 * Whatever changes a setting — the scanner API, the settings API, the setup
 * wizard — the running components follow it.
 */
import type { CoreContext } from '../core/context.js';
import { badRequest } from '../errors.js';
import { describeSchedule, ScanScheduler, validateCron, type Schedule } from './scan-scheduler.js';
import { checkLibraryFolders } from './library-folders.js';
import { LibraryWatcher } from './library-watcher.js';
import { releaseDeadLease } from './scan-lease.js';
import { ScannerService, STATE_KEYS, type ScanResult } from './scanner.service.js';
import * as repo from './scanner.repository.js';

export interface ScannerStatus {
  scheduler_enabled: boolean;
  scheduler_running: boolean;
  next_scan_time: string | null;
  watcher_enabled: boolean;
  watcher_running: boolean;
  watched_paths: string[];
  last_scan_time: string | null;
  total_scans: number;
  schedule: string | null;
  scan_running: boolean;
  current_scan: ReturnType<ScannerService['currentProgress']>;
  last_scan: Omit<ScanResult, 'decisions'> | null;
}

interface StartSchedulerInput {
  enabled?: boolean;
  cron_expression?: string | null;
  paths?: string[];
  recursive?: boolean;
}

interface StartWatcherInput {
  enabled?: boolean;
  paths?: string[];
  recursive?: boolean;
}

const SCHEDULER_KEYS = new Set(['auto_scan_enabled', 'scanner_cron', 'scanner_schedule_interval_minutes']);
const WATCHER_KEYS = new Set(['watcher_enabled', 'library_paths', 'scanner_recursive', 'watcher_use_polling']);

export class ScannerRuntime {
  readonly service: ScannerService;
  readonly scheduler: ScanScheduler;
  readonly watcher: LibraryWatcher;
  private sync: Promise<unknown> = Promise.resolve();
  private watchKey = '';
  private scheduleKey = '';
  private readonly onSetting = (key: string) => {
    if (SCHEDULER_KEYS.has(key)) void this.queue(() => this.syncScheduler(false)).catch((e) => this.ctx.log.warn({ err: e }, 'scheduler not updated'));
    if (WATCHER_KEYS.has(key)) void this.queue(() => this.syncWatcher()).catch((e) => this.ctx.log.warn({ err: e }, 'watcher not updated'));
  };

  constructor(private readonly ctx: CoreContext) {
    const { settings, log } = ctx;
    this.service = new ScannerService({ db: ctx.database.db, settings, jobs: ctx.jobs, rules: ctx.rules, events: ctx.events, log, ffprobe: ctx.config.tools.ffprobe });
    this.scheduler = new ScanScheduler({
      log,
      run: () => this.scheduledScan(),
      loadNext: async () => {
        const v = await repo.getState(ctx.database.db, STATE_KEYS.nextScanTime);
        return v ? new Date(v) : null;
      },
      saveNext: (d) => repo.setState(ctx.database.db, STATE_KEYS.nextScanTime, d ? d.toISOString() : null),
    });
    this.watcher = new LibraryWatcher({
      log,
      stableSeconds: () => settings.getNumber('watcher_stable_seconds'),
      mediaExtensions: () => this.service.mediaExtensions(),
      marker: () => settings.getString('scanner_ignore_marker'),
      process: async (paths) => {
        if (!settings.getBoolean('scanner_enabled')) return;
        for (const r of await this.service.processFiles(paths)) {
          log.info({ path: r.path, action: r.decision?.action, reason: r.decision?.reason ?? r.error }, 'watcher: new file');
          ctx.events.publish('scan.file', r);
        }
      },
    });
    settings.on('change', this.onSetting);
    // A server killed mid-scan left its lease behind: free it now rather than answer 409 for a minute.
    void this.releaseDeadLease();
  }

  private async releaseDeadLease(): Promise<void> {
    try {
      const owner = await releaseDeadLease(this.ctx.database.db);
      if (owner) this.ctx.log.info({ owner }, 'released the scan lease of a process that is gone');
    } catch (e) {
      this.ctx.log.warn({ err: e }, 'could not check the scan lease');
    }
  }

  /** Serialises start/stop work so API calls and setting events never interleave. */
  private queue<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.sync.then(fn, fn);
    this.sync = run.catch(() => {});
    return run;
  }

  scheduleFromSettings(): Schedule {
    const cron = this.ctx.settings.getString('scanner_cron').trim();
    if (cron) return { kind: 'cron', expression: cron };
    return { kind: 'interval', minutes: Math.max(1, this.ctx.settings.getNumber('scanner_schedule_interval_minutes') || 360) };
  }

  private async scheduledScan(): Promise<void> {
    if (!this.ctx.settings.getBoolean('scanner_enabled')) {
      this.ctx.log.info('scheduled scan skipped: scanner_enabled is off');
      return;
    }
    try {
      const r = await this.service.scan({ trigger: 'scheduled' });
      this.ctx.log.info({ scanned: r.scanned_files, jobs: r.jobs_created, errors: r.errors }, 'scheduled scan finished');
    } catch (e) {
      this.ctx.log.warn({ err: (e as Error).message }, 'scheduled scan skipped');
    }
  }

  private async syncScheduler(resume: boolean): Promise<void> {
    if (!this.ctx.settings.getBoolean('auto_scan_enabled')) {
      if (this.scheduler.isRunning()) await this.scheduler.stop();
      this.scheduleKey = '';
      return;
    }
    const schedule = this.scheduleFromSettings();
    const key = JSON.stringify(schedule);
    if (this.scheduler.isRunning() && key === this.scheduleKey) return;
    this.scheduleKey = key;
    await this.scheduler.start(schedule, { resume });
  }

  private async syncWatcher(): Promise<void> {
    const s = this.ctx.settings;
    const paths = s.getList('library_paths');
    if (!s.getBoolean('watcher_enabled') || !paths.length) {
      if (this.watcher.isRunning()) await this.watcher.stop();
      this.watchKey = '';
      return;
    }
    const opts = { recursive: s.getBoolean('scanner_recursive'), polling: s.getBoolean('watcher_use_polling') };
    const key = JSON.stringify({ paths, opts });
    if (this.watcher.isRunning() && key === this.watchKey) return;
    this.watchKey = key;
    await this.watcher.start(paths, opts);
  }

  /** At boot: the scheduler and the watcher come back when their settings are on. */
  async resume(): Promise<void> {
    await this.releaseDeadLease();
    await this.queue(() => this.syncScheduler(true));
    await this.queue(() => this.syncWatcher());
  }

  async startScheduler(input: StartSchedulerInput = {}): Promise<string> {
    if (input.enabled === false) {
      await this.stopScheduler();
      return 'Scheduler stopped (enabled: false)';
    }
    const values: Record<string, unknown> = { auto_scan_enabled: true };
    if (input.cron_expression !== undefined && input.cron_expression !== null) {
      const expr = input.cron_expression.trim();
      if (expr) validateCron(expr);
      values.scanner_cron = expr;
    }
    if (input.paths?.length) values.library_paths = (await checkLibraryFolders(input.paths)).join(',');
    if (input.recursive !== undefined) values.scanner_recursive = input.recursive;
    // A cron expression stored earlier through the settings API may be invalid: name it before enabling.
    const expr = (values.scanner_cron as string | undefined) ?? this.ctx.settings.getString('scanner_cron').trim();
    if (expr) validateCron(expr);
    await this.ctx.settings.bulkUpdate(values);
    await this.queue(() => this.syncScheduler(false));
    return `Scheduler started successfully (${describeSchedule(this.scheduleFromSettings())})`;
  }

  async stopScheduler(): Promise<string> {
    await this.ctx.settings.bulkUpdate({ auto_scan_enabled: false });
    await this.queue(() => this.syncScheduler(false));
    return 'Scheduler stopped successfully';
  }

  async startWatcher(input: StartWatcherInput = {}): Promise<string> {
    if (input.enabled === false) {
      await this.stopWatcher();
      return 'File watcher stopped (enabled: false)';
    }
    const values: Record<string, unknown> = { watcher_enabled: true };
    if (input.paths?.length) values.library_paths = (await checkLibraryFolders(input.paths)).join(',');
    else if (!this.ctx.settings.getList('library_paths').length) throw badRequest('No library paths configured', 'no_library_paths');
    if (input.recursive !== undefined) values.scanner_recursive = input.recursive;
    await this.ctx.settings.bulkUpdate(values);
    await this.queue(() => this.syncWatcher());
    return 'File watcher started successfully';
  }

  async stopWatcher(): Promise<string> {
    await this.ctx.settings.bulkUpdate({ watcher_enabled: false });
    await this.queue(() => this.syncWatcher());
    return 'File watcher stopped successfully';
  }

  async status(): Promise<ScannerStatus> {
    const s = this.ctx.settings;
    const state = await repo.getStates(this.ctx.database.db, [STATE_KEYS.lastScanTime, STATE_KEYS.totalScans, STATE_KEYS.lastResult]);
    let last: ScannerStatus['last_scan'];
    try {
      last = JSON.parse(state.get(STATE_KEYS.lastResult) ?? 'null');
    } catch {
      last = null;
    }
    const running = this.scheduler.isRunning();
    return {
      scheduler_enabled: s.getBoolean('auto_scan_enabled'),
      scheduler_running: running,
      next_scan_time: running ? (this.scheduler.nextRun()?.toISOString() ?? null) : null,
      watcher_enabled: s.getBoolean('watcher_enabled'),
      watcher_running: this.watcher.isRunning(),
      watched_paths: this.watcher.watchedPaths(),
      last_scan_time: state.get(STATE_KEYS.lastScanTime) ?? null,
      total_scans: Number(state.get(STATE_KEYS.totalScans) ?? 0),
      schedule: running ? describeSchedule(this.scheduler.current()!) : null,
      scan_running: this.service.isScanning(),
      current_scan: this.service.currentProgress(),
      last_scan: last,
    };
  }

  async close(): Promise<void> {
    this.ctx.settings.off('change', this.onSetting);
    this.scheduler.dispose();
    // A running scan is cancelled (its ffprobe children killed) before the database closes under it.
    const running = this.service.currentProgress();
    if (running) await this.service.cancel(running.scan_id);
    await this.watcher.stop();
  }
}
