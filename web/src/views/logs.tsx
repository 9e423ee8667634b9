// Logs: recent lines of the server and its worker processes (GET /api/logs),
// newest first, with a level filter, a text filter, live refresh and a
// download of everything kept. Keys never reach the page (the server takes
// them out).
import { useMemo, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { ResponseOf } from '../api/types';
import { ErrorBanner, Loading, PageHeader } from '../components/bits';
import { Icon } from '../components/icons';
import { useResource } from '../lib/use-resource';

type Logs = ResponseOf<'/api/logs', 'get'>;
type Line = Logs['lines'][number];
type Level = Line['level'];

const LEVELS: { value: Level | ''; label: string }[] = [
  { value: '', label: 'All levels' },
  { value: 'info', label: 'Info and above' },
  { value: 'warn', label: 'Warnings and errors' },
  { value: 'error', label: 'Errors only' },
];
const LIMIT = 500;
const LIVE_MS = 3000;

function timeOf(iso: string): string {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false });
}

function fieldsText(fields: Line['fields']): string {
  const entries = Object.entries(fields).filter(([k]) => k !== 'node');
  if (!entries.length) return '';
  return entries
    .map(([k, v]) => {
      if (k === 'err' && v && typeof v === 'object' && 'message' in v) return `err: ${String((v as { message: unknown }).message)}`;
      return `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`;
    })
    .join('  ');
}

function LogLine({ line }: { line: Line }): ReactNode {
  const extra = fieldsText(line.fields);
  return (
    <li className={`log-line log-${line.level}`}>
      <time className="log-time" dateTime={line.time} title={line.time}>
        {timeOf(line.time)}
      </time>
      <span className={`log-level log-level-${line.level}`}>{line.level.toUpperCase()}</span>
      <span className="log-source">{line.source}</span>
      <span className="log-message">
        {line.message}
        {extra && <span className="log-fields"> {extra}</span>}
      </span>
    </li>
  );
}

async function download(): Promise<void> {
  const { data, response } = await api.GET('/api/logs/download', { params: { query: { format: 'text' } }, parseAs: 'blob' });
  if (!response.ok || !data) throw new Error(`The download failed (${response.status}): try again, or copy the file from the server's data folder (logs/transcriptorio.log).`);
  const name = /filename="([^"]+)"/.exec(response.headers.get('content-disposition') ?? '')?.[1] ?? 'transcriptorio.log';
  const url = URL.createObjectURL(data as Blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function LogsView(): ReactNode {
  const [level, setLevel] = useState<Level | ''>('');
  const [text, setText] = useState('');
  const [live, setLive] = useState(true);
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const logs = useResource(
    () => unwrap(api.GET('/api/logs', { params: { query: { limit: LIMIT, ...(level ? { level } : {}) } } })),
    [level],
    { refreshMs: live ? LIVE_MS : 0 },
  );
  const shown = useMemo(() => {
    const needle = text.trim().toLowerCase();
    const lines = [...(logs.data?.lines ?? [])].reverse();
    if (!needle) return lines;
    return lines.filter((l) => `${l.source} ${l.message} ${fieldsText(l.fields)}`.toLowerCase().includes(needle));
  }, [logs.data, text]);

  return (
    <>
      <PageHeader
        title="Logs"
        actions={
          <button
            type="button"
            className="btn"
            onClick={() => {
              setDownloadError(null);
              download().catch((e) => setDownloadError(messageOf(e)));
            }}
          >
            <Icon name="download" /> Download logs
          </button>
        }
      >
        <p className="muted">Recent lines of the server and its workers, newest first. API keys are taken out.</p>
      </PageHeader>
      <ErrorBanner error={downloadError} />
      <div className="logs-toolbar" role="search">
        <select aria-label="Level" value={level} onChange={(e) => setLevel(e.target.value as Level | '')}>
          {LEVELS.map((l) => (
            <option key={l.value} value={l.value}>
              {l.label}
            </option>
          ))}
        </select>
        <input type="search" className="logs-search" aria-label="Filter lines" placeholder="Filter lines…" value={text} onChange={(e) => setText(e.target.value)} />
        <label className="logs-live">
          <input type="checkbox" checked={live} onChange={(e) => setLive(e.target.checked)} /> Live
        </label>
        <button type="button" className="btn" onClick={() => void logs.reload()}>
          <Icon name="refresh" /> Refresh
        </button>
      </div>
      <ErrorBanner error={logs.error} onRetry={() => void logs.reload()} />
      {logs.loading && !logs.data ? (
        <Loading />
      ) : shown.length === 0 ? (
        <div className="empty card">{text || level ? 'No line matches these filters.' : 'No log lines yet. Lines appear here as the server and its workers write them.'}</div>
      ) : (
        <>
          <ol className="log-list card" aria-label="Log lines" aria-live="off">
            {shown.map((l, i) => (
              <LogLine key={`${l.time}-${i}`} line={l} />
            ))}
          </ol>
          {logs.data?.truncated && (
            <p className="muted logs-more">
              Showing the newest {LIMIT} lines. Download the logs for everything kept.
            </p>
          )}
        </>
      )}
    </>
  );
}
