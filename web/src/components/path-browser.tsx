// Server-side folder (and file) browser: GET /api/filesystem/common-paths for
// the starting points, GET /api/filesystem/browse to walk.
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { BrowseResult, CommonPath } from '../api/types';
import { Icon } from './icons';
import { Modal } from './modal';

export function PathBrowser(props: {
  mode: 'directory' | 'file';
  initialPath?: string;
  onSelect: (path: string) => void;
}): ReactNode {
  const [common, setCommon] = useState<CommonPath[]>([]);
  const [dir, setDir] = useState<BrowseResult | null>(null);
  const [typed, setTyped] = useState(props.initialPath ?? '');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function browse(path: string) {
    setBusy(true);
    try {
      const r = await unwrap(api.GET('/api/filesystem/browse', { params: { query: { path } } }));
      setDir(r);
      setTyped(r.current_path);
      setError(null);
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  useEffect(() => {
    unwrap(api.GET('/api/filesystem/common-paths', {}))
      .then((c) => {
        setCommon(c);
        const start = props.initialPath || c[0]?.path;
        if (start) void browse(start);
      })
      .catch((e) => setError(messageOf(e)));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const items = (dir?.items ?? []).filter((i) => props.mode === 'file' || i.is_directory);
  return (
    <div className="path-browser">
      {common.length > 0 && (
        <div className="path-common" role="group" aria-label="Common locations">
          {common.map((c) => (
            <button key={c.path} type="button" className="btn btn-small" onClick={() => void browse(c.path)}>
              <Icon name="folder" size={14} /> {c.name}
            </button>
          ))}
        </div>
      )}
      {/* Not a <form>: the browser sits inside the new-job form, and forms cannot nest. */}
      <div className="path-input" role="group" aria-label="Go to a path">
        <label className="sr-only" htmlFor="path-browser-input">
          Path
        </label>
        <input
          id="path-browser-input"
          value={typed}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              void browse(typed);
            }
          }}
          spellCheck={false}
        />
        <button type="button" className="btn btn-small" onClick={() => void browse(typed)}>
          Go
        </button>
      </div>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      <ul className="path-list" aria-label="Folder contents" aria-busy={busy}>
        {dir?.parent_path && (
          <li>
            <button type="button" className="path-item" onClick={() => void browse(dir.parent_path!)}>
              <Icon name="up" size={16} /> ..
            </button>
          </li>
        )}
        {items.map((i) => (
          <li key={i.path}>
            <button
              type="button"
              className={`path-item ${i.is_readable === false ? 'disabled' : ''}`}
              disabled={i.is_readable === false}
              onClick={() => (i.is_directory ? void browse(i.path) : props.onSelect(i.path))}
              aria-label={i.is_directory ? `Open folder ${i.name}` : `Choose file ${i.name}`}
            >
              <Icon name={i.is_directory ? 'folder' : 'file'} size={16} /> {i.name}
            </button>
          </li>
        ))}
        {dir && items.length === 0 && <li className="muted path-empty">{props.mode === 'file' ? 'Empty folder' : 'No sub-folders'}</li>}
      </ul>
      {props.mode === 'directory' && dir && (
        <div className="path-actions">
          <button type="button" className="btn btn-primary" onClick={() => props.onSelect(dir.current_path)}>
            Use {dir.current_path}
          </button>
        </div>
      )}
    </div>
  );
}

/** A text field with a "Browse…" button that opens the browser in a dialog. */
export function PathField(props: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  mode: 'directory' | 'file';
  required?: boolean;
  placeholder?: string;
}): ReactNode {
  const [open, setOpen] = useState(false);
  return (
    <div className="input-group">
      <input
        id={props.id}
        value={props.value}
        required={props.required}
        placeholder={props.placeholder}
        spellCheck={false}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <button type="button" className="btn" onClick={() => setOpen(true)} aria-label={`Browse for ${props.label}`}>
        Browse…
      </button>
      <Modal title={props.mode === 'file' ? 'Choose a file' : 'Choose a folder'} open={open} onClose={() => setOpen(false)} wide>
        <PathBrowser
          mode={props.mode}
          initialPath={props.value || undefined}
          onSelect={(p) => {
            props.onChange(p);
            setOpen(false);
          }}
        />
      </Modal>
    </div>
  );
}

/** An editable list of folders, each picked with the browser or typed. */
export function PathListEditor(props: { label: string; paths: string[]; onChange: (p: string[]) => void }): ReactNode {
  const [adding, setAdding] = useState(false);
  const [typed, setTyped] = useState('');
  const add = (p: string) => {
    const v = p.trim();
    if (v && !props.paths.includes(v)) props.onChange([...props.paths, v]);
  };
  return (
    <div className="path-list-editor">
      <ul aria-label={props.label} className="plain-list">
        {props.paths.map((p) => (
          <li key={p} className="path-row">
            <Icon name="folder" size={16} />
            <code>{p}</code>
            <button type="button" className="btn-icon" aria-label={`Remove ${p}`} onClick={() => props.onChange(props.paths.filter((x) => x !== p))}>
              <Icon name="trash" size={16} />
            </button>
          </li>
        ))}
        {props.paths.length === 0 && <li className="muted">No folders yet.</li>}
      </ul>
      <div className="input-group">
        <input
          aria-label={`Add to ${props.label}`}
          placeholder="/media/tv"
          value={typed}
          spellCheck={false}
          onChange={(e) => setTyped(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter') {
              e.preventDefault();
              add(typed);
              setTyped('');
            }
          }}
        />
        <button
          type="button"
          className="btn"
          onClick={() => {
            add(typed);
            setTyped('');
          }}
          disabled={!typed.trim()}
        >
          Add
        </button>
        <button type="button" className="btn" onClick={() => setAdding(true)}>
          Browse…
        </button>
      </div>
      <Modal title="Add a library folder" open={adding} onClose={() => setAdding(false)} wide>
        <PathBrowser
          mode="directory"
          onSelect={(p) => {
            add(p);
            setAdding(false);
          }}
        />
      </Modal>
    </div>
  );
}
