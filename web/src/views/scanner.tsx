// Scanner: library folders, manual scan (a dry run and a real scan both list
// the decision and reason for every file; a real one links the jobs it made),
// a cancel button for any running scan,
// scheduler and watcher controls.
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { ResponseOf, ScanDecision, ScanProgress, ScanResult } from '../api/types';
import { Detail, EmptyState, ErrorBanner, PageHeader, ProgressBar, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { PathListEditor } from '../components/path-browser';
import { formatDateTime, plural, relativeTime } from '../lib/format';
import { href } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

const splitList = (v: string | null | undefined) => (v ?? '').split(/[,|\n]/).map((s) => s.trim()).filter(Boolean);

type ScanRun = ResponseOf<'/api/scanner/scans/{scan_id}', 'get'>;
/** The server adds the run's id to each scan.progress event. */
type LiveProgress = ScanProgress & { scan_id?: string };

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export function Scanner(): ReactNode {
  const status = useResource(() => unwrap(api.GET('/api/scanner/status', {})), []);
  const [paths, setPaths] = useState<string[] | null>(null);
  const [savedPaths, setSavedPaths] = useState<string[]>([]);
  const [pathsError, setPathsError] = useState<string | null>(null);
  const [dryRun, setDryRun] = useState(true);
  const [scanning, setScanning] = useState(false);
  const [progress, setProgress] = useState<LiveProgress | null>(null);
  const [result, setResult] = useState<ScanResult | null>(null);
  const [scanError, setScanError] = useState<string | null>(null);
  const [filter, setFilter] = useState<'all' | 'job' | 'skip'>('all');
  const [cancelling, setCancelling] = useState(false);
  const mounted = useRef(true);
  useEffect(() => () => void (mounted.current = false), []);

  useEffect(() => {
    unwrap(api.GET('/api/settings/{key}', { params: { path: { key: 'library_paths' } } })).then(
      (s) => {
        const p = splitList(s.value);
        setPaths(p);
        setSavedPaths(p);
      },
      (e) => {
        setPaths([]);
        setPathsError(messageOf(e));
      },
    );
  }, []);

  const [lastDecisions, setLastDecisions] = useState<ScanDecision[] | null>(null);
  useEffect(() => {
    unwrap(api.GET('/api/scanner/last-decisions', {})).then(
      (d) => setLastDecisions(d.length ? d : null),
      () => undefined,
    );
  }, []);

  useLive('scan.progress', (p) => {
    setProgress(p);
  });
  useLive('scan.completed', (r) => {
    setProgress(null);
    setCancelling(false);
    if (!scanning) setResult((prev) => (prev && prev.decisions && !r.decisions ? prev : r));
    void status.reload();
  });

  const pathsDirty = paths !== null && paths.join('\n') !== savedPaths.join('\n');

  async function savePaths() {
    if (!paths) return;
    try {
      await unwrap(api.PUT('/api/settings/{key}', { params: { path: { key: 'library_paths' } }, body: { value: paths.join(',') } }));
      setSavedPaths(paths);
      setPathsError(null);
      toast.success('Library folders saved');
    } catch (e) {
      setPathsError(messageOf(e));
    }
  }

  /** Polls the run until it ends (progress itself comes with the live events). */
  async function follow(scanId: string): Promise<ScanRun> {
    for (;;) {
      const run = await unwrap(api.GET('/api/scanner/scans/{scan_id}', { params: { path: { scan_id: scanId } } }));
      if (run.status !== 'running' || !mounted.current) return run;
      await sleep(750);
    }
  }

  async function scan() {
    setScanning(true);
    setScanError(null);
    setResult(null);
    setProgress(null);
    try {
      const started = await unwrap(api.POST('/api/scanner/scan', { params: { query: { wait: false } }, body: { dry_run: dryRun } }));
      if (!('scan_id' in started)) throw new Error('The server did not start the scan in the background; reload the page and try again.');
      const run = await follow(started.scan_id);
      if (run.status === 'failed') throw new Error(run.error ?? 'The scan failed; the server log has the details.');
      const r = run.result;
      if (r) setResult(r);
      if (run.status === 'cancelled') toast.success(`Scan cancelled after ${plural(r?.scanned_files ?? 0, 'file')}${r?.jobs_created ? ` (${plural(r.jobs_created, 'job')} created)` : ''}`);
      else if (r) toast.success(dryRun ? `Dry run: ${r.matched_files} of ${plural(r.scanned_files, 'file')} would get a job` : `Scan done: ${plural(r.jobs_created, 'job')} created`);
      void status.reload();
    } catch (e) {
      setScanError(messageOf(e));
    } finally {
      setScanning(false);
      setCancelling(false);
      setProgress(null);
    }
  }

  /** Cancels the scan that runs now, whoever started it (this page, the scheduler, another tab). */
  async function cancelScan() {
    const scanId = progress?.scan_id ?? status.data?.current_scan?.scan_id ?? (await unwrap(api.GET('/api/scanner/status', {})).catch(() => null))?.current_scan?.scan_id;
    if (!scanId) {
      toast.error('No scan of this server is running (a scan started with the transcriptorio command stops with Ctrl-C).');
      return;
    }
    setCancelling(true);
    try {
      const run = await unwrap(api.POST('/api/scanner/scans/{scan_id}/cancel', { params: { path: { scan_id: scanId } } }));
      if (run.status === 'running') toast.error('The scan is still stopping; it ends within seconds.');
      else if (!scanning) toast.success('Scan cancelled');
    } catch (e) {
      toast.error(messageOf(e));
      setCancelling(false);
    }
    void status.reload();
  }

  async function control(which: 'scheduler' | 'watcher', on: boolean) {
    try {
      const r =
        which === 'scheduler'
          ? on
            ? await unwrap(api.POST('/api/scanner/scheduler/start', { body: {} }))
            : await unwrap(api.POST('/api/scanner/scheduler/stop', {}))
          : on
            ? await unwrap(api.POST('/api/scanner/watcher/start', { body: {} }))
            : await unwrap(api.POST('/api/scanner/watcher/stop', {}));
      toast.success(r.message);
    } catch (e) {
      toast.error(messageOf(e));
    }
    void status.reload();
  }

  const s = status.data;
  const scanRunning = scanning || progress !== null || !!s?.scan_running;
  const allDecisions = result ? result.decisions : lastDecisions;
  const decisions = (allDecisions ?? []).filter((d) => filter === 'all' || d.action === filter);
  return (
    <div className="view">
      <PageHeader title="Scanner" />
      <ErrorBanner error={status.error} onRetry={() => void status.reload()} />
      <div className="grid-2">
        <section className="card" aria-labelledby="lib-h">
          <h2 id="lib-h">Library folders</h2>
          {paths === null ? null : <PathListEditor label="Library folders" paths={paths} onChange={setPaths} />}
          {pathsError && (
            <p className="field-error" role="alert">
              {pathsError}
            </p>
          )}
          <div className="card-actions">
            <button type="button" className="btn btn-primary" disabled={!pathsDirty} onClick={() => void savePaths()}>
              Save folders
            </button>
          </div>
        </section>

        <section className="card" aria-labelledby="sched-h">
          <h2 id="sched-h">Schedule and watcher</h2>
          {s && (
            <>
              <dl className="details details-compact">
                <Detail term="Scheduler">
                  <StatusBadge status={s.scheduler_running ? 'running' : 'stopped'} />
                </Detail>
                <Detail term="Next scan">{s.next_scan_time ? `${formatDateTime(s.next_scan_time)} (${relativeTime(s.next_scan_time)})` : '—'}</Detail>
                <Detail term="Last scan">{s.last_scan_time ? `${formatDateTime(s.last_scan_time)} (${relativeTime(s.last_scan_time)})` : 'never'}</Detail>
                <Detail term="Scans so far">{s.total_scans}</Detail>
                <Detail term="Watcher">
                  <StatusBadge status={s.watcher_running ? 'running' : 'stopped'} />
                </Detail>
                <Detail term="Watching">{s.watched_paths?.length ? s.watched_paths.join(', ') : '—'}</Detail>
              </dl>
              <div className="card-actions">
                <button type="button" className="btn" onClick={() => void control('scheduler', !s.scheduler_running)}>
                  <Icon name={s.scheduler_running ? 'stop' : 'play'} /> {s.scheduler_running ? 'Stop scheduler' : 'Start scheduler'}
                </button>
                <button type="button" className="btn" onClick={() => void control('watcher', !s.watcher_running)}>
                  <Icon name={s.watcher_running ? 'stop' : 'play'} /> {s.watcher_running ? 'Stop watcher' : 'Start watcher'}
                </button>
              </div>
              <p className="help">
                Interval and cron are under <a href={href('/settings/scanner')}>Settings → Scanner</a>.
              </p>
            </>
          )}
        </section>
      </div>

      <section className="card" aria-labelledby="scan-h">
        <h2 id="scan-h">Scan now</h2>
        <div className="scan-controls">
          <label className="check">
            <input type="checkbox" checked={dryRun} onChange={(e) => setDryRun(e.target.checked)} />
            Dry run (show what would happen, create no jobs)
          </label>
          <button type="button" className="btn btn-primary" disabled={scanning || pathsDirty} onClick={() => void scan()}>
            <Icon name="scanner" /> {scanning ? 'Scanning…' : dryRun ? 'Preview scan' : 'Scan library'}
          </button>
          {scanRunning && (
            <button type="button" className="btn btn-danger" disabled={cancelling} onClick={() => void cancelScan()}>
              <Icon name="stop" /> {cancelling ? 'Cancelling…' : 'Cancel scan'}
            </button>
          )}
          {pathsDirty && <span className="muted">Save the folders first.</span>}
        </div>
        {(scanning || progress) && (
          <div className="scan-progress" aria-live="polite">
            <ProgressBar value={progress && progress.total_files ? (progress.scanned_files / progress.total_files) * 100 : 0} label="Scan progress" status="processing" />
            <p className="muted small">
              {progress
                ? `${progress.scanned_files} of ${progress.total_files} files · ${progress.jobs_created} jobs · ${progress.skipped_files} skipped`
                : 'Starting…'}
              {progress?.current_path && (
                <>
                  <br />
                  <code className="break">{progress.current_path}</code>
                </>
              )}
            </p>
          </div>
        )}
        {scanError && (
          <p className="field-error" role="alert">
            {scanError}
          </p>
        )}
        {result && (
          <div className="scan-result">
            <ul className="stat-inline" aria-label="Scan result">
              <li>
                <strong>{result.scanned_files}</strong> scanned
              </li>
              <li>
                <strong>{result.matched_files}</strong> matched
              </li>
              <li>
                <strong>{result.jobs_created}</strong> jobs created
              </li>
              <li>
                <strong>{result.skipped_files}</strong> skipped
              </li>
              {result.errors > 0 && (
                <li className="tone-danger">
                  <strong>{result.errors}</strong> unreadable
                </li>
              )}
              <li className="muted">{result.duration_seconds.toFixed(1)} s</li>
              {!result.dry_run && result.jobs_created > 0 && (
                <li>
                  <a href={href('/queue?status=queued')}>See the new jobs in the queue</a>
                </li>
              )}
            </ul>
            {result.error_files.length > 0 && (
              <ul className="failure-list" aria-label="Files that could not be read">
                {result.error_files.map((e) => (
                  <li key={e.path}>
                    <code className="break">{e.path}</code>
                    <p className="error-text">{e.error}</p>
                  </li>
                ))}
              </ul>
            )}
          </div>
        )}
        {allDecisions && (
          <div className="scan-result">
            {!result && <p className="muted">Decisions of the last scan:</p>}
            <>
                <div className="tabs" role="tablist" aria-label="Filter decisions">
                  {(['all', 'job', 'skip'] as const).map((f) => (
                    <button key={f} type="button" role="tab" aria-selected={filter === f} className={`tab ${filter === f ? 'active' : ''}`} onClick={() => setFilter(f)}>
                      {f === 'all' ? 'All' : f === 'job' ? (allDecisions.some((d) => d.job_id) ? 'Queued' : 'Job') : 'Skipped'}
                      <span className="tab-count">{f === 'all' ? allDecisions.length : allDecisions.filter((d) => d.action === f).length}</span>
                    </button>
                  ))}
                </div>
                {decisions.length === 0 ? <EmptyState>No files.</EmptyState> : <DecisionTable decisions={decisions} />}
              </>
          </div>
        )}
      </section>
    </div>
  );
}

function DecisionTable({ decisions }: { decisions: ScanDecision[] }): ReactNode {
  return (
    <div className="table-wrap">
      <table className="table table-cards decisions">
        <caption className="sr-only">Per-file decisions</caption>
        <thead>
          <tr>
            <th scope="col">File</th>
            <th scope="col">Decision</th>
            <th scope="col">Reason</th>
          </tr>
        </thead>
        <tbody>
          {decisions.map((d) => (
            <tr key={d.file_path} data-action={d.action}>
              <td data-label="File" className="cell-file">
                <code className="break">{d.file_path}</code>
              </td>
              <td data-label="Decision">
                <span className={`badge ${d.action === 'job' ? 'badge-queued' : 'badge-skip'}`}>
                  {d.action === 'job' ? `${d.job_id ? 'queued' : 'job'} → ${d.target_language ?? '?'}` : 'skip'}
                </span>
              </td>
              <td data-label="Reason">
                {d.reason}
                {d.job_id && (
                  <>
                    {' '}
                    <a href={href(`/queue?job=${encodeURIComponent(d.job_id)}`)} className="decision-job">
                      Job {d.job_id.slice(0, 8)}
                    </a>
                  </>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
