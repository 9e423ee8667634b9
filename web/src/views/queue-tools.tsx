// The queue's tools: search, sort and filters; the bar of actions on the
// selected jobs; a failed job's error cut short in its row.
import type { ReactNode } from 'react';
import type { Rule } from '../api/types';
import { Icon } from '../components/icons';
import { LanguageSelect } from '../components/language-picker';
import { plural } from '../lib/format';
import { shortError } from '../lib/jobs';

export function QueueToolbar(props: {
  searchText: string;
  onSearchText: (text: string) => void;
  sort: string;
  sorts: ReadonlyArray<{ value: string; label: string }>;
  rule: string;
  rules: Rule[];
  language: string;
  refined: boolean;
  onRefine: (q: { q?: string; sort?: string; rule?: string; lang?: string }) => void;
}): ReactNode {
  return (
    <div className="queue-toolbar" role="search">
      <input
        type="search"
        className="queue-search"
        aria-label="Search jobs by path"
        placeholder="Search by path…"
        value={props.searchText}
        onChange={(e) => props.onSearchText(e.target.value)}
      />
      <select aria-label="Sort jobs" value={props.sort} onChange={(e) => props.onRefine({ sort: e.target.value })}>
        {props.sorts.map((s) => (
          <option key={s.value} value={s.value}>
            {s.label}
          </option>
        ))}
      </select>
      <select aria-label="Filter by rule" value={props.rule} onChange={(e) => props.onRefine({ rule: e.target.value })}>
        <option value="">Any rule</option>
        {props.rules.map((r) => (
          <option key={r.id} value={String(r.id)}>
            {r.name}
          </option>
        ))}
      </select>
      <LanguageSelect label="Filter by language" value={props.language} emptyLabel="Any language" onChange={(code) => props.onRefine({ lang: code })} />
      {props.refined && (
        <button type="button" className="btn btn-link" onClick={() => props.onRefine({ q: '', rule: '', lang: '' })}>
          Clear filters
        </button>
      )}
    </div>
  );
}

export function BulkBar(props: {
  count: number;
  busy: boolean;
  canRetry: boolean;
  canCancel: boolean;
  canRemove: boolean;
  onRetry: () => void;
  onCancel: () => void;
  onRemove: () => void;
  onClear: () => void;
}): ReactNode {
  return (
    <div className="bulk-bar" role="region" aria-label="Selected jobs">
      <span className="bulk-count">{plural(props.count, 'job')} selected</span>
      <button type="button" className="btn btn-small" disabled={props.busy || !props.canRetry} onClick={props.onRetry}>
        <Icon name="retry" size={14} /> Retry
      </button>
      <button type="button" className="btn btn-small" disabled={props.busy || !props.canCancel} onClick={props.onCancel}>
        <Icon name="stop" size={14} /> Cancel
      </button>
      <button type="button" className="btn btn-small" disabled={props.busy || !props.canRemove} onClick={props.onRemove}>
        <Icon name="trash" size={14} /> Remove
      </button>
      <button type="button" className="btn btn-small btn-link" onClick={props.onClear}>
        Clear selection
      </button>
    </div>
  );
}

/** A failed job's error in its row: the first line, cut when long; the full text is in the job's details. */
export function RowError({ error, onDetails }: { error: string; onDetails: () => void }): ReactNode {
  const short = shortError(error);
  return (
    <span className="error-text row-error" title={short.cut ? error : undefined}>
      {short.text}
      {short.cut && (
        <>
          {' '}
          <button type="button" className="btn-inline" onClick={onDetails}>
            Details
          </button>
        </>
      )}
    </span>
  );
}
