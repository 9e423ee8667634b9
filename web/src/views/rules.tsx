// Scan rules: ordered by priority, with condition/action editors, toggle and
// delete with confirmation.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { Language, Rule, RuleInput } from '../api/types';
import { EmptyState, ErrorBanner, Loading, PageHeader } from '../components/bits';
import { Icon } from '../components/icons';
import { languageName, LanguageMulti, LanguageSelect, useLanguages } from '../components/language-picker';
import { ConfirmDialog, Modal } from '../components/modal';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';
import { JOB_MODES, QUALITY_PRESETS, label } from '../lib/kinds';

type Conditions = Rule['conditions'];
type Action = Rule['action'];

export function Rules(): ReactNode {
  const rules = useResource(() => unwrap(api.GET('/api/scan-rules', {})), []);
  const langs = useLanguages();
  const [editing, setEditing] = useState<Rule | 'new' | null>(null);
  const [deleting, setDeleting] = useState<Rule | null>(null);

  const sorted = [...(rules.data ?? [])].sort((a, b) => b.priority - a.priority || a.id - b.id);

  async function toggle(r: Rule) {
    // Optimistic: the switch flips at once; the server's answer settles it.
    rules.setData((l) => l?.map((x) => (x.id === r.id ? { ...x, enabled: !r.enabled } : x)));
    try {
      const u = await unwrap(api.POST('/api/scan-rules/{rule_id}/toggle', { params: { path: { rule_id: r.id } } }));
      rules.setData((l) => l?.map((x) => (x.id === u.id ? u : x)));
    } catch (e) {
      rules.setData((l) => l?.map((x) => (x.id === r.id ? r : x)));
      toast.error(messageOf(e));
    }
  }

  async function remove(r: Rule) {
    try {
      await unwrap(api.DELETE('/api/scan-rules/{rule_id}', { params: { path: { rule_id: r.id } } }));
      toast.success(`Deleted rule “${r.name}”`);
      rules.setData((l) => l?.filter((x) => x.id !== r.id));
    } catch (e) {
      toast.error(messageOf(e));
    } finally {
      setDeleting(null);
    }
  }

  return (
    <div className="view">
      <PageHeader
        title="Rules"
        actions={
          <button type="button" className="btn btn-primary" onClick={() => setEditing('new')}>
            <Icon name="plus" /> New rule
          </button>
        }
      >
        <p className="muted">Scans check every file against the enabled rules, highest priority first; the first match creates a job.</p>
      </PageHeader>
      <ErrorBanner error={rules.error} onRetry={() => void rules.reload()} />
      {!rules.data ? (
        rules.loading && <Loading />
      ) : sorted.length === 0 ? (
        <EmptyState>No rules yet. Add one to tell the scanner which files need subtitles.</EmptyState>
      ) : (
        <ul className="rule-list">
          {sorted.map((r) => (
            <li key={r.id} className={`card rule ${r.enabled ? '' : 'rule-disabled'}`} data-rule-id={r.id}>
              <div className="rule-main">
                <div className="rule-title">
                  <span className="rule-priority" title="Priority">
                    {r.priority}
                  </span>
                  <h2>{r.name}</h2>
                </div>
                <p className="rule-summary">
                  <span className="muted">If </span>
                  {describeConditions(r.conditions, langs)}
                  <span className="muted"> then </span>
                  {describeAction(r.action, langs)}
                </p>
              </div>
              <div className="rule-actions">
                <label className="switch">
                  <input type="checkbox" checked={r.enabled} onChange={() => void toggle(r)} aria-label={`Enable rule ${r.name}`} />
                  <span className="switch-track" aria-hidden="true" />
                </label>
                <button type="button" className="btn-icon" onClick={() => setEditing(r)} aria-label={`Edit rule ${r.name}`}>
                  <Icon name="edit" />
                </button>
                <button type="button" className="btn-icon" onClick={() => setDeleting(r)} aria-label={`Delete rule ${r.name}`}>
                  <Icon name="trash" />
                </button>
              </div>
            </li>
          ))}
        </ul>
      )}
      {editing && (
        <RuleEditor
          rule={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={(r) => {
            rules.setData((l) => {
              const list = l ?? [];
              return list.some((x) => x.id === r.id) ? list.map((x) => (x.id === r.id ? r : x)) : [...list, r];
            });
            setEditing(null);
          }}
        />
      )}
      <ConfirmDialog
        open={!!deleting}
        title="Delete rule"
        message={`Delete the rule “${deleting?.name ?? ''}”? Jobs it already created stay in the queue.`}
        confirmLabel="Delete"
        danger
        onConfirm={() => deleting && void remove(deleting)}
        onCancel={() => setDeleting(null)}
      />
    </div>
  );
}

function describeConditions(c: Conditions, langs: Language[] | null): ReactNode {
  const parts: string[] = [];
  if (c.audio_language_is) parts.push(`audio is ${languageName(c.audio_language_is, langs)}`);
  if (c.audio_language_not) parts.push(`audio is not ${c.audio_language_not.split(',').map((x) => languageName(x.trim(), langs)).join(' or ')}`);
  if (c.audio_track_count_min) parts.push(`at least ${c.audio_track_count_min} audio tracks`);
  if (c.has_embedded_subtitle_lang) parts.push(`has embedded ${languageName(c.has_embedded_subtitle_lang, langs)} subtitles`);
  if (c.missing_embedded_subtitle_lang) parts.push(`no embedded ${languageName(c.missing_embedded_subtitle_lang, langs)} subtitles`);
  if (c.missing_external_subtitle_lang) parts.push(`no external ${languageName(c.missing_external_subtitle_lang, langs)} subtitles`);
  if (c.file_extension) parts.push(`extension ${c.file_extension}`);
  return parts.length ? parts.join(', ') : 'any file';
}

function describeAction(a: Action, langs: Language[] | null): string {
  return `${a.action_type} to ${languageName(a.target_language, langs)} (${a.quality_preset ?? 'fast'}, job priority ${a.job_priority ?? 0})`;
}

const EMPTY_CONDITIONS: Conditions = {
  audio_language_is: null,
  audio_language_not: null,
  audio_track_count_min: null,
  has_embedded_subtitle_lang: null,
  missing_embedded_subtitle_lang: null,
  missing_external_subtitle_lang: null,
  file_extension: null,
} as Conditions;

function RuleEditor(props: { rule: Rule | null; onClose: () => void; onSaved: (r: Rule) => void }): ReactNode {
  const r = props.rule;
  const [name, setName] = useState(r?.name ?? '');
  const [enabled, setEnabled] = useState(r?.enabled ?? true);
  const [priority, setPriority] = useState(r?.priority ?? 10);
  const [cond, setCond] = useState<Conditions>({ ...EMPTY_CONDITIONS, ...(r?.conditions ?? {}) });
  const [action, setAction] = useState<Action>(
    r?.action ?? ({ action_type: 'transcribe', target_language: 'eng', quality_preset: 'fast', job_priority: 0 } as Action),
  );
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const setC = <K extends keyof Conditions>(k: K, v: Conditions[K]) => setCond((c) => ({ ...c, [k]: v === '' ? null : v }));
  const setA = <K extends keyof Action>(k: K, v: Action[K]) => setAction((a) => ({ ...a, [k]: v }));

  async function submit(e: React.FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    const clean = Object.fromEntries(Object.entries(cond).filter(([, v]) => v !== null && v !== '' && v !== undefined));
    const body: RuleInput = { name: name.trim(), enabled, priority, conditions: clean, action };
    try {
      const saved = r
        ? await unwrap(api.PUT('/api/scan-rules/{rule_id}', { params: { path: { rule_id: r.id } }, body: { ...body, conditions: { ...EMPTY_CONDITIONS, ...clean } } }))
        : await unwrap(api.POST('/api/scan-rules', { body }));
      toast.success(r ? 'Rule saved' : 'Rule created');
      props.onSaved(saved);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Modal
      title={r ? `Edit rule: ${r.name}` : 'New rule'}
      open
      wide
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          <button type="submit" form="rule-form" className="btn btn-primary" disabled={busy || !name.trim() || !action.target_language}>
            {busy ? 'Saving…' : 'Save rule'}
          </button>
        </>
      }
    >
      <form id="rule-form" className="form" onSubmit={submit}>
        <div className="form-row">
          <div className="field field-grow">
            <label htmlFor="rule-name">Name</label>
            <input id="rule-name" value={name} required onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field field-narrow">
            <label htmlFor="rule-priority">Priority</label>
            <input id="rule-priority" type="number" value={priority} onChange={(e) => setPriority(Number(e.target.value) || 0)} />
          </div>
          <div className="field field-narrow">
            <span className="label" id="rule-enabled-l">
              Enabled
            </span>
            <label className="switch">
              <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} aria-labelledby="rule-enabled-l" />
              <span className="switch-track" aria-hidden="true" />
            </label>
          </div>
        </div>

        <fieldset>
          <legend>When (all set conditions must hold)</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="rc-audio-is">Audio language is</label>
              <LanguageSelect id="rc-audio-is" label="Audio language is" value={cond.audio_language_is} emptyLabel="Any" onChange={(v) => setC('audio_language_is', v)} />
            </div>
            <div className="field">
              <label htmlFor="rc-audio-not">Audio language is not</label>
              <LanguageMulti id="rc-audio-not" label="Audio language is not" value={cond.audio_language_not} onChange={(v) => setC('audio_language_not', v)} />
            </div>
            <div className="field">
              <label htmlFor="rc-missing-ext">No external subtitle in</label>
              <LanguageSelect id="rc-missing-ext" label="No external subtitle in" value={cond.missing_external_subtitle_lang} emptyLabel="Don't check" onChange={(v) => setC('missing_external_subtitle_lang', v)} />
            </div>
            <div className="field">
              <label htmlFor="rc-missing-emb">No embedded subtitle in</label>
              <LanguageSelect id="rc-missing-emb" label="No embedded subtitle in" value={cond.missing_embedded_subtitle_lang} emptyLabel="Don't check" onChange={(v) => setC('missing_embedded_subtitle_lang', v)} />
            </div>
            <div className="field">
              <label htmlFor="rc-has-emb">Has embedded subtitle in</label>
              <LanguageSelect id="rc-has-emb" label="Has embedded subtitle in" value={cond.has_embedded_subtitle_lang} emptyLabel="Don't check" onChange={(v) => setC('has_embedded_subtitle_lang', v)} />
            </div>
            <div className="field">
              <label htmlFor="rc-tracks">At least this many audio tracks</label>
              <input
                id="rc-tracks"
                type="number"
                min={0}
                value={cond.audio_track_count_min ?? ''}
                onChange={(e) => setC('audio_track_count_min', (e.target.value === '' ? null : Number(e.target.value)) as Conditions['audio_track_count_min'])}
              />
            </div>
            <div className="field">
              <label htmlFor="rc-ext">File extensions</label>
              <input id="rc-ext" placeholder=".mkv,.mp4" value={cond.file_extension ?? ''} onChange={(e) => setC('file_extension', e.target.value)} />
            </div>
          </div>
        </fieldset>

        <fieldset>
          <legend>Then</legend>
          <div className="form-grid">
            <div className="field">
              <label htmlFor="ra-type">Task</label>
              <select id="ra-type" value={action.action_type} onChange={(e) => setA('action_type', e.target.value as Action['action_type'])}>
                {JOB_MODES.map((m) => (
                  <option key={m} value={m}>
                    {label(m)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="ra-target">Subtitle language</label>
              <LanguageSelect id="ra-target" label="Subtitle language" value={action.target_language} required onChange={(v) => setA('target_language', v)} />
            </div>
            <div className="field">
              <label htmlFor="ra-preset">Quality</label>
              <select id="ra-preset" value={action.quality_preset ?? 'fast'} onChange={(e) => setA('quality_preset', e.target.value as Action['quality_preset'])}>
                {QUALITY_PRESETS.map((p) => (
                  <option key={p} value={p}>
                    {label(p)}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="ra-prio">Job priority</label>
              <input id="ra-prio" type="number" value={action.job_priority ?? 0} onChange={(e) => setA('job_priority', (Number(e.target.value) || 0) as Action['job_priority'])} />
            </div>
          </div>
        </fieldset>
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}
