// Settings: one tab per category, inputs typed by value_type, bulk save,
// per-field errors from the API, and a guard against losing unsaved edits.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, messageOf, unwrap } from '../api/client';
import type { Setting } from '../api/types';
import { ErrorBanner, Loading, PageHeader } from '../components/bits';
import { addNavigationGuard, href, navigate, useRoute } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

const ORDER = ['general', 'workers', 'transcription', 'subtitles', 'skip', 'scanner', 'bazarr', 'advanced', 'integrations'];
const TITLES: Record<string, string> = { skip: 'Skip rules', bazarr: 'Bazarr' };
const UNSAVED = 'You have unsaved settings. Leave without saving?';

const title = (c: string) => TITLES[c] ?? c[0]!.toUpperCase() + c.slice(1);
const choicesOf = (s: Setting): string[] | null => {
  const c = (s as { choices?: unknown }).choices;
  return Array.isArray(c) && c.length ? c.map(String) : null;
};
const humanKey = (k: string) => k.replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase());

/** Client-side checks the API would also make; saves a round trip. */
function localError(s: Setting, v: string): string | null {
  switch (s.value_type) {
    case 'integer':
      return v.trim() === '' || /^-?\d+$/.test(v.trim()) ? null : 'Must be a whole number';
    case 'float':
      return v.trim() === '' || Number.isFinite(Number(v)) ? null : 'Must be a number';
    case 'json':
      if (!v.trim()) return null;
      try {
        JSON.parse(v);
        return null;
      } catch (e) {
        return `Invalid JSON: ${messageOf(e)}`;
      }
    default:
      return null;
  }
}

export function Settings(): ReactNode {
  const route = useRoute();
  const settings = useResource(() => unwrap(api.GET('/api/settings', {})), [], { refreshMs: 0 });
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);

  const list = settings.data ?? [];
  const byCat = useMemo(() => {
    const m = new Map<string, Setting[]>();
    for (const s of list) {
      const c = s.category ?? 'general';
      if (!m.has(c)) m.set(c, []);
      m.get(c)!.push(s);
    }
    return m;
  }, [list]);
  const cats = [...ORDER.filter((c) => byCat.has(c)), ...[...byCat.keys()].filter((c) => !ORDER.includes(c)).sort()];
  const current = route.segments[1] && byCat.has(route.segments[1]) ? route.segments[1] : cats[0];

  const changed = useMemo(() => {
    const out: Record<string, string> = {};
    for (const s of list) if (s.key in draft && draft[s.key] !== (s.value ?? '')) out[s.key] = draft[s.key]!;
    return out;
  }, [draft, list]);
  const dirty = Object.keys(changed).length;

  useEffect(() => addNavigationGuard(() => (dirty && !location.hash.startsWith('#/settings') ? UNSAVED : null)), [dirty]);
  useEffect(() => {
    if (!dirty) return;
    const h = (e: BeforeUnloadEvent) => {
      e.preventDefault();
      e.returnValue = UNSAVED;
    };
    window.addEventListener('beforeunload', h);
    return () => window.removeEventListener('beforeunload', h);
  }, [dirty]);

  async function save() {
    const local: Record<string, string> = {};
    for (const s of list) if (s.key in changed) {
      const m = localError(s, changed[s.key]!);
      if (m) local[s.key] = m;
    }
    if (Object.keys(local).length) {
      setErrors(local);
      setFormError('Fix the highlighted fields.');
      return;
    }
    setSaving(true);
    setFormError(null);
    try {
      const r = await unwrap(api.POST('/api/settings/bulk-update', { body: { settings: changed } }));
      toast.success(r.message ?? 'Settings saved');
      setErrors({});
      setDraft({});
      await settings.reload();
    } catch (e) {
      if (e instanceof ApiError && Object.keys(e.errors).length) {
        setErrors(e.errors);
        setFormError(e.message);
        // Show the first tab that has an error if it is not this one.
        const first = list.find((s) => s.key in e.errors);
        if (first && first.category !== current) navigate(`/settings/${first.category}`, { replace: true });
      } else {
        setErrors({});
        setFormError(messageOf(e));
      }
    } finally {
      setSaving(false);
    }
  }

  const errorCount = (c: string) => (byCat.get(c) ?? []).filter((s) => errors[s.key]).length;
  const dirtyCount = (c: string) => (byCat.get(c) ?? []).filter((s) => s.key in changed).length;

  return (
    <div className="view view-settings">
      <PageHeader title="Settings" />
      <ErrorBanner error={settings.error} onRetry={() => void settings.reload()} />
      {!settings.data ? (
        settings.loading && <Loading />
      ) : (
        <>
          <nav className="tabs tabs-scroll" aria-label="Setting categories">
            {cats.map((c) => (
              <a key={c} href={href(`/settings/${c}`)} className={`tab ${c === current ? 'active' : ''}`} aria-current={c === current ? 'page' : undefined}>
                {title(c)}
                {errorCount(c) > 0 ? (
                  <span className="tab-count tab-count-error" aria-label={`${errorCount(c)} errors`}>
                    {errorCount(c)}
                  </span>
                ) : dirtyCount(c) > 0 ? (
                  <span className="tab-dot" aria-label="unsaved changes" />
                ) : null}
              </a>
            ))}
          </nav>
          <form
            className="card settings-form"
            aria-label={`${title(current ?? '')} settings`}
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {(byCat.get(current ?? '') ?? []).map((s) => (
              <SettingField
                key={s.key}
                setting={s}
                value={draft[s.key] ?? s.value ?? ''}
                changed={s.key in changed}
                error={errors[s.key]}
                onChange={(v) => {
                  setDraft((d) => ({ ...d, [s.key]: v }));
                  if (errors[s.key]) setErrors(({ [s.key]: _, ...rest }) => rest);
                }}
              />
            ))}
          </form>
          <div className={`save-bar ${dirty || formError ? 'visible' : ''}`} role="region" aria-label="Save changes">
            <span className={formError ? 'field-error' : ''} role={formError ? 'alert' : undefined}>
              {formError ?? `${dirty} unsaved ${dirty === 1 ? 'change' : 'changes'}`}
            </span>
            <div className="save-actions">
              <button
                type="button"
                className="btn"
                disabled={!dirty || saving}
                onClick={() => {
                  setDraft({});
                  setErrors({});
                  setFormError(null);
                }}
              >
                Discard
              </button>
              <button type="button" className="btn btn-primary" disabled={!dirty || saving} onClick={() => void save()}>
                {saving ? 'Saving…' : 'Save changes'}
              </button>
            </div>
          </div>
        </>
      )}
    </div>
  );
}

function SettingField(props: {
  setting: Setting;
  value: string;
  changed: boolean;
  error?: string;
  onChange: (v: string) => void;
}): ReactNode {
  const { setting: s, value } = props;
  const id = `setting-${s.key}`;
  const choices = choicesOf(s);
  const meta = s as { min?: number | null; max?: number | null; default_value?: string | null; effective_value?: string | null; overridden_by?: string | null };
  const def = meta.default_value ?? undefined;
  const hints: string[] = [];
  if (meta.min != null && meta.max != null) hints.push(`${meta.min}–${meta.max}`);
  else if (meta.min != null) hints.push(`at least ${meta.min}`);
  else if (meta.max != null) hints.push(`at most ${meta.max}`);
  if (def !== undefined && def !== '' && s.value_type !== 'secret') hints.push(`default ${def}`);
  const describedBy = [s.description ? `${id}-desc` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
  const common = {
    id,
    name: s.key,
    'aria-describedby': describedBy,
    'aria-invalid': props.error ? true : undefined,
  } as const;

  let input: ReactNode;
  if (s.value_type === 'boolean') {
    const on = value === 'true' || value === '1';
    input = (
      <label className="switch">
        <input {...common} type="checkbox" checked={on} onChange={(e) => props.onChange(e.target.checked ? 'true' : 'false')} />
        <span className="switch-track" aria-hidden="true" />
        <span className="switch-text">{on ? 'On' : 'Off'}</span>
      </label>
    );
  } else if (choices) {
    input = (
      <select {...common} value={value} onChange={(e) => props.onChange(e.target.value)}>
        {!choices.includes(value) && <option value={value}>{value || '—'}</option>}
        {choices.map((c) => (
          <option key={c} value={c}>
            {c}
          </option>
        ))}
      </select>
    );
  } else if (s.value_type === 'integer' || s.value_type === 'float') {
    input = (
      <input
        {...common}
        type="text"
        inputMode={s.value_type === 'integer' ? 'numeric' : 'decimal'}
        className="input-number"
        value={value}
        onChange={(e) => props.onChange(e.target.value)}
      />
    );
  } else if (s.value_type === 'json') {
    input = <textarea {...common} rows={Math.min(12, Math.max(3, value.split('\n').length))} className="mono" spellCheck={false} value={value} onChange={(e) => props.onChange(e.target.value)} />;
  } else if (s.value_type === 'secret') {
    input = <SecretInput common={common} settingKey={s.key} value={value} onChange={props.onChange} />;
  } else {
    input = <input {...common} type="text" spellCheck={false} value={value} onChange={(e) => props.onChange(e.target.value)} />;
  }

  return (
    <div className={`setting ${props.changed ? 'setting-changed' : ''} ${props.error ? 'setting-error' : ''}`} data-key={s.key}>
      <div className="setting-label">
        <label htmlFor={id}>{humanKey(s.key)}</label>
        <code className="setting-key">{s.key}</code>
      </div>
      <div className="setting-input">
        {input}
        {(s.description || hints.length > 0) && (
          <p id={`${id}-desc`} className="help">
            {s.description}
            {hints.length > 0 && <span className="muted"> ({hints.join(' · ')})</span>}
            {def !== undefined && value !== def && s.value_type !== 'secret' && (
              <>
                {' '}
                <button type="button" className="btn-inline" onClick={() => props.onChange(def)} aria-label={`Reset ${s.key} to its default`}>
                  Reset
                </button>
              </>
            )}
          </p>
        )}
        {meta.effective_value != null && (
          <p className="help setting-effective">
            In force now: <strong>{meta.effective_value}</strong>
            {meta.overridden_by ? `, set by ${meta.overridden_by}` : ''}. The value here applies when that is not given.
          </p>
        )}
        {props.error && (
          <p id={`${id}-err`} className="field-error" role="alert">
            {props.error}
          </p>
        )}
      </div>
    </div>
  );
}

/** What the server lists instead of a secret that is set (security/secrets.ts). */
const SECRET_MASK = '********';

/**
 * A secret setting: listed masked, shown only when asked (the server reveals
 * it to an authorized caller), copyable, and replaced by typing a new value.
 */
function SecretInput(props: { common: Record<string, unknown>; settingKey: string; value: string; onChange: (v: string) => void }): ReactNode {
  const { settingKey: key, value } = props;
  const masked = value === SECRET_MASK;
  const [clear, setClear] = useState<string | null>(null);
  const [visible, setVisible] = useState(false);
  const [copied, setCopied] = useState(false);
  async function reveal(): Promise<string> {
    if (!masked) return value;
    if (clear !== null) return clear;
    const r = await unwrap(api.GET('/api/settings/{key}', { params: { path: { key }, query: { reveal: true } } }));
    setClear(r.value);
    return r.value;
  }
  async function toggle() {
    try {
      if (!visible) await reveal();
      setVisible(!visible);
    } catch (e) {
      toast.error(`Could not show ${humanKey(key)}: ${messageOf(e)}`);
    }
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(await reveal());
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch (e) {
      toast.error(`Could not copy ${humanKey(key)}: ${messageOf(e)}`);
    }
  }
  const shown = masked ? (visible ? (clear ?? '') : '') : value;
  return (
    <div className="input-group">
      <input
        {...props.common}
        type={visible ? 'text' : 'password'}
        autoComplete="off"
        spellCheck={false}
        value={shown}
        placeholder={masked ? 'Set (hidden): type to replace it' : 'Not set'}
        onChange={(e) => props.onChange(e.target.value)}
      />
      <button type="button" className="btn" onClick={() => void toggle()} aria-pressed={visible} aria-label={visible ? `Hide ${key}` : `Show ${key}`}>
        {visible ? 'Hide' : 'Show'}
      </button>
      {(masked || value) && (
        <button type="button" className="btn" onClick={() => void copy()} aria-label={`Copy ${key}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      )}
    </div>
  );
}
