// One job in full: stage, progress, ETA, model, device, timings, output, error.
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { Job } from '../api/types';
import { Detail, JobProgress, Loading, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { Modal } from '../components/modal';
import { formatDateTime, formatDuration } from '../lib/format';
import { TERMINAL } from '../lib/jobs';

export function JobDetails(props: {
  jobId: string;
  initial?: Job;
  onClose: () => void;
  onAction: (j: Job, kind: 'retry' | 'cancel') => void;
}): ReactNode {
  const [job, setJob] = useState<Job | undefined>(props.initial);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    unwrap(api.GET('/api/jobs/{job_id}', { params: { path: { job_id: props.jobId } } })).then(setJob, (e) => setError(messageOf(e)));
  }, [props.jobId]);
  useLive('job.updated', (j) => {
    if (j.id === props.jobId) setJob(j);
  });

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
            {job.current_stage && <span className="muted">stage: {job.current_stage}</span>}
          </div>
          {job.status === 'processing' && <JobProgress progress={job.progress} eta={job.eta_seconds} stage={job.current_stage} label="Job progress" />}
          {job.error && (
            <div className="alert alert-error">
              <pre className="error-pre">{job.error}</pre>
            </div>
          )}
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
            <Detail term="Segments">{job.segments_count ?? '—'}</Detail>
            <Detail term="Created">{formatDateTime(job.created_at)}</Detail>
            <Detail term="Started">{formatDateTime(job.started_at)}</Detail>
            <Detail term="Finished">{formatDateTime(job.completed_at)}</Detail>
            <Detail term="Processing time">{formatDuration(job.processing_time_seconds)}</Detail>
            <Detail term="Retries">{job.retry_count}</Detail>
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
