// Add one file to the queue by hand.
import { useState, type ReactNode } from 'react';
import { api, ApiError, messageOf, unwrap } from '../api/client';
import type { Job, NewJob } from '../api/types';
import { LanguageSelect } from '../components/language-picker';
import { FormFooter, Modal } from '../components/modal';
import { PathField } from '../components/path-browser';
import { basename } from '../lib/format';
import { toast } from '../lib/toast';
import { PresetSelect } from '../components/bits';
import { JOB_MODES, label, oneOf, type JobMode, type QualityPreset } from '../lib/kinds';

export function NewJobDialog(props: { open: boolean; onClose: () => void; onCreated: (j: Job) => void }): ReactNode {
  const [path, setPath] = useState('');
  const [source, setSource] = useState('');
  const [target, setTarget] = useState('eng');
  const [preset, setPreset] = useState<QualityPreset>('fast');
  const [mode, setMode] = useState<JobMode>('transcribe');
  const [priority, setPriority] = useState(10);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const body: NewJob = {
      file_path: path,
      file_name: basename(path),
      target_lang: target,
      quality_preset: preset,
      transcribe_or_translate: mode,
      priority,
      is_manual_request: true,
      ...(source ? { source_lang: source } : {}),
    };
    try {
      const job = await unwrap(api.POST('/api/jobs', { body }));
      toast.success(`Queued ${job.file_name}`);
      setPath('');
      props.onCreated(job);
    } catch (err) {
      setError(err instanceof ApiError && err.status === 409 ? `Already queued: ${err.message}` : messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title="New transcription job"
      open={props.open}
      onClose={props.onClose}
      wide
      footer={<FormFooter form="new-job-form" onCancel={props.onClose} label={busy ? 'Adding…' : 'Add to queue'} disabled={busy || !path || !target} />}
    >
      <form id="new-job-form" className="form" onSubmit={submit}>
        <div className="field">
          <label htmlFor="nj-path">Media file</label>
          <PathField id="nj-path" label="media file" mode="file" value={path} onChange={setPath} required placeholder="/media/movies/Movie (2020)/Movie.mkv" />
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="nj-source">Audio language</label>
            <LanguageSelect id="nj-source" label="Audio language" value={source} onChange={setSource} emptyLabel="Detect automatically" />
          </div>
          <div className="field">
            <label htmlFor="nj-target">Subtitle language</label>
            <LanguageSelect id="nj-target" label="Subtitle language" value={target} onChange={setTarget} required />
          </div>
        </div>
        <div className="form-row">
          <div className="field">
            <label htmlFor="nj-preset">Quality</label>
            <PresetSelect id="nj-preset" value={preset} onChange={setPreset} />
          </div>
          <div className="field">
            <label htmlFor="nj-mode">Task</label>
            <select id="nj-mode" value={mode} onChange={(e) => setMode(oneOf(JOB_MODES, e.target.value, mode))}>
              {JOB_MODES.map((m) => (
                <option key={m} value={m}>
                  {label(m)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="nj-priority">Priority</label>
            <input id="nj-priority" type="number" value={priority} onChange={(e) => setPriority(Number(e.target.value))} />
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
