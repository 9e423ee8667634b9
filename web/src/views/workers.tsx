// Workers of every node: add CPU/GPU, remove, start/stop the local pool,
// per-worker state and current job (live). A GPU worker of this node shows
// the engine it runs (CUDA or Vulkan) and its device's name.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { NewWorker, Resources, Worker } from '../api/types';
import { EmptyState, ErrorBanner, JobProgress, Loading, PageHeader, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { ConfirmDialog, FormFooter, Modal } from '../components/modal';
import { formatDuration, plural } from '../lib/format';
import { href, withQuery } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

export function Workers(): ReactNode {
  const workers = useResource(() => unwrap(api.GET('/api/workers', {})), []);
  const stats = useResource(() => unwrap(api.GET('/api/workers/stats', {})), []);
  const resources = useGpuResources();
  const [adding, setAdding] = useState(false);
  const [starting, setStarting] = useState(false);
  const [removing, setRemoving] = useState<Worker | null>(null);
  const [stopping, setStopping] = useState(false);

  const upsert = (w: Worker) =>
    workers.setData((list) => {
      if (!list) return list;
      const i = list.findIndex((x) => x.worker_id === w.worker_id);
      if (i < 0) return [...list, w];
      const next = list.slice();
      next[i] = w;
      return next;
    });
  useLive('worker.updated', (w) => {
    upsert(w);
    void stats.reload();
  });
  useLive('workers.removed', ({ worker_ids }) => {
    workers.setData((l) => l?.filter((w) => !worker_ids.includes(w.worker_id)));
    void stats.reload();
  });

  async function remove(w: Worker) {
    try {
      const r = await unwrap(api.DELETE('/api/workers/{worker_id}', { params: { path: { worker_id: w.worker_id }, query: {} } }));
      toast.success(r.message);
      workers.setData((l) => l?.filter((x) => x.worker_id !== w.worker_id));
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setRemoving(null);
    }
  }

  async function stopPool() {
    try {
      const r = await unwrap(api.POST('/api/workers/pool/stop', { params: { query: {} } }));
      toast.success(r.message);
      void workers.reload();
      void stats.reload();
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setStopping(false);
    }
  }

  const s = stats.data;
  const nodes = new Set((workers.data ?? []).map((w) => w.node).filter(Boolean));
  return (
    <div className="view">
      <PageHeader
        title="Workers"
        actions={
          <>
            {s?.is_running ? (
              <button type="button" className="btn" onClick={() => setStopping(true)}>
                <Icon name="stop" /> Stop pool
              </button>
            ) : (
              <button type="button" className="btn" onClick={() => setStarting(true)}>
                <Icon name="play" /> Start pool
              </button>
            )}
            <button type="button" className="btn btn-primary" onClick={() => setAdding(true)}>
              <Icon name="plus" /> Add worker
            </button>
          </>
        }
      >
        {s && (
          <p className="muted">
            {plural(s.total_workers, 'worker')} ({s.cpu_workers} CPU, {s.gpu_workers} GPU) · {s.busy_workers} busy · {s.idle_workers} idle
            {s.error_workers ? ` · ${s.error_workers} in error` : ''} · {plural(s.total_jobs_completed, 'job')} done, {s.total_jobs_failed} failed
            {nodes.size > 1 ? ` · ${nodes.size} nodes` : ''}
          </p>
        )}
      </PageHeader>
      <ErrorBanner error={workers.error} onRetry={() => void workers.reload()} />
      {!workers.data ? (
        workers.loading && <Loading />
      ) : workers.data.length === 0 ? (
        <EmptyState>No workers. Add a CPU or GPU worker to start working through the queue.</EmptyState>
      ) : (
        <div className="table-wrap">
          <table className="table table-cards">
            <caption className="sr-only">Workers</caption>
            <thead>
              <tr>
                <th scope="col">Worker</th>
                <th scope="col">Node</th>
                <th scope="col">Device</th>
                <th scope="col">State</th>
                <th scope="col">Current job</th>
                <th scope="col">Done / failed</th>
                <th scope="col">Uptime</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {workers.data.map((w) => (
                <tr key={w.worker_id} data-worker-id={w.worker_id}>
                  <td data-label="Worker" className="mono">
                    {w.worker_id}
                  </td>
                  <td data-label="Node">
                    {w.node ?? '—'}
                    {w.pid ? <span className="muted"> · pid {w.pid}</span> : null}
                  </td>
                  <td data-label="Device">{w.worker_type === 'gpu' ? <GpuDevice worker={w} resources={resources.data} /> : 'CPU'}</td>
                  <td data-label="State">
                    <StatusBadge status={w.status} />
                  </td>
                  <td data-label="Current job" className="cell-progress">
                    {w.current_job_id ? (
                      <>
                        <a href={href(withQuery('/queue', { job: w.current_job_id }))} className="mono small">
                          {w.current_job_id.slice(0, 12)}
                        </a>
                        <JobProgress progress={w.current_job_progress} eta={w.current_job_eta} label={`Progress of ${w.worker_id}`} />
                      </>
                    ) : (
                      <span className="muted">—</span>
                    )}
                  </td>
                  <td data-label="Done / failed">
                    {w.jobs_completed} / {w.jobs_failed}
                  </td>
                  <td data-label="Uptime">{formatDuration(w.uptime_seconds)}</td>
                  <td className="cell-actions">
                    <button type="button" className="btn btn-small" onClick={() => setRemoving(w)} aria-label={`Remove ${w.worker_id}`}>
                      <Icon name="trash" size={14} /> Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {adding && (
        <AddWorker
          onClose={() => setAdding(false)}
          onAdded={(w) => {
            upsert(w);
            void stats.reload();
            setAdding(false);
          }}
        />
      )}
      {starting && (
        <StartPool
          onClose={() => setStarting(false)}
          onStarted={() => {
            setStarting(false);
            void workers.reload();
            void stats.reload();
          }}
        />
      )}
      <ConfirmDialog
        open={!!removing}
        title="Remove worker"
        message={`Remove ${removing?.worker_id ?? ''}? A job it is running goes back to the queue.`}
        confirmLabel="Remove"
        danger
        onConfirm={() => removing && void remove(removing)}
        onCancel={() => setRemoving(null)}
      />
      <ConfirmDialog
        open={stopping}
        title="Stop worker pool"
        message="Stop all local workers? Running jobs are put back in the queue."
        confirmLabel="Stop pool"
        danger
        onConfirm={() => void stopPool()}
        onCancel={() => setStopping(false)}
      />
    </div>
  );
}

/** This node's GPUs and the engine its GPU workers run (CUDA or Vulkan). */
function useGpuResources() {
  return useResource(() => unwrap(api.GET('/api/system/resources', {})), [], { refreshMs: 0 });
}

const ENGINE_NAMES = { cuda: 'CUDA', vulkan: 'Vulkan' } as const;

/** "GPU 0", with the engine and the device's name for a worker of this node. */
function GpuDevice(props: { worker: Worker; resources: Resources | null | undefined }): ReactNode {
  const { worker: w, resources } = props;
  const engine = resources?.gpu_engine;
  const here = engine && engine.variant && w.node === engine.node;
  const device = here ? engine.devices.find((d) => d.id === w.device_id) : undefined;
  return (
    <>
      GPU {w.device_id ?? ''}
      {here && engine.variant && (
        <span className="muted" data-gpu-engine={engine.variant}>
          {' '}
          · {ENGINE_NAMES[engine.variant]}
          {device ? ` · ${device.name}` : ''}
        </span>
      )}
    </>
  );
}

/** The choices of the add-worker form: the devices of this node's GPU engine (free memory where nvidia-smi gives it). */
function gpuChoices(r: Resources | null | undefined): { id: number; label: string }[] {
  const engine = r?.gpu_engine;
  if (!engine?.variant) return [];
  return engine.devices.map((d) => {
    const nv = engine.variant === 'cuda' ? r?.gpus.find((g) => g.id === d.id) : undefined;
    const memory = nv ? ` (${Math.round(nv.memory_free_mb / 1024)} of ${Math.round(nv.memory_total_mb / 1024)} GB free)` : '';
    return { id: d.id, label: `GPU ${d.id}: ${d.name} · ${ENGINE_NAMES[engine.variant!]}${memory}` };
  });
}

function AddWorker(props: { onClose: () => void; onAdded: (w: Worker) => void }): ReactNode {
  const resources = useGpuResources();
  const [type, setType] = useState<'cpu' | 'gpu'>('cpu');
  const [device, setDevice] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const choices = gpuChoices(resources.data);
  const noGpu = !!resources.data && choices.length === 0;

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: NewWorker = type === 'gpu' ? { worker_type: 'gpu', device_id: device } : { worker_type: 'cpu' };
      const w = await unwrap(api.POST('/api/workers', { body }));
      toast.success(`Added ${w.worker_id}`);
      props.onAdded(w);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title="Add worker"
      open
      onClose={props.onClose}
      footer={<FormFooter form="add-worker" onCancel={props.onClose} label="Add worker" disabled={busy || (type === 'gpu' && noGpu)} />}
    >
      <form id="add-worker" className="form" onSubmit={submit}>
        <fieldset className="radio-row">
          <legend>Type</legend>
          <label>
            <input type="radio" name="wtype" value="cpu" checked={type === 'cpu'} onChange={() => setType('cpu')} /> CPU
          </label>
          <label>
            <input type="radio" name="wtype" value="gpu" checked={type === 'gpu'} onChange={() => setType('gpu')} /> GPU
          </label>
        </fieldset>
        {type === 'gpu' && (
          <div className="field">
            <label htmlFor="aw-device">GPU</label>
            {noGpu ? (
              <p className="muted">No GPU was detected on this machine (an Intel or AMD GPU needs the Vulkan engine: npm run build:whisper -- --vulkan).</p>
            ) : (
              <select id="aw-device" value={device} onChange={(e) => setDevice(Number(e.target.value))}>
                {choices.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.label}
                  </option>
                ))}
              </select>
            )}
          </div>
        )}
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}

function StartPool(props: { onClose: () => void; onStarted: () => void }): ReactNode {
  const [cpu, setCpu] = useState(1);
  const [gpu, setGpu] = useState(0);
  const [error, setError] = useState<string | null>(null);
  async function submit(e: React.FormEvent) {
    e.preventDefault();
    try {
      const r = await unwrap(api.POST('/api/workers/pool/start', { params: { query: { cpu_workers: cpu, gpu_workers: gpu } } }));
      toast.success(r.message);
      props.onStarted();
    } catch (err) {
      setError(messageOf(err));
    }
  }
  return (
    <Modal
      title="Start worker pool"
      open
      onClose={props.onClose}
      footer={<FormFooter form="start-pool" onCancel={props.onClose} label="Start" />}
    >
      <form id="start-pool" className="form" onSubmit={submit}>
        <div className="form-row">
          <div className="field">
            <label htmlFor="sp-cpu">CPU workers</label>
            <input id="sp-cpu" type="number" min={0} value={cpu} onChange={(e) => setCpu(Math.max(0, Number(e.target.value) || 0))} />
          </div>
          <div className="field">
            <label htmlFor="sp-gpu">GPU workers</label>
            <input id="sp-gpu" type="number" min={0} value={gpu} onChange={(e) => setGpu(Math.max(0, Number(e.target.value) || 0))} />
          </div>
        </div>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
