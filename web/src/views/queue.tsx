// The job queue: search, sort, filter, page, select and act on many, details, retry, cancel, clear, new job.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { BulkAction, Job, JobStatus, QueueStats } from '../api/types';
import { EmptyState, ErrorBanner, JobProgress, Loading, PageHeader, Pagination, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { ConfirmDialog } from '../components/modal';
import { ScoreBadge } from '../components/score-badge';
import { formatDateTime, plural, relativeTime } from '../lib/format';
import { patchJob, STATUSES, TERMINAL } from '../lib/jobs';
import { navigate, useRoute, withQuery } from '../lib/router';
import { toast } from '../lib/toast';
import { debounce, useResource } from '../lib/use-resource';
import { JobDetails } from './job-details';
import { NewJobDialog } from './new-job';
import { BulkBar, QueueToolbar, RowError } from './queue-tools';
import { JOB_SORTS, oneOf } from '../lib/kinds';

const PAGE_SIZE = 25;

/** The sort choices: value is `sort:order` as GET /api/jobs takes them. */
const SORTS = [
  { value: 'added:desc', label: 'Newest first' },
  { value: 'added:asc', label: 'Oldest first' },
  { value: 'priority:desc', label: 'Priority (next to run first)' },
  { value: 'status:desc', label: 'Status (running first)' },
] as const;


export function Queue(): ReactNode {
  const { query } = useRoute();
  const status = query.get('status') ?? '';
  const page = Math.max(1, Number(query.get('page') ?? 1) || 1);
  const openJob = query.get('job');
  const search = query.get('q') ?? '';
  const sortValue = query.get('sort') ?? 'added:desc';
  const rule = query.get('rule') ?? '';
  const language = query.get('lang') ?? '';
  /** only the jobs whose subtitle waits for a person's review */
  const review = query.get('needs_review') === 'true';
  type Go = { status?: string; review?: boolean; page?: number; job?: string | null; new?: string | null; q?: string; sort?: string; rule?: string; lang?: string };
  const go = (q: Go) =>
    navigate(
      withQuery('/queue', {
        status: q.status ?? status,
        needs_review: (q.review ?? review) ? 'true' : undefined,
        q: (q.q ?? search) || undefined,
        sort: (q.sort ?? sortValue) === 'added:desc' ? undefined : (q.sort ?? sortValue),
        rule: (q.rule ?? rule) || undefined,
        lang: (q.lang ?? language) || undefined,
        page: (q.page ?? page) > 1 ? (q.page ?? page) : undefined,
        job: q.job === undefined ? openJob : q.job,
        new: q.new === undefined ? query.get('new') : q.new,
      }),
    );
  /** A new search, sort or filter starts at page 1 with nothing open. */
  const refine = (q: Pick<Go, 'q' | 'sort' | 'rule' | 'lang'>) => go({ ...q, page: 1, job: null });

  const [sortPart, orderPart] = sortValue.split(':');
  const sort = oneOf(JOB_SORTS, sortPart, 'added');
  const order = orderPart === 'asc' ? 'asc' : 'desc';
  const list = useResource(
    () =>
      unwrap(
        api.GET('/api/jobs', {
          params: {
            query: {
              status_filter: (status || undefined) as JobStatus | undefined,
              page,
              page_size: PAGE_SIZE,
              search: search || undefined,
              sort: sort !== 'added' || order === 'asc' ? sort : undefined,
              order: order === 'asc' ? 'asc' : undefined,
              rule_id: rule ? Number(rule) : undefined,
              language: language || undefined,
              needs_review: review || undefined,
            },
          },
        }),
      ),
    [status, review, page, search, sortValue, rule, language],
  );
  const rules = useResource(() => unwrap(api.GET('/api/scan-rules', {})), [], { refreshMs: 0 });
  const [searchText, setSearchText] = useState(search);
  useEffect(() => setSearchText(search), [search]);
  useEffect(() => {
    if (searchText.trim() === search) return;
    const t = setTimeout(() => refine({ q: searchText.trim() }), 350);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchText]);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  // What is selected is what is shown: a new page, filter or search starts empty.
  useEffect(() => setSelected(new Set()), [status, review, page, search, sortValue, rule, language]);
  const [confirmRemove, setConfirmRemove] = useState(false);
  const [bulkBusy, setBulkBusy] = useState(false);
  const stats = useResource(() => unwrap(api.GET('/api/jobs/stats', {})), []);
  const [confirmClear, setConfirmClear] = useState(false);
  const [confirmClearFailed, setConfirmClearFailed] = useState(false);
  const [busy, setBusy] = useState<string | null>(null);

  const reloadList = list.reload;
  const reloadSoon = useMemo(() => debounce(() => void reloadList(), 500), [reloadList]);
  useLive('stats', (s) => stats.setData(() => s));
  useLive('job.updated', (job) => {
    const shown = list.data?.jobs.some((j) => j.id === job.id);
    const fits = (!status || job.status === status) && (!review || job.needs_review === true);
    if (shown && fits) list.setData((d) => (d ? { ...d, jobs: patchJob(d.jobs, job) } : d));
    else if (shown || fits) reloadSoon();
  });
  useLive('job.created', (job) => {
    if (page === 1 && !review && (!status || job.status === status)) reloadSoon();
  });

  async function bulk(kind: BulkAction) {
    const ids = [...selected];
    if (!ids.length) return;
    setBulkBusy(true);
    try {
      const r = await unwrap(api.POST('/api/jobs/bulk', { body: { action: kind, ids } }));
      const refused = r.results.filter((x) => x.outcome === 'refused');
      if (r.done) toast.success(r.message);
      if (refused.length) {
        const name = (id: string) => list.data?.jobs.find((j) => j.id === id)?.file_name ?? id;
        const shown = refused.slice(0, 3).map((x) => `${name(x.id)}: ${x.reason}`);
        const more = refused.length > 3 ? ` (and ${refused.length - 3} more)` : '';
        toast.error(`${plural(refused.length, 'job')} refused. ${shown.join('; ')}${more}`);
      }
      setSelected(new Set(refused.map((x) => x.id)));
      setConfirmRemove(false);
      void list.reload();
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setBulkBusy(false);
    }
  }
  useLive('job.deleted', ({ id }) => {
    if (list.data?.jobs.some((j) => j.id === id)) reloadSoon();
  });

  async function act(job: Job, kind: 'retry' | 'cancel') {
    setBusy(job.id);
    try {
      if (kind === 'retry') {
        const j = await unwrap(api.POST('/api/jobs/{job_id}/retry', { params: { path: { job_id: job.id } } }));
        list.setData((d) => (d ? { ...d, jobs: patchJob(d.jobs, j) } : d));
        toast.success(`Retrying ${job.file_name}`);
      } else {
        await unwrap(api.POST('/api/jobs/{job_id}/cancel', { params: { path: { job_id: job.id } } }));
        toast.success(`Cancelled ${job.file_name}`);
      }
      reloadSoon();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setBusy(null);
    }
  }

  async function clearCompleted() {
    try {
      const r = await unwrap(api.POST('/api/jobs/queue/clear', {}));
      toast.success(r.message);
      setConfirmClear(false);
      void list.reload();
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    }
  }

  async function retryFailed() {
    try {
      const r = await unwrap(api.POST('/api/jobs/retry-failed', {}));
      toast.success(r.message);
      void list.reload();
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    }
  }

  async function clearFailed() {
    try {
      const r = await unwrap(api.POST('/api/jobs/queue/clear', { params: { query: { status: 'failed' } } }));
      toast.success(r.message);
      setConfirmClearFailed(false);
      void list.reload();
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    }
  }

  const failedCount = stats.data?.failed ?? 0;
  const jobs = list.data?.jobs;
  const pageIds = jobs?.map((j) => j.id) ?? [];
  const allSelected = pageIds.length > 0 && pageIds.every((id) => selected.has(id));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const chosen = jobs?.filter((j) => selected.has(j.id)) ?? [];
  const count = (pred: (j: Job) => boolean) => chosen.filter(pred).length;
  const refined = !!(search || rule || language);
  return (
    <div className="view">
      <PageHeader
        title="Queue"
        actions={
          <>
            <button type="button" className="btn" onClick={() => void list.reload()} aria-label="Refresh queue">
              <Icon name="refresh" />
            </button>
            {failedCount > 0 && (
              <>
                <button type="button" className="btn" onClick={() => void retryFailed()}>
                  <Icon name="retry" /> Retry all failed
                </button>
                <button type="button" className="btn" onClick={() => setConfirmClearFailed(true)}>
                  Clear failed
                </button>
              </>
            )}
            <button type="button" className="btn" onClick={() => setConfirmClear(true)} disabled={!stats.data?.completed}>
              Clear completed
            </button>
            <button type="button" className="btn btn-primary" onClick={() => go({ new: '1' })}>
              <Icon name="plus" /> New job
            </button>
          </>
        }
      />
      <StatusTabs
        stats={stats.data}
        current={status}
        review={review}
        onPick={(s) => go({ status: s, review: false, page: 1, job: null })}
        onReview={() => go({ status: '', review: true, page: 1, job: null })}
      />
      <QueueToolbar
        searchText={searchText}
        onSearchText={setSearchText}
        sort={sortValue}
        sorts={SORTS}
        rule={rule}
        rules={rules.data ?? []}
        language={language}
        refined={refined}
        onRefine={refine}
      />
      {selected.size > 0 && (
        <BulkBar
          count={selected.size}
          busy={bulkBusy}
          canRetry={count((j) => j.status === 'failed') > 0}
          canCancel={count((j) => !TERMINAL.has(j.status)) > 0}
          canRemove={count((j) => TERMINAL.has(j.status)) > 0}
          onRetry={() => void bulk('retry')}
          onCancel={() => void bulk('cancel')}
          onRemove={() => setConfirmRemove(true)}
          onClear={() => setSelected(new Set())}
        />
      )}
      <ErrorBanner error={list.error} onRetry={() => void list.reload()} />
      {!jobs ? (
        <Loading />
      ) : jobs.length === 0 ? (
        <EmptyState>
          {refined
            ? 'No job matches this search or filter.'
            : review
              ? 'No subtitle waits for review: every finished job scored above the review line or was accepted.'
              : status
                ? `No ${status} jobs.`
                : 'The queue is empty. Run a scan or add a job.'}
        </EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-cards">
            <caption className="sr-only">Jobs{status ? ` (${status})` : ''}{review ? ' that need review' : ''}</caption>
            <thead>
              <tr>
                <th scope="col" className="cell-select">
                  <input
                    type="checkbox"
                    aria-label="Select every job on this page"
                    checked={allSelected}
                    onChange={() => setSelected(allSelected ? new Set() : new Set(pageIds))}
                  />
                </th>
                <th scope="col">File</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Language</th>
                <th scope="col">Added</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {jobs.map((j) => (
                <tr key={j.id} data-job-id={j.id} data-status={j.status} className={selected.has(j.id) ? 'row-selected' : undefined}>
                  <td className="cell-select">
                    <input type="checkbox" aria-label={`Select ${j.file_name}`} checked={selected.has(j.id)} onChange={() => toggle(j.id)} />
                  </td>
                  <td data-label="File" className="cell-file">
                    <button type="button" className="link-button" onClick={() => go({ job: j.id })}>
                      {j.file_name}
                    </button>
                    <span className="muted path-text" title={j.file_path}>
                      {j.file_path}
                    </span>
                    {j.status === 'failed' && j.error && <RowError error={j.error} onDetails={() => go({ job: j.id })} />}
                  </td>
                  <td data-label="Status">
                    <span className="status-badges">
                      <StatusBadge status={j.status} />
                      {j.needs_review && <ScoreBadge score={j.quality_score} needsReview />}
                    </span>
                  </td>
                  <td data-label="Progress" className="cell-progress">
                    {j.status === 'processing' ? (
                      <JobProgress progress={j.progress} eta={j.eta_seconds} stage={j.current_stage} label={`Progress of ${j.file_name}`} />
                    ) : j.status === 'completed' ? (
                      <span className="muted">
                        {j.output_path ? 'done' : '100%'}
                        {typeof j.quality_score === 'number' && !j.needs_review ? ` · score ${j.quality_score}` : ''}
                      </span>
                    ) : (
                      <span className="muted">{j.status === 'queued' ? `priority ${j.priority}` : '—'}</span>
                    )}
                  </td>
                  <td data-label="Language" className="cell-nowrap">
                    {j.source_lang ? `${j.source_lang} → ` : ''}
                    {j.target_lang}
                  </td>
                  <td data-label="Added" className="cell-nowrap" title={formatDateTime(j.created_at)}>
                    {relativeTime(j.created_at)}
                  </td>
                  <td className="cell-actions">
                    {j.status === 'failed' && (
                      <button type="button" className="btn btn-small" disabled={busy === j.id} onClick={() => void act(j, 'retry')} aria-label={`Retry ${j.file_name}`}>
                        <Icon name="retry" size={14} /> Retry
                      </button>
                    )}
                    {!TERMINAL.has(j.status) && (
                      <button type="button" className="btn btn-small" disabled={busy === j.id} onClick={() => void act(j, 'cancel')} aria-label={`Cancel ${j.file_name}`}>
                        <Icon name="stop" size={14} /> Cancel
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {list.data && <Pagination page={page} pageSize={PAGE_SIZE} total={list.data.total} onPage={(p) => go({ page: p })} />}

      {openJob && (
        <JobDetails
          jobId={openJob}
          initial={jobs?.find((j) => j.id === openJob)}
          onClose={() => go({ job: null })}
          onAction={(j, kind) => void act(j, kind)}
        />
      )}
      <NewJobDialog
        open={query.get('new') === '1'}
        onClose={() => go({ new: null })}
        onCreated={(j) => {
          go({ new: null, job: j.id });
          void list.reload();
        }}
      />
      <ConfirmDialog
        open={confirmClear}
        title="Clear completed jobs"
        message={`Remove ${stats.data?.completed ?? 0} completed jobs from the queue? Their subtitle files stay where they are.`}
        confirmLabel="Clear"
        danger
        onConfirm={() => void clearCompleted()}
        onCancel={() => setConfirmClear(false)}
      />
      <ConfirmDialog
        open={confirmRemove}
        title="Remove selected jobs"
        message={`Remove ${plural(count((j) => TERMINAL.has(j.status)), 'finished job')} from the queue, with their timelines? Subtitle files stay where they are. Jobs still queued or running are not removed: cancel them first.`}
        confirmLabel="Remove"
        danger
        onConfirm={() => void bulk('remove')}
        onCancel={() => setConfirmRemove(false)}
      />
      <ConfirmDialog
        open={confirmClearFailed}
        title="Clear failed jobs"
        message={`Remove ${failedCount} failed ${failedCount === 1 ? 'job' : 'jobs'} from the queue? The files stay; a later scan queues them again if the rules still want them.`}
        confirmLabel="Clear"
        danger
        onConfirm={() => void clearFailed()}
        onCancel={() => setConfirmClearFailed(false)}
      />
    </div>
  );
}

function StatusTabs(props: { stats: QueueStats | undefined; current: string; review: boolean; onPick: (s: string) => void; onReview: () => void }): ReactNode {
  const count = (s: string) => (props.stats ? (s ? (props.stats as unknown as Record<string, number>)[s] : props.stats.total_jobs) : undefined);
  const reviewCount = props.stats?.needs_review;
  return (
    <div className="tabs" role="tablist" aria-label="Filter by status">
      {['', ...STATUSES].map((s) => (
        <button
          key={s || 'all'}
          type="button"
          role="tab"
          aria-selected={!props.review && props.current === s}
          className={`tab ${!props.review && props.current === s ? 'active' : ''}`}
          onClick={() => props.onPick(s)}
        >
          {s ? s[0]!.toUpperCase() + s.slice(1) : 'All'}
          {count(s) !== undefined && <span className="tab-count">{count(s)}</span>}
        </button>
      ))}
      <button type="button" role="tab" aria-selected={props.review} className={`tab ${props.review ? 'active' : ''}`} onClick={props.onReview}>
        Needs review
        {reviewCount !== undefined && <span className={`tab-count ${reviewCount ? 'tab-count-warning' : ''}`}>{reviewCount}</span>}
      </button>
    </div>
  );
}

