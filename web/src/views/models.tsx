// Whisper models: installed and available, the one suggested for this
// machine, size, download with live progress, delete. The Silero VAD model
// ships with the product and is listed as installed.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { Model, ModelDownload } from '../api/types';
import { EmptyState, ErrorBanner, Loading, PageHeader, ProgressBar, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { ConfirmDialog } from '../components/modal';
import { formatBytes } from '../lib/format';
import { href } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

export function Models(): ReactNode {
  const models = useResource(() => unwrap(api.GET('/api/models', {})), []);
  const rec = useResource(() => unwrap(api.GET('/api/models/recommendation', {})), [], { refreshMs: 0 });
  const [downloads, setDownloads] = useState<Record<string, ModelDownload>>({});
  const [deleting, setDeleting] = useState<Model | null>(null);

  useLive('model.download', (d) => {
    setDownloads((m) => ({ ...m, [d.name]: d }));
    if (d.status === 'done') {
      toast.success(`Downloaded ${d.name}`);
      void models.reload();
    } else if (d.status === 'error') {
      toast.error(`Download of ${d.name} failed${d.error ? `: ${d.error}` : ''}. Try again, or copy the file into the model folder.`);
    }
  });

  async function download(m: Model) {
    try {
      await unwrap(api.POST('/api/models/{name}/download', { params: { path: { name: m.name } } }));
      setDownloads((d) => ({ ...d, [m.name]: { name: m.name, received_bytes: 0, total_bytes: m.size_bytes ?? null, percent: 0, status: 'queued' } }));
    } catch (e) {
      toast.error(messageOf(e));
    }
  }

  async function remove(m: Model) {
    try {
      await unwrap(api.DELETE('/api/models/{name}', { params: { path: { name: m.name } } }));
      toast.success(`Deleted ${m.name}`);
      void models.reload();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setDeleting(null);
    }
  }

  const list = models.data ?? [];
  const installed = list.filter((m) => m.installed);
  const available = list.filter((m) => !m.installed);
  return (
    <div className="view">
      <PageHeader title="Models">
        <p className="muted">
          Whisper models used for transcription. Every quality preset uses the Whisper model unless it has its own; both are set in{' '}
          <a href={href('/settings/model')}>Settings → Model and quality</a>.
        </p>
        {rec.data && (
          <p className="muted" data-testid="models-folder">
            Model files are kept in <code className="path-abs">{rec.data.model_dir}</code> (the model folder, <a href={href('/settings/model_path')}>model_path</a>).
          </p>
        )}
      </PageHeader>
      {rec.data && (
        <section className="card model-advice" aria-labelledby="rec-h">
          <h2 id="rec-h">Recommended for this machine: {rec.data.name}</h2>
          <p>{rec.data.reason}</p>
          <p className="muted">
            Without internet, copy a ggml model file (for example <code>ggml-{rec.data.name}.bin</code>) into the model folder{' '}
            <code className="path-abs">{rec.data.model_dir}</code>; it is listed here at once.
          </p>
        </section>
      )}
      <ErrorBanner error={models.error} onRetry={() => void models.reload()} />
      {!models.data ? (
        models.loading && <Loading />
      ) : (
        <>
          <section className="card" aria-labelledby="inst-h">
            <h2 id="inst-h">Installed</h2>
            {installed.length === 0 ? <EmptyState>No model installed yet. Download one below.</EmptyState> : <ModelTable models={installed} downloads={downloads} onDelete={setDeleting} onDownload={download} />}
          </section>
          <section className="card" aria-labelledby="avail-h">
            <h2 id="avail-h">Available</h2>
            {available.length === 0 ? <EmptyState>Every known model is installed.</EmptyState> : <ModelTable models={available} downloads={downloads} onDelete={setDeleting} onDownload={download} />}
          </section>
        </>
      )}
      <ConfirmDialog
        open={!!deleting}
        title="Delete model"
        message={`Delete ${deleting?.name ?? ''} (${formatBytes(deleting?.size_bytes)}) from disk?`}
        confirmLabel="Delete"
        danger
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

const ACTIVE = new Set(['queued', 'downloading', 'verifying']);

function ModelTable(props: {
  models: Model[];
  downloads: Record<string, ModelDownload>;
  onDownload: (m: Model) => void;
  onDelete: (m: Model) => void;
}): ReactNode {
  return (
    <div className="table-wrap">
      <table className="table table-cards">
        <caption className="sr-only">Models</caption>
        <thead>
          <tr>
            <th scope="col">Model</th>
            <th scope="col" className="cell-size">Size</th>
            <th scope="col">Description</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {props.models.map((m) => {
            // A download started before this page opened shows from the list until events arrive.
            const d: ModelDownload | undefined =
              props.downloads[m.name] ??
              (m.downloading
                ? { name: m.name, status: 'downloading', received_bytes: m.partial_bytes ?? 0, total_bytes: m.size_bytes, percent: m.progress ?? 0 }
                : undefined);
            const active = !!d && ACTIVE.has(d.status);
            return (
              <tr key={m.name} data-model={m.name}>
                <td data-label="Model">
                  <span className="model-name">
                    <strong>{m.name}</strong>
                    {m.recommended && <span className="badge badge-completed model-tag">recommended</span>}
                    {m.bundled && <span className="badge badge-skip model-tag" title="Shipped with TranscriptorIO">bundled</span>}
                    {m.in_use && (
                      <span className="badge badge-running model-in-use" title={`Used by the ${m.used_by.join(', ')} preset${m.used_by.length === 1 ? '' : 's'}`}>
                        in use{m.used_by.length < 3 ? ` · ${m.used_by.join(', ')}` : ''}
                      </span>
                    )}
                    <span className="muted small mono model-file">{m.file}</span>
                  </span>
                </td>
                <td data-label="Size" className="cell-size">{formatBytes(m.size_bytes)}</td>
                <td data-label="Description">{m.description ?? ''}</td>
                <td className="cell-actions cell-progress">
                  {active ? (
                    <div className="job-progress">
                      <ProgressBar value={d.percent ?? 0} label={`Downloading ${m.name}`} status="processing" />
                      <span className="job-progress-text">
                        {d.percent !== null ? `${Math.round(d.percent)}%` : ''} {formatBytes(d.received_bytes)}
                        {d.total_bytes ? ` / ${formatBytes(d.total_bytes)}` : ''}
                        {d.bytes_per_second ? ` · ${formatBytes(d.bytes_per_second)}/s` : ''}
                      </span>
                    </div>
                  ) : m.bundled ? (
                    <span className="muted small">Ships with TranscriptorIO</span>
                  ) : m.installed ? (
                    <button type="button" className="btn btn-small" onClick={() => props.onDelete(m)} aria-label={`Delete ${m.name}`}>
                      <Icon name="trash" size={14} /> Delete
                    </button>
                  ) : (
                    <>
                      {d?.status === 'error' && (
                        <span className="model-error" role="status">
                          <StatusBadge status="failed" /> {d.error ? <span className="small">{d.error}</span> : null}
                        </span>
                      )}
                      <button type="button" className="btn btn-small btn-primary" onClick={() => props.onDownload(m)} aria-label={`Download ${m.name}`}>
                        <Icon name="download" size={14} /> {m.partial_bytes ? 'Resume' : 'Download'}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
