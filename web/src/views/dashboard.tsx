// At a glance: system and queue status, resources, running jobs, failures.
import type { ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { Job, Worker } from '../api/types';
import { EmptyState, ErrorBanner, Gauge, JobProgress, Loading, PageHeader, StatusBadge } from '../components/bits';
import { formatDuration, relativeTime } from '../lib/format';
import { patchJob } from '../lib/jobs';
import { href, withQuery } from '../lib/router';
import { debounce, useResource } from '../lib/use-resource';
import { useMemo } from 'react';

export function Dashboard(): ReactNode {
  const status = useResource(() => unwrap(api.GET('/api/status', {})), []);
  const resources = useResource(() => unwrap(api.GET('/api/system/resources', {})), [], { refreshMs: 5000 });
  const workers = useResource(() => unwrap(api.GET('/api/workers', {})), []);
  const running = useResource(
    () => unwrap(api.GET('/api/jobs', { params: { query: { status_filter: 'processing', page: 1, page_size: 20 } } })),
    [],
  );
  const failed = useResource(
    () => unwrap(api.GET('/api/jobs', { params: { query: { status_filter: 'failed', page: 1, page_size: 5 } } })),
    [],
  );

  const refreshLists = useMemo(
    () =>
      debounce(() => {
        void running.reload();
        void failed.reload();
        void status.reload();
      }, 600),
    // eslint-disable-next-line react-hooks/exhaustive-deps
    [],
  );

  useLive('job.updated', (job) => {
    // Accepting a review changes no queue figure: the count comes with the status.
    if (job.status === 'completed' && !job.needs_review && (status.data?.queue.needs_review ?? 0) > 0) refreshLists();
    const inRunning = running.data?.jobs.some((j) => j.id === job.id);
    if (inRunning && job.status === 'processing') {
      running.setData((d) => (d ? { ...d, jobs: patchJob(d.jobs, job) } : d));
    } else if (inRunning || job.status === 'processing' || job.status === 'failed') {
      refreshLists();
    }
  });
  useLive('job.created', refreshLists);
  useLive('job.deleted', refreshLists);
  useLive('stats', (q) => status.setData((s) => (s ? { ...s, queue: { ...s.queue, ...q } } : s)));
  useLive('worker.updated', (w) =>
    workers.setData((list) => {
      if (!list) return list;
      const i = list.findIndex((x) => x.worker_id === w.worker_id);
      if (i < 0) return [...list, w];
      const next = list.slice();
      next[i] = w;
      return next;
    }),
  );
  useLive('workers.removed', ({ worker_ids }) => workers.setData((l) => l?.filter((w) => !worker_ids.includes(w.worker_id))));

  const s = status.data;
  const r = resources.data;
  return (
    <div className="view">
      <PageHeader title="Dashboard" />
      <ErrorBanner error={status.error} onRetry={() => void status.reload()} />
      {!s ? (
        status.loading && <Loading />
      ) : (
        <section className="stat-grid" aria-label="Overview">
          <Stat label="Status" value={<StatusBadge status={s.system.status} />} detail={`up ${formatDuration(s.system.uptime_seconds)}`} />
          <Stat label="Queued" value={s.queue.queued} link={withQuery('/queue', { status: 'queued' })} />
          <Stat label="Processing" value={s.queue.processing} link={withQuery('/queue', { status: 'processing' })} />
          <Stat label="Completed" value={s.queue.completed} link={withQuery('/queue', { status: 'completed' })} tone="success" />
          <Stat label="Failed" value={s.queue.failed} link={withQuery('/queue', { status: 'failed' })} tone={s.queue.failed ? 'danger' : undefined} />
          <Stat
            label="Needs review"
            value={s.queue.needs_review}
            detail={s.queue.needs_review ? 'scored under the review line' : 'nothing to check'}
            link={withQuery('/queue', { needs_review: 'true' })}
            tone={s.queue.needs_review ? 'warning' : undefined}
          />
          <Stat
            label="Workers busy"
            value={`${s.workers.busy_workers}/${s.workers.total_workers}`}
            detail={`${s.workers.cpu_workers} CPU · ${s.workers.gpu_workers} GPU`}
            link="/workers"
          />
          <Stat
            label="Model"
            value={<span title={s.transcription.model}>{s.transcription.engine === 'local' ? shortModel(s.transcription.model) : s.transcription.model}</span>}
            detail={`${s.transcription.preset} preset${s.transcription.model_installed ? '' : ' · not installed'}`}
            link="/models"
            tone={s.transcription.model_installed ? undefined : 'danger'}
          />
          <Stat
            label="Scanner"
            value={s.scanner.scheduler_running ? 'Scheduled' : 'Manual'}
            detail={s.scanner.next_scan_time ? `next ${relativeTime(s.scanner.next_scan_time)}` : s.scanner.watcher_running ? 'watching' : 'no schedule'}
            link="/scanner"
          />
        </section>
      )}

      <div className="grid-2">
        <section className="card" aria-labelledby="res-h">
          <h2 id="res-h">Resources</h2>
          {resources.error && <p className="muted">{resources.error}</p>}
          {r && (
            <div className="gauges">
              <Gauge label="CPU" percent={r.cpu.usage_percent} detail={`${r.cpu.count_logical} threads`} />
              <Gauge label="RAM" percent={r.memory.usage_percent} detail={`${r.memory.used_gb.toFixed(1)} / ${r.memory.total_gb.toFixed(1)} GB`} />
              {r.gpus.map((g) => (
                <Gauge
                  key={g.id}
                  label={`GPU ${g.id}`}
                  percent={g.utilization_percent}
                  detail={`${g.name} · ${(g.memory_used_mb / 1024).toFixed(1)} / ${(g.memory_total_mb / 1024).toFixed(1)} GB`}
                />
              ))}
              {r.gpus.length === 0 && <p className="muted gauge-note">No GPU detected</p>}
            </div>
          )}
        </section>

        <section className="card" aria-labelledby="workers-h">
          <h2 id="workers-h">
            <a href={href('/workers')}>Workers</a>
          </h2>
          {workers.error ? <p className="muted">{workers.error}</p> : <WorkerMini workers={workers.data} />}
        </section>
      </div>

      <section className="card" aria-labelledby="running-h">
        <h2 id="running-h">Running now</h2>
        <RunningJobs jobs={running.data?.jobs} />
      </section>

      <section className="card" aria-labelledby="failed-h">
        <h2 id="failed-h">Recent failures</h2>
        {failed.data && failed.data.jobs.length === 0 && <EmptyState>No failed jobs.</EmptyState>}
        <ul className="failure-list">
          {failed.data?.jobs.map((j) => (
            <li key={j.id}>
              <a href={href(withQuery('/queue', { status: 'failed', job: j.id }))} className="failure-name">
                {j.file_name}
              </a>
              <span className="muted">{relativeTime(j.completed_at ?? j.created_at)}</span>
              <p className="error-text">{j.error ?? 'No error message'}</p>
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

/** A model path shows as its file name; the full value is in the tooltip. */
function shortModel(model: string): string {
  return model.split(/[\\/]/).pop() || model;
}

function Stat(props: { label: string; value: ReactNode; detail?: string; link?: string; tone?: 'success' | 'warning' | 'danger' }): ReactNode {
  const body = (
    <>
      <span className="stat-label">{props.label}</span>
      <span className={`stat-value ${props.tone ? `tone-${props.tone}` : ''}`}>{props.value}</span>
      {props.detail && <span className="stat-detail">{props.detail}</span>}
    </>
  );
  return props.link ? (
    <a className="stat card" href={href(props.link)}>
      {body}
    </a>
  ) : (
    <div className="stat card">{body}</div>
  );
}

function WorkerMini({ workers }: { workers: Worker[] | undefined }): ReactNode {
  if (!workers) return <Loading />;
  if (workers.length === 0)
    return (
      <EmptyState>
        No workers running. <a href={href('/workers')}>Add one</a> to start processing the queue.
      </EmptyState>
    );
  return (
    <ul className="worker-mini">
      {workers.map((w) => (
        <li key={w.worker_id}>
          <StatusBadge status={w.status} />
          <span className="mono">{w.worker_id}</span>
          {w.node && <span className="muted">{w.node}</span>}
          {w.current_job_id ? (
            <span className="muted">
              {Math.round(w.current_job_progress ?? 0)}%{w.current_job_eta ? ` · ${formatDuration(w.current_job_eta)} left` : ''}
            </span>
          ) : (
            <span className="muted">{w.jobs_completed} done</span>
          )}
        </li>
      ))}
    </ul>
  );
}

function RunningJobs({ jobs }: { jobs: Job[] | undefined }): ReactNode {
  if (!jobs) return <Loading />;
  if (jobs.length === 0) return <EmptyState>Nothing is being transcribed right now.</EmptyState>;
  return (
    <ul className="running-list">
      {jobs.map((j) => (
        <li key={j.id}>
          <div className="running-head">
            <a href={href(withQuery('/queue', { status: 'processing', job: j.id }))}>{j.file_name}</a>
            <span className="muted">
              {j.target_lang} · {j.worker_id ?? '—'}
            </span>
          </div>
          <JobProgress progress={j.progress} eta={j.eta_seconds} stage={j.current_stage} label={`Progress of ${j.file_name}`} />
        </li>
      ))}
    </ul>
  );
}
