// Settings: one tab per section (model and quality first), human labels and
// help from GET /api/settings/presentation, advanced settings behind "Show
// advanced", inputs typed by value_type, bulk save, per-field errors from the
// API, and a guard against losing unsaved edits.
import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { api, ApiError, messageOf, unwrap } from '../api/client';
import type { Setting } from '../api/types';
import { ErrorBanner, Loading, PageHeader } from '../components/bits';
import { ConfirmDialog } from '../components/modal';
import { BazarrSync } from '../components/bazarr-sync';
import { BazarrConfigureRow } from '../components/bazarr-configure';
import { addNavigationGuard, href, navigate, useRoute } from '../lib/router';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';

const UNSAVED = 'You have unsaved settings. Leave without saving?';
const ADVANCED_KEY = 'transcriptorio.settings.advanced';

/** The sections older links name by setting category. */
const CATEGORY_SECTION: Record<string, string> = {
  general: 'server', transcription: 'model', workers: 'workers', subtitles: 'subtitles', skip: 'skip',
  scanner: 'library', bazarr: 'provider', advanced: 'paths', integrations: 'integrations',
};

type Presentation = { label: string; help: string; section: string; order: number; advanced: boolean; hidden: boolean; confirm?: string | null };
type Section = { id: string; title: string; description: string };
type Shown = Setting & { p: Presentation };
const choicesOf = (s: Setting): string[] | null => {
  const c = (s as { choices?: unknown }).choices;
  return Array.isArray(c) && c.length ? c.map(String) : null;
};

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
  const pres = useResource(() => unwrap(api.GET('/api/settings/presentation', {})), [], { refreshMs: 0 });
  const [draft, setDraft] = useState<Record<string, string>>({});
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  const [advanced, setAdvancedState] = useState(() => localStorage.getItem(ADVANCED_KEY) === 'true');
  const setAdvanced = (on: boolean) => {
    localStorage.setItem(ADVANCED_KEY, String(on));
    setAdvancedState(on);
  };

  const list = useMemo(() => settings.data ?? [], [settings.data]);
  const sections: Section[] = pres.data?.sections ?? [];
  const byKey = useMemo(() => new Map((pres.data?.settings ?? []).map((p) => [p.key, p as Presentation])), [pres.data]);
  const shownOf = (s: Setting): Shown => ({
    ...s,
    p: byKey.get(s.key) ?? { label: s.key, help: s.description ?? '', section: CATEGORY_SECTION[s.category ?? 'general'] ?? 'server', order: 1000, advanced: false, hidden: false, confirm: null },
  });
  const all = useMemo(() => list.map(shownOf), [list, byKey]); // eslint-disable-line react-hooks/exhaustive-deps
  const bySection = useMemo(() => {
    const m = new Map<string, Shown[]>();
    for (const s of all) {
      if (s.p.hidden) continue;
      if (!m.has(s.p.section)) m.set(s.p.section, []);
      m.get(s.p.section)!.push(s);
    }
    for (const v of m.values()) v.sort((a, b) => a.p.order - b.p.order || a.key.localeCompare(b.key));
    return m;
  }, [all]);
  const visible = (s: Shown) => advanced || !s.p.advanced || !!errors[s.key] || s.key in draft;
  const tabs = sections.filter((sec) => (bySection.get(sec.id) ?? []).some((s) => advanced || !s.p.advanced));
  // #/settings/<section>, an older #/settings/<category>, or #/settings/<setting key>.
  const seg = route.segments[1] ?? '';
  const linked = all.find((s) => s.key === seg);
  const wanted = linked ? linked.p.section : (CATEGORY_SECTION[seg] ?? seg);
  const current = sections.find((s) => s.id === wanted && bySection.has(s.id)) ?? tabs[0];
  useEffect(() => {
    if (linked?.p.advanced && !advanced) setAdvanced(true);
    if (!linked) return;
    const el = document.querySelector(`[data-key="${linked.key}"]`);
    el?.scrollIntoView({ block: 'center' });
    (el?.querySelector('input, select, textarea') as HTMLElement | null)?.focus();
  }, [linked?.key, current?.id]); // eslint-disable-line react-hooks/exhaustive-deps

  // On a narrow screen the tab strip scrolls: keep the current section's tab in sight.
  useEffect(() => {
    document.querySelector('.tabs .tab.active')?.scrollIntoView({ inline: 'nearest', block: 'nearest' });
  }, [current?.id]);

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
        // Show the first section that has an error if it is not this one.
        const first = all.find((s) => s.key in e.errors);
        if (first && first.p.section !== current?.id) navigate(`/settings/${first.p.section}`, { replace: true });
      } else {
        setErrors({});
        setFormError(messageOf(e));
      }
    } finally {
      setSaving(false);
    }
  }

  const errorCount = (c: string) => (bySection.get(c) ?? []).filter((s) => errors[s.key]).length;
  const dirtyCount = (c: string) => (bySection.get(c) ?? []).filter((s) => s.key in changed).length;
  const items = current ? (bySection.get(current.id) ?? []) : [];
  const shown = items.filter(visible);
  const hiddenCount = items.length - shown.length;
  const loading = !settings.data || !pres.data;

  return (
    <div className="view view-settings">
      <PageHeader
        title="Settings"
        actions={
          <label className="switch settings-advanced">
            <input type="checkbox" checked={advanced} onChange={(e) => setAdvanced(e.target.checked)} />
            <span className="switch-track" aria-hidden="true" />
            <span className="switch-text">Show advanced</span>
          </label>
        }
      />
      <ErrorBanner error={settings.error ?? pres.error} onRetry={() => void (settings.reload(), pres.reload())} />
      {loading ? (
        (settings.loading || pres.loading) && <Loading />
      ) : (
        <>
          <nav className="tabs tabs-scroll" aria-label="Setting sections">
            {tabs.map((c) => (
              <a key={c.id} href={href(`/settings/${c.id}`)} className={`tab ${c.id === current?.id ? 'active' : ''}`} aria-current={c.id === current?.id ? 'page' : undefined}>
                {c.title}
                {errorCount(c.id) > 0 ? (
                  <span className="tab-count tab-count-error" aria-label={`${errorCount(c.id)} errors`}>
                    {errorCount(c.id)}
                  </span>
                ) : dirtyCount(c.id) > 0 ? (
                  <span className="tab-dot" aria-label="unsaved changes" />
                ) : null}
              </a>
            ))}
          </nav>
          {current && <p className="muted settings-section-intro">{current.description}</p>}
          <form
            className="card settings-form"
            aria-label={`${current?.title ?? ''} settings`}
            onSubmit={(e) => {
              e.preventDefault();
              void save();
            }}
          >
            {shown.map((s) => (
              <SettingField
                key={s.key}
                setting={s}
                label={s.p.label}
                help={s.p.help}
                advanced={s.p.advanced}
                confirm={s.p.confirm ?? null}
                value={draft[s.key] ?? s.value ?? ''}
                changed={s.key in changed}
                error={errors[s.key]}
                onChange={(v) => {
                  setDraft((d) => ({ ...d, [s.key]: v }));
                  if (errors[s.key]) setErrors(({ [s.key]: _, ...rest }) => rest);
                }}
              />
            ))}
            {current?.id === 'server' && <SetupRow />}
            {current?.id === 'provider' && <BazarrConfigureRow />}
            {current?.id === 'provider' && <BazarrSync />}
            {hiddenCount > 0 && (
              <p className="settings-more muted">
                {hiddenCount} advanced {hiddenCount === 1 ? 'setting is' : 'settings are'} hidden here.{' '}
                <button type="button" className="btn-inline" onClick={() => setAdvanced(true)}>
                  Show advanced
                </button>
              </p>
            )}
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

/** Internal state is not a toggle: the wizard is where setup is changed, with a confirmation. */
function SetupRow(): ReactNode {
  return (
    <div className="setting" data-key="setup">
      <div className="setting-label">
        <span className="setting-title">Setup wizard</span>
      </div>
      <div className="setting-input">
        <p className="help">
          Library folders, first rules, workers, the model and Bazarr provider mode (including a new provider key) are set up in the wizard. Nothing changes until you confirm there.{' '}
          <a href={href('/setup')}>Open the setup wizard</a>
        </p>
      </div>
    </div>
  );
}

function SettingField(props: {
  setting: Setting;
  label: string;
  help: string;
  advanced: boolean;
  confirm: string | null;
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
  const describedBy = [props.help || hints.length ? `${id}-desc` : '', props.error ? `${id}-err` : ''].filter(Boolean).join(' ') || undefined;
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
    input = <SecretInput common={common} settingKey={s.key} label={props.label} confirm={props.confirm} value={value} onChange={props.onChange} />;
  } else {
    input = <input {...common} type="text" spellCheck={false} value={value} onChange={(e) => props.onChange(e.target.value)} />;
  }

  return (
    <div className={`setting ${props.changed ? 'setting-changed' : ''} ${props.error ? 'setting-error' : ''}`} data-key={s.key}>
      <div className="setting-label">
        <label htmlFor={id}>{props.label}</label>
        <code className="setting-key" title={s.description ?? undefined}>
          {s.key}
          {props.advanced ? ' · advanced' : ''}
        </code>
      </div>
      <div className="setting-input">
        {input}
        {(props.help || hints.length > 0) && (
          <p id={`${id}-desc`} className="help">
            {props.help}
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
          <p className="help setting-effective" role="note">
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
function SecretInput(props: { common: Record<string, unknown>; settingKey: string; label: string; confirm: string | null; value: string; onChange: (v: string) => void }): ReactNode {
  const { settingKey: key, value } = props;
  const masked = value === SECRET_MASK;
  // A key others depend on is read-only until replacing it is confirmed.
  const [unlocked, setUnlocked] = useState(!props.confirm);
  const [asking, setAsking] = useState(false);
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
      toast.error(`Could not show ${props.label}: ${messageOf(e)}`);
    }
  }
  async function copy() {
    try {
      await navigator.clipboard.writeText(await reveal());
      setCopied(true);
      setTimeout(() => setCopied(false), 2000);
    } catch (e) {
      toast.error(`Could not copy ${props.label}: ${messageOf(e)}`);
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
        readOnly={!unlocked}
        placeholder={masked ? (unlocked ? 'Set (hidden): type to replace it' : 'Set (hidden)') : 'Not set'}
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
      {!unlocked && (
        <button type="button" className="btn" onClick={() => setAsking(true)} aria-label={`Replace ${props.label}`}>
          Replace…
        </button>
      )}
      <ConfirmDialog
        open={asking}
        title={`Replace the ${props.label.toLowerCase()}?`}
        message={props.confirm ?? ''}
        confirmLabel="Type a new one"
        danger
        onCancel={() => setAsking(false)}
        onConfirm={() => {
          setAsking(false);
          setUnlocked(true);
          setTimeout(() => (document.getElementById(String(props.common.id)) as HTMLInputElement | null)?.focus(), 0);
        }}
      />
    </div>
  );
}
