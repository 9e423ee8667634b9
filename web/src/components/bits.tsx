// Small presentational pieces shared by the views.
import type { ReactNode } from 'react';
import { formatDuration, formatPercent } from '../lib/format';
import { QUALITY_PRESETS, label, type QualityPreset } from '../lib/kinds';

export function StatusBadge({ status }: { status: string | null | undefined }): ReactNode {
  const s = status ?? 'unknown';
  return <span className={`badge badge-${s.replace(/[^a-z_-]/gi, '')}`}>{s}</span>;
}

export function ProgressBar(props: { value: number | null | undefined; label: string; status?: string }): ReactNode {
  const v = Math.max(0, Math.min(100, props.value ?? 0));
  return (
    <div
      className={`progress ${props.status ? `progress-${props.status}` : ''}`}
      role="progressbar"
      aria-label={props.label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={Math.round(v)}
    >
      <div className="progress-fill" style={{ width: `${v}%` }} />
    </div>
  );
}

/** Progress bar with percentage and ETA text beside it. */
export function JobProgress(props: {
  progress: number | null | undefined;
  eta: number | null | undefined;
  stage?: string | null;
  label: string;
}): ReactNode {
  return (
    <div className="job-progress">
      <ProgressBar value={props.progress} label={props.label} status="processing" />
      <span className="job-progress-text">
        {formatPercent(props.progress ?? 0)}
        {props.stage ? ` · ${props.stage}` : ''}
        {props.eta ? ` · ETA ${formatDuration(props.eta)}` : ''}
      </span>
    </div>
  );
}

export function Gauge(props: { label: string; percent: number | null | undefined; detail?: string }): ReactNode {
  const p = Math.max(0, Math.min(100, props.percent ?? 0));
  const r = 36;
  const c = 2 * Math.PI * r;
  const level = p >= 90 ? 'danger' : p >= 70 ? 'warning' : 'ok';
  return (
    <figure className="gauge" role="meter" aria-label={props.label} aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(p)}>
      <svg viewBox="0 0 88 88" aria-hidden="true">
        <circle cx="44" cy="44" r={r} className="gauge-track" />
        <circle
          cx="44"
          cy="44"
          r={r}
          className={`gauge-value gauge-${level}`}
          strokeDasharray={`${(p / 100) * c} ${c}`}
          transform="rotate(-90 44 44)"
        />
        <text x="44" y="49" textAnchor="middle" className="gauge-text">
          {props.percent === null || props.percent === undefined ? '—' : `${Math.round(p)}%`}
        </text>
      </svg>
      <figcaption>
        <strong>{props.label}</strong>
        {props.detail && <span className="muted">{props.detail}</span>}
      </figcaption>
    </figure>
  );
}

export function EmptyState({ children }: { children: ReactNode }): ReactNode {
  return <div className="empty">{children}</div>;
}

export function ErrorBanner({ error, onRetry }: { error: string | null; onRetry?: () => void }): ReactNode {
  if (!error) return null;
  return (
    <div className="alert alert-error" role="alert">
      <span>{error}</span>
      {onRetry && (
        <button type="button" className="btn btn-small" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }): ReactNode {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function PageHeader(props: { title: string; actions?: ReactNode; children?: ReactNode }): ReactNode {
  return (
    <header className="page-header">
      <div>
        <h1>{props.title}</h1>
        {props.children}
      </div>
      {props.actions && <div className="page-actions">{props.actions}</div>}
    </header>
  );
}

export function Pagination(props: {
  page: number;
  pageSize: number;
  total: number;
  onPage: (p: number) => void;
}): ReactNode {
  const pages = Math.max(1, Math.ceil(props.total / props.pageSize));
  if (pages <= 1) return null;
  return (
    <nav className="pagination" aria-label="Pagination">
      <button type="button" className="btn btn-small" disabled={props.page <= 1} onClick={() => props.onPage(1)} aria-label="First page">
        «
      </button>
      <button type="button" className="btn btn-small" disabled={props.page <= 1} onClick={() => props.onPage(props.page - 1)} aria-label="Previous page">
        ‹
      </button>
      <span aria-live="polite">
        Page {props.page} of {pages}
      </span>
      <button type="button" className="btn btn-small" disabled={props.page >= pages} onClick={() => props.onPage(props.page + 1)} aria-label="Next page">
        ›
      </button>
      <button type="button" className="btn btn-small" disabled={props.page >= pages} onClick={() => props.onPage(pages)} aria-label="Last page">
        »
      </button>
    </nav>
  );
}

/** A definition list row pair for detail panels. */
export function Detail({ term, children }: { term: string; children: ReactNode }): ReactNode {
  return (
    <>
      <dt>{term}</dt>
      <dd>{children ?? '—'}</dd>
    </>
  );
}

/** The quality preset picker (fast, balanced, best) every job and rule form uses. */
export function PresetSelect(props: { id: string; value: string; onChange: (preset: QualityPreset) => void }): ReactNode {
  return (
    <select id={props.id} value={props.value} onChange={(e) => props.onChange(e.target.value as QualityPreset)}>
      {QUALITY_PRESETS.map((p) => (
        <option key={p} value={p}>
          {label(p)}
        </option>
      ))}
    </select>
  );
}
