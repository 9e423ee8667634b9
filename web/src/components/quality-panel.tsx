// A subtitle's quality as a person reviews it: the score and where its points
// went, what was decoded again, the flagged passages (each playable), and
// Accept, which clears the "needs review" flag. The page adds its own Redo and
// Delete actions (they differ between the job and the library item).
import { useEffect, useState, type ReactNode } from 'react';
import { messageOf } from '../api/client';
import type { Job, JobQuality } from '../api/types';
import { formatDateTime, plural } from '../lib/format';
import { outcomeText, penaltyText, scoreTone } from '../lib/quality';
import { toast } from '../lib/toast';
import { Loading } from './bits';
import { FlaggedCues } from './flagged-cues';
import { acceptReview, fetchJobQuality } from './quality-api';

/** "1 replaced by a better reading; 2 kept: …" */
function outcomes(list: string[]): string[] {
  const counts = new Map<string, number>();
  for (const o of list) counts.set(o, (counts.get(o) ?? 0) + 1);
  return [...counts].map(([o, n]) => `${n} ${outcomeText(o)}`);
}

export function QualityPanel(props: {
  jobId: string;
  /** a change of this value loads the report again (the job was updated) */
  version?: string | number;
  heading?: string;
  actions?: ReactNode;
  onAccepted?: (job: Job) => void;
}): ReactNode {
  const [data, setData] = useState<JobQuality | null | undefined>(undefined);
  const [reason, setReason] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    let live = true;
    fetchJobQuality(props.jobId).then(
      (r) => {
        if (!live) return;
        setData(r.quality);
        setReason(r.reason);
        setError(null);
      },
      (e) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
  }, [props.jobId, props.version]);

  async function accept() {
    setBusy(true);
    try {
      const job = await acceptReview(props.jobId);
      setData((d) => (d ? { ...d, needs_review: false, review_accepted_at: new Date().toISOString(), report: { ...d.report, needs_review: false } } : d));
      toast.success('Accepted: this subtitle no longer waits for review.');
      props.onAccepted?.(job);
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const heading = props.heading ?? 'Quality';
  if (data === undefined || data === null) {
    return (
      <section className="job-section quality-panel" aria-label={heading}>
        <h3>{heading}</h3>
        {error ? <p className="error-text">{error}</p> : data === null ? <p className="muted">{reason ?? 'This subtitle has no quality report.'}</p> : <Loading label="Loading the quality report…" />}
        {props.actions && <div className="card-actions">{props.actions}</div>}
      </section>
    );
  }
  const r = data.report;
  const penalties = Object.entries(r.penalties).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  const attempts = r.redecode?.attempts ?? [];
  return (
    <section className="job-section quality-panel" aria-label={heading} data-needs-review={data.needs_review ? 'true' : 'false'}>
      <h3>{heading}</h3>
      <div className="quality-head">
        <span className={`quality-score tone-${scoreTone(r.score, data.needs_review)}`} aria-label={`Score ${r.score} of 100`}>
          {r.score}
          <span className="muted small"> / 100</span>
        </span>
        <p className="quality-verdict">
          {data.needs_review ? (
            <strong>Needs review: the score is under {r.threshold}. Listen to the flagged passages, then accept or redo it.</strong>
          ) : data.review_accepted_at ? (
            <>Accepted {formatDateTime(data.review_accepted_at)}.</>
          ) : (
            <>Good enough to use without a check (review below {r.threshold}).</>
          )}{' '}
          <span className="muted">
            {plural(r.cues, 'cue')}, {plural(r.flagged.length, 'flagged passage')}.
          </span>
        </p>
      </div>
      {penalties.length > 0 && (
        <ul className="penalties" aria-label="Where the points went">
          {penalties.map(([k, v]) => (
            <li key={k}>
              <span>{penaltyText(k)}</span>
              <span className="penalty-points">−{Math.round(v * 10) / 10}</span>
            </li>
          ))}
        </ul>
      )}
      {attempts.length > 0 && (
        <p className="muted small redecode-summary">
          Decoding unsure passages again ({r.redecode.seconds.toFixed(1)} s of the {r.redecode.budget_seconds.toFixed(1)} s allowed): {outcomes(attempts.map((a) => a.outcome)).join(', ')}.
        </p>
      )}
      <FlaggedCues jobId={props.jobId} cues={r.flagged} />
      <div className="card-actions">
        {data.needs_review && (
          <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void accept()}>
            Accept
          </button>
        )}
        {props.actions}
      </div>
    </section>
  );
}
