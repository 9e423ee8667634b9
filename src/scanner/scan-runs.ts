/**
 * The scan runs of this process, newest last: each has an id, live progress,
 * an AbortController that cancels it, and, once finished, its result. Only
 * the last few are kept, in memory: a run belongs to the process that walks
 * it (the cross-process lease keeps scans one at a time), and a restart
 * ends every run anyway.
 */
import { randomUUID } from 'node:crypto';
import { setMaxListeners } from 'node:events';

export const SCAN_RUN_STATUSES = ['running', 'completed', 'cancelled', 'failed'] as const;
export type ScanRunStatus = (typeof SCAN_RUN_STATUSES)[number];

export interface ScanProgress {
  scanned_files: number;
  total_files: number;
  current_path: string | null;
  jobs_created: number;
  skipped_files: number;
}

/** What GET /api/scanner/scans/{id} shows; `R` is the scan result. */
export interface ScanRun<R> {
  scan_id: string;
  status: ScanRunStatus;
  trigger: string;
  dry_run: boolean;
  paths: string[];
  progress: ScanProgress;
  started_at: string;
  finished_at: string | null;
  result: R | null;
  error: string | null;
}

interface Entry<R> {
  run: ScanRun<R>;
  controller: AbortController;
  settled: Promise<void>;
  settle(): void;
}

const KEEP = 20;

export class ScanRuns<R extends { decisions?: unknown }> {
  private readonly entries = new Map<string, Entry<R>>();

  /** Registers a running scan; `progress` is the object the scan updates in place. */
  begin(init: { trigger: string; dry_run: boolean; paths: string[]; progress: ScanProgress; started_at: string }): { scan_id: string; signal: AbortSignal } {
    const scan_id = randomUUID().replace(/-/g, '').slice(0, 16);
    let settle = () => {};
    const settled = new Promise<void>((r) => (settle = r));
    const controller = new AbortController();
    // Every running ffprobe (up to scanner_probe_concurrency, 64) listens for the cancel.
    setMaxListeners(0, controller.signal);
    const entry: Entry<R> = { run: { scan_id, status: 'running', ...init, finished_at: null, result: null, error: null }, controller, settled, settle };
    this.entries.set(scan_id, entry);
    this.prune();
    return { scan_id, signal: entry.controller.signal };
  }

  finish(scanId: string, status: Exclude<ScanRunStatus, 'running'>, result: R | null, error: string | null = null): void {
    const e = this.entries.get(scanId);
    if (!e) return;
    // Per-file decisions (dry runs, up to 20,000) stay with the newest run only: 20 copies would be a lot of memory.
    for (const other of this.entries.values()) {
      if (other !== e && other.run.result?.decisions) other.run.result = { ...other.run.result, decisions: undefined };
    }
    Object.assign(e.run, { status, result, error, finished_at: new Date().toISOString(), progress: { ...e.run.progress } });
    e.settle();
  }

  /** A copy of the run, or null for an id this process does not know (or no longer keeps). */
  get(scanId: string): ScanRun<R> | null {
    const e = this.entries.get(scanId);
    return e ? snapshot(e.run) : null;
  }

  /** The kept runs, newest first. */
  list(): ScanRun<R>[] {
    return [...this.entries.values()].reverse().map((e) => snapshot(e.run));
  }

  /**
   * Asks a running scan to stop and waits up to `waitMs` for it to settle.
   * Null for an unknown id; a finished run is returned as it is.
   */
  async cancel(scanId: string, waitMs: number): Promise<ScanRun<R> | null> {
    const e = this.entries.get(scanId);
    if (!e) return null;
    if (e.run.status === 'running') {
      e.controller.abort();
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([e.settled, new Promise<void>((r) => (timer = setTimeout(r, waitMs)))]);
      clearTimeout(timer);
    }
    return snapshot(e.run);
  }

  /** Cancels every running scan (shutdown). */
  abortAll(): void {
    for (const e of this.entries.values()) if (e.run.status === 'running') e.controller.abort();
  }

  private prune(): void {
    for (const [id, e] of this.entries) {
      if (this.entries.size <= KEEP) break;
      if (e.run.status !== 'running') this.entries.delete(id);
    }
  }
}

function snapshot<R>(run: ScanRun<R>): ScanRun<R> {
  return { ...run, paths: [...run.paths], progress: { ...run.progress } };
}
