// What a person can do with a subtitle that is not good enough: make it again
// with another preset or another installed model, or delete it (only ours, never an edited one). Both are
// the library's actions on the file, so they need the file's library entry.
import { useEffect, useId, useState, type ReactNode } from 'react';
import { api, unwrap } from '../api/client';
import type { QualityPreset } from '../lib/kinds';
import { PresetSelect } from './bits';
import { Icon } from './icons';
import { runLibraryAction, type LibraryActionResult } from './library-bits';
import { ConfirmDialog } from './modal';

/** The library entry of a media file (by its exact path), or null when the file is not in a library folder. */
export function useLibraryItemId(path: string | null | undefined): number | null | undefined {
  const [id, setId] = useState<number | null | undefined>(undefined);
  useEffect(() => {
    if (!path) return setId(null);
    let live = true;
    unwrap(api.GET('/api/library/items', { params: { query: { q: path, page: 1, page_size: 20 } } })).then(
      (r) => live && setId(r.items.find((i) => i.path === path)?.id ?? null),
      () => live && setId(null),
    );
    return () => {
      live = false;
    };
  }, [path]);
  return id;
}

/** The installed Whisper models (not the VAD model), for "Redo with … model"; [] until known or on error. */
function useInstalledModels(): string[] {
  const [names, setNames] = useState<string[]>([]);
  useEffect(() => {
    let live = true;
    unwrap(api.GET('/api/models', {})).then(
      (models) => live && setNames(models.filter((m) => m.installed && m.kind !== 'vad').map((m) => m.name)),
      () => live && setNames([]),
    );
    return () => {
      live = false;
    };
  }, []);
  return names;
}

export function ReviewActions(props: {
  itemId: number;
  targetLang: string;
  preset: string;
  fileName: string;
  onDone?: (r: LibraryActionResult) => void;
}): ReactNode {
  const [preset, setPreset] = useState<QualityPreset>((props.preset as QualityPreset) || 'balanced');
  const [model, setModel] = useState('');
  const models = useInstalledModels();
  const [busy, setBusy] = useState(false);
  const [confirm, setConfirm] = useState(false);
  const selectId = useId();
  const modelId = useId();
  async function act(action: 'redo' | 'delete_generated') {
    setBusy(true);
    const r = await runLibraryAction({ action, item_ids: [props.itemId], target_lang: props.targetLang, ...(action === 'redo' ? { quality_preset: preset, ...(model ? { model } : {}) } : {}) });
    setBusy(false);
    if (r) props.onDone?.(r);
  }
  return (
    <>
      <span className="redo-group">
        <label htmlFor={selectId}>Redo with</label>
        <PresetSelect id={selectId} value={preset} onChange={setPreset} />
        {models.length > 1 && (
          <>
            <label htmlFor={modelId} className="sr-only">
              Model
            </label>
            <select id={modelId} value={model} onChange={(e) => setModel(e.target.value)}>
              <option value="">the preset’s model</option>
              {models.map((m) => (
                <option key={m} value={m}>
                  {m}
                </option>
              ))}
            </select>
          </>
        )}
        <button type="button" className="btn" disabled={busy} onClick={() => void act('redo')}>
          <Icon name="retry" /> Redo
        </button>
      </span>
      <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirm(true)}>
        <Icon name="trash" /> Delete ours
      </button>
      <ConfirmDialog
        open={confirm}
        title="Delete our subtitle"
        message={`Delete the ${props.targetLang.toUpperCase()} subtitle TranscriptorIO made for ${props.fileName}? It is removed only while nobody edited it; your own subtitles stay.`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setConfirm(false);
          void act('delete_generated');
        }}
        onCancel={() => setConfirm(false)}
      />
    </>
  );
}
