// One job in full: where it stands, why it failed, its timeline (who created
// it, which worker ran each attempt, each stage, each retry and its reason),
// the subtitle it wrote (first cues, download, path), its quality (score,
// flagged passages to listen to, Accept / Redo / Delete ours), and its figures.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { Job, ResponseOf } from '../api/types';
import { Detail, JobProgress, Loading, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { Modal } from '../components/modal';
import { QualityPanel } from '../components/quality-panel-lazy';
import { ScoreBadge } from '../components/score-badge';
import { ReviewActions, useLibraryItemId } from '../components/review-actions';
import { formatDateTime, formatDuration, parseTime } from '../lib/format';
import { eventTitle, firstCues, stageLabel, stageText, TERMINAL } from '../lib/jobs';
import { cueSpan, outcomeText, reasonText } from '../lib/quality';
import { debounce } from '../lib/use-resource';

type JobEvent = ResponseOf<'/api/jobs/{job_id}/events', 'get'>['events'][number];

export function JobDetails(props: {
  jobId: string;
  initial?: Job;
  onClose: () => void;
  onAction: (j: Job, kind: 'retry' | 'cancel') => void;
}): ReactNode {
  const [job, setJob] = useState<Job | undefined>(props.initial);
  const [error, setError] = useState<string | null>(null);
  const [events, setEvents] = useState<JobEvent[] | null>(null);
  const loadEvents = useMemo(
    () => () =>
      unwrap(api.GET('/api/jobs/{job_id}/events', { params: { path: { job_id: props.jobId } } })).then(
        (r) => setEvents(r.events),
        () => setEvents((e) => e ?? []),
      ),
    [props.jobId],
  );
  const eventsSoon = useMemo(() => debounce(() => void loadEvents(), 400), [loadEvents]);
  useEffect(() => {
    unwrap(api.GET('/api/jobs/{job_id}', { params: { path: { job_id: props.jobId } } })).then(setJob, (e) => setError(messageOf(e)));
    void loadEvents();
  }, [props.jobId, loadEvents]);
  useLive('job.updated', (j) => {
    if (j.id !== props.jobId) return;
    setJob(j);
    eventsSoon();
  });

  // The stage an ended attempt had reached is in its event: the job's own stage is the end.
  const lastEnd = events?.filter((e) => e.kind === 'failed' || e.kind === 'cancelled').at(-1);
  return (
    <Modal
      title={job?.file_name ?? 'Job'}
      open
      onClose={props.onClose}
      wide
      footer={
        job && (
          <>
            {job.status === 'failed' && (
              <button type="button" className="btn btn-primary" onClick={() => props.onAction(job, 'retry')}>
                <Icon name="retry" /> Retry
              </button>
            )}
            {!TERMINAL.has(job.status) && (
              <button type="button" className="btn btn-danger" onClick={() => props.onAction(job, 'cancel')}>
                <Icon name="stop" /> Cancel job
              </button>
            )}
            <button type="button" className="btn" onClick={props.onClose}>
              Close
            </button>
          </>
        )
      }
    >
      {error && <p className="field-error">{error}</p>}
      {!job ? (
        !error && <Loading />
      ) : (
        <div className="job-details" data-status={job.status}>
          <div className="job-details-status">
            <StatusBadge status={job.status} />
            {job.needs_review && <ScoreBadge score={job.quality_score} needsReview />}
            <span className="muted job-stage" data-stage={job.current_stage ?? ''}>
              {job.status === 'failed' && lastEnd?.stage ? `failed while ${stageLabel(lastEnd.stage)}` : stageText(job)}
            </span>
          </div>
          {job.status === 'processing' && <JobProgress progress={job.progress} eta={job.eta_seconds} stage={job.current_stage} label="Job progress" />}
          {job.error && (
            <div className="alert alert-error job-error">
              {job.error_code && <code className="error-code">{job.error_code}</code>}
              <pre className="error-pre">{job.error}</pre>
            </div>
          )}
          {job.status === 'completed' && job.job_type === 'transcription' && <JobQualitySection job={job} onJob={setJob} />}
          {job.status === 'completed' && <SubtitlePreview job={job} />}
          <section className="job-section" aria-label="Timeline">
            <h3>Timeline</h3>
            {events === null ? <Loading label="Loading the timeline…" /> : <Timeline events={events} />}
          </section>
          <dl className="details">
            <Detail term="File">
              <code className="break">{job.file_path}</code>
            </Detail>
            <Detail term="Output">{job.output_path ? <code className="break output-path">{job.output_path}</code> : '—'}</Detail>
            <Detail term="Languages">
              {job.source_lang ?? 'auto'} → {job.target_lang} ({job.transcribe_or_translate})
            </Detail>
            <Detail term="Quality">{job.quality_preset}</Detail>
            <Detail term="Priority">{job.priority}</Detail>
            <Detail term="Progress">{`${(job.progress ?? 0).toFixed(1)}%`}</Detail>
            <Detail term="ETA">{job.eta_seconds ? formatDuration(job.eta_seconds) : '—'}</Detail>
            <Detail term="Model">{job.model_used ?? '—'}</Detail>
            <Detail term="Device">{job.device_used ?? '—'}</Detail>
            <Detail term="Worker">{job.worker_id ?? '—'}</Detail>
            <Detail term="Node">{job.node ?? '—'}</Detail>
            <Detail term="Segments">{job.segments_count ?? '—'}</Detail>
            <Detail term="Created">{formatDateTime(job.created_at)}</Detail>
            <Detail term="Started">{formatDateTime(job.started_at)}</Detail>
            <Detail term="Finished">{formatDateTime(job.completed_at)}</Detail>
            <Detail term="Processing time">{formatDuration(job.processing_time_seconds)}</Detail>
            <Detail term="Retries">
              <span className="job-retries">{job.retry_count}</span>
            </Detail>
            {job.vram_used_mb ? <Detail term="VRAM">{`${job.vram_used_mb} MB`}</Detail> : null}
            <Detail term="Job ID">
              <code>{job.id}</code>
            </Detail>
          </dl>
        </div>
      )}
    </Modal>
  );
}

/** The quality panel of a finished job, with Redo and Delete ours when the file is in the library. */
function JobQualitySection({ job, onJob }: { job: Job; onJob: (j: Job) => void }): ReactNode {
  const itemId = useLibraryItemId(job.file_path);
  return (
    <QualityPanel
      jobId={job.id}
      version={`${job.completed_at ?? ''}|${job.needs_review ? 1 : 0}`}
      onAccepted={onJob}
      actions={
        itemId ? (
          <ReviewActions itemId={itemId} targetLang={job.target_lang} preset={job.quality_preset} fileName={job.file_name} />
        ) : itemId === null ? (
          <span className="muted small">Redo and Delete work on files of your library folders; this file is not one of them.</span>
        ) : null
      }
    />
  );
}

/** A re-decoded passage in words: when, why, what came of it. */
function RetryLine({ data }: { data: Record<string, unknown> }): ReactNode {
  const num = (k: string) => (typeof data[k] === 'number' ? (data[k] as number) : null);
  const start = num('start');
  const end = num('end');
  const before = num('before');
  const after = num('after');
  const seconds = num('seconds');
  const budget = num('budget_seconds');
  const reasons = Array.isArray(data.reasons) ? data.reasons.map((r) => reasonText(String(r))) : [];
  const outcome = typeof data.outcome === 'string' ? data.outcome : null;
  return (
    <span className="timeline-message">
      {start !== null && end !== null ? cueSpan(start, end) : 'A passage'}
      {reasons.length ? ` (${reasons.join(', ')})` : ''}
      {outcome ? `: ${outcomeText(outcome)}` : ''}
      {outcome === 'skipped_budget' ? (
        budget !== null ? ` · ${budget.toFixed(1)} s were allowed for all of them` : ''
      ) : (
        <>
          {before !== null ? ` · passage score ${before.toFixed(2)}${after !== null ? ` → ${after.toFixed(2)}` : ''}` : ''}
          {seconds !== null ? ` · took ${seconds.toFixed(1)} s${budget !== null ? ` of ${budget.toFixed(1)} s allowed` : ''}` : ''}
        </>
      )}
    </span>
  );
}

const clock = new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });

function since(prev: JobEvent | undefined, e: JobEvent): string {
  const a = parseTime(prev?.at);
  const b = parseTime(e.at);
  if (!a || !b) return '';
  const s = (b.getTime() - a.getTime()) / 1000;
  return s < 0.05 ? '' : s < 60 ? `+${s.toFixed(1)} s` : `+${formatDuration(s)}`;
}

const capitalize = (s: string) => (s ? s[0]!.toUpperCase() + s.slice(1) : s);

function Timeline({ events }: { events: JobEvent[] }): ReactNode {
  if (!events.length) return <p className="muted">No events recorded for this job.</p>;
  return (
    <ol className="timeline">
      {events.map((e, i) => {
        const at = parseTime(e.at);
        const attempt = typeof e.data?.attempt === 'number' ? e.data.attempt : null;
        const where = [e.worker_id && `worker ${e.worker_id}`, e.node && `node ${e.node}`].filter(Boolean).join(' · ');
        const ended = e.kind === 'failed' || e.kind === 'retry_scheduled' || e.kind === 'cancelled' || e.kind === 'handed_back';
        return (
          <li key={e.id} className={`timeline-item timeline-${e.kind}`} data-kind={e.kind}>
            <time className="timeline-time" dateTime={e.at} title={formatDateTime(e.at)}>
              {at ? clock.format(at) : ''}
              <span className="muted"> {since(events[i - 1], e)}</span>
            </time>
            <div className="timeline-body">
              <strong className="timeline-title">
                {e.kind === 'stage' ? capitalize(stageLabel(e.stage)) : eventTitle(e.kind)}
                {attempt !== null && (e.kind === 'failed' || e.kind === 'retry_scheduled') ? ` (attempt ${attempt})` : ''}
              </strong>
              {e.kind === 'quality_retry' && e.data ? (
                <RetryLine data={e.data} />
              ) : (
                e.kind !== 'stage' && e.message && <span className="timeline-message">{e.message}</span>
              )}
              {(ended && e.stage) || e.error_code || where ? (
                <span className="timeline-meta muted">
                  {[ended && e.stage ? `while ${stageLabel(e.stage)}` : '', e.error_code ?? '', where].filter(Boolean).join(' · ')}
                </span>
              ) : null}
              {typeof e.data?.next_attempt_at === 'string' && (
                <span className="timeline-meta muted">next attempt after {formatDateTime(e.data.next_attempt_at)}</span>
              )}
            </div>
          </li>
        );
      })}
    </ol>
  );
}

/** The first cues of the subtitle the job wrote, a download link and its path; or why there is none. */
function SubtitlePreview({ job }: { job: Job }): ReactNode {
  const [text, setText] = useState<string | null>(null);
  const [missing, setMissing] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setText(null);
    setMissing(null);
    api
      .GET('/api/jobs/{job_id}/subtitle', { params: { path: { job_id: job.id } }, parseAs: 'text' })
      .then((r) => {
        if (!live) return;
        if (r.response.ok && typeof r.data === 'string') setText(r.data);
        else setMissing(messageOfBody(r.error) ?? `No subtitle (${r.response.status})`);
      })
      .catch((e) => live && setMissing(messageOf(e)));
    return () => {
      live = false;
    };
  }, [job.id, job.output_path]);
  const fileName = job.output_path?.split(/[\\/]/).pop() ?? 'subtitle.srt';
  const url = useMemo(() => (text === null ? null : URL.createObjectURL(new Blob([text], { type: 'text/plain;charset=utf-8' }))), [text]);
  useEffect(() => () => void (url && URL.revokeObjectURL(url)), [url]);
  const cues = text ? firstCues(text, 6) : [];
  return (
    <section className="job-section subtitle-preview" aria-label="Subtitle">
      <h3>Subtitle</h3>
      {missing ? (
        <p className="muted subtitle-missing">{missing}</p>
      ) : text === null ? (
        <Loading label="Loading the subtitle…" />
      ) : (
        <>
          <div className="subtitle-head">
            <code className="break subtitle-path">{job.output_path}</code>
            {url && (
              <a className="btn btn-small subtitle-download" href={url} download={fileName}>
                <Icon name="download" size={14} /> Download
              </a>
            )}
          </div>
          {cues.length ? (
            <ol className="cue-list" aria-label="First cues">
              {cues.map((c) => (
                <li key={c.index} className="cue">
                  <span className="cue-time muted">
                    {c.start} → {c.end}
                  </span>
                  <span className="cue-text">{c.text}</span>
                </li>
              ))}
            </ol>
          ) : (
            <p className="muted">The file has no cues.</p>
          )}
        </>
      )}
    </section>
  );
}

function messageOfBody(body: unknown): string | null {
  if (typeof body === 'string') {
    try {
      const parsed = JSON.parse(body) as { detail?: unknown };
      return typeof parsed.detail === 'string' ? parsed.detail : body;
    } catch {
      return body || null;
    }
  }
  if (body && typeof body === 'object' && typeof (body as { detail?: unknown }).detail === 'string') return (body as { detail: string }).detail;
  return null;
}
