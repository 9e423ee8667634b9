// Scan rules: ordered by priority, with condition/action editors, toggle and
// delete with confirmation. While a rule is edited, the server says what its
// action does (task, translation, model) and how many library files it
// matches now (POST /api/scan-rules/preview).
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { Language, ResponseOf, Rule, RuleInput } from '../api/types';
import { EmptyState, ErrorBanner, Loading, PageHeader, PresetSelect } from '../components/bits';
import { Icon } from '../components/icons';
import { languageName, LanguageMulti, LanguageSelect, useLanguages } from '../components/language-picker';
import { ConfirmDialog, FormFooter, Modal } from '../components/modal';
import { href } from '../lib/router';
import { plural } from '../lib/format';
import { toast } from '../lib/toast';
import { useResource } from '../lib/use-resource';
import { JOB_MODES, label } from '../lib/kinds';

type Conditions = Rule['conditions'];
type Action = Rule['action'];
type Preview = ResponseOf<'/api/scan-rules/preview', 'post'>;

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
        <p className="muted">
          Scans check every file against the enabled rules, highest rule priority first; the first match creates a job. Job priority then sets where that job
          waits in the queue.
        </p>
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
                  <span className="rule-priority" title="Rule priority: the highest matching rule wins">
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
                <RuleMeaning rule={r} />
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
  if (c.audio_is_original_language) parts.push('audio is the original language');
  return parts.length ? parts.join(', ') : 'any file';
}

function describeAction(a: Action, langs: Language[] | null): string {
  return `make ${languageName(a.target_language, langs)} subtitles (${label(a.quality_preset ?? 'fast')} quality, job priority ${a.job_priority ?? 0})`;
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
    r?.action ?? ({ action_type: 'transcribe', target_language: 'eng', quality_preset: 'fast', job_priority: 0, sync_external_subtitles: false } as Action),
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
      footer={<FormFooter form="rule-form" onCancel={props.onClose} label={busy ? 'Saving…' : 'Save rule'} disabled={busy || !name.trim() || !action.target_language} />}
    >
      <form id="rule-form" className="form" onSubmit={submit}>
        <div className="form-row">
          <div className="field field-grow">
            <label htmlFor="rule-name">Name</label>
            <input id="rule-name" value={name} required onChange={(e) => setName(e.target.value)} />
          </div>
          <div className="field field-narrow">
            <label htmlFor="rule-priority">Rule priority</label>
            <input id="rule-priority" type="number" value={priority} aria-describedby="rule-priority-help" onChange={(e) => setPriority(Number(e.target.value) || 0)} />
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

        <p className="help" id="rule-priority-help">
          Rule priority decides which rule wins when several match the same file (the highest). It does not make jobs run sooner: that is the job priority below.
        </p>

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
          <label className="check">
            <input
              type="checkbox"
              checked={!!cond.audio_is_original_language}
              onChange={(e) => setC('audio_is_original_language', (e.target.checked || null) as Conditions['audio_is_original_language'])}
            />
            Only when the audio is the original language (skips dubs; the original language comes from Sonarr and Radarr)
          </label>
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
              <PresetSelect id="ra-preset" value={action.quality_preset ?? 'fast'} onChange={(v) => setA('quality_preset', v)} />
            </div>
            <div className="field">
              <label htmlFor="ra-prio">Job priority</label>
              <input
                id="ra-prio"
                type="number"
                value={action.job_priority ?? 0}
                aria-describedby="ra-prio-help"
                onChange={(e) => setA('job_priority', (Number(e.target.value) || 0) as Action['job_priority'])}
              />
              <p className="help" id="ra-prio-help">
                Queue order of the jobs this rule makes: higher runs first.
              </p>
            </div>
          </div>
          <label className="check">
            <input type="checkbox" checked={!!action.sync_external_subtitles} onChange={(e) => setA('sync_external_subtitles', e.target.checked)} />
            Keep downloaded subtitles in this language in sync (the sync check fixes them against the audio when it is sure; the original is kept, with Undo)
          </label>
        </fieldset>
        <RulePreviewPanel ruleId={r?.id ?? null} name={name} priority={priority} conditions={cond} action={action} />
        {error && (
          <p className="field-error" role="alert">
            {error}
          </p>
        )}
      </form>
    </Modal>
  );
}

/** A saved rule's action in words, and its warning (a translation provider missing), without counting files. */
function RuleMeaning({ rule }: { rule: Rule }): ReactNode {
  const [x, setX] = useState<Preview['explanation'] | null>(null);
  useEffect(() => {
    let stale = false;
    unwrap(api.POST('/api/scan-rules/preview', { body: { rule_id: rule.id, count: false } })).then(
      (p) => !stale && setX(p.explanation),
      () => undefined,
    );
    return () => void (stale = true);
  }, [rule.id, rule.updated_at]);
  if (!x) return null;
  return (
    <p className="rule-meaning-line help" data-testid={`rule-meaning-${rule.id}`}>
      {x.summary}
      {x.warning && (
        <>
          {' '}
          <span className="badge badge-warning">needs a translation provider</span> <a href={href('/settings/translation_provider')}>Set one up</a>
        </>
      )}
    </p>
  );
}

/** What the draft does and how many files it matches now, asked of the server a moment after each edit. */
function RulePreviewPanel(props: { ruleId: number | null; name: string; priority: number; conditions: Conditions; action: Action }): ReactNode {
  const [preview, setPreview] = useState<Preview | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const key = JSON.stringify([props.ruleId, props.name, props.priority, props.conditions, props.action]);
  useEffect(() => {
    if (!props.action.target_language) return;
    let stale = false;
    const clean = Object.fromEntries(Object.entries(props.conditions).filter(([, v]) => v !== null && v !== '' && v !== undefined));
    const timer = setTimeout(() => {
      setBusy(true);
      unwrap(
        api.POST('/api/scan-rules/preview', {
          body: { rule_id: props.ruleId, name: props.name.trim() || undefined, priority: props.priority, conditions: { ...EMPTY_CONDITIONS, ...clean }, action: props.action },
        }),
      ).then(
        (p) => {
          if (stale) return;
          setPreview(p);
          setError(null);
        },
        (e) => !stale && setError(messageOf(e)),
      ).finally(() => !stale && setBusy(false));
    }, 350);
    return () => {
      stale = true;
      clearTimeout(timer);
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);

  const x = preview?.explanation;
  return (
    <section className="rule-preview" aria-labelledby="rule-preview-h" aria-busy={busy} data-testid="rule-preview">
      <h3 id="rule-preview-h">What this rule will do</h3>
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
      {!x ? (
        !error && <p className="muted">Checking…</p>
      ) : (
        <>
          <p className="rule-preview-summary">{x.summary}</p>
          {x.warning && (
            <p className="rule-preview-warning" role="alert" data-testid="translation-warning">
              <Icon name="health" size={16} /> <span>{x.warning}</span>{' '}
              <a href={href('/settings/translation_provider')}>Set up a translation provider</a>
            </p>
          )}
          {x.action_type_note && <p className="help">{x.action_type_note}</p>}
          <p className="help">
            Model <strong>{x.model}</strong> ({label(x.preset)} quality, beam {x.beam_size}, on {x.device === 'cuda' ? 'GPU' : 'CPU'})
            {!x.model_installed && (
              <>
                {' '}
                — not installed yet: <a href={href('/models')}>get it on the Models page</a>
              </>
            )}
          </p>
          <p className="rule-preview-matches" data-testid="rule-matches">
            {preview.files_checked === 0 ? (
              <>
                No scanned files yet: <a href={href('/scanner')}>scan the library</a> to see which files this rule matches.
              </>
            ) : (
              <>
                Matches <strong>{plural(preview.matches, 'file')}</strong> in your library now
                {preview.taken_by_other_rules > 0 && (
                  <>
                    ; {preview.taken_by_other_rules} of them {preview.taken_by_other_rules === 1 ? 'goes' : 'go'} to another rule that comes first
                  </>
                )}
                {preview.already_queued > 0 && <>; {preview.already_queued} already queued</>}
                <span className="muted"> (of {plural(preview.files_checked, 'scanned file')})</span>
              </>
            )}
          </p>
          {preview.sample.length > 0 && (
            <details className="rule-preview-sample">
              <summary>Show {preview.sample.length < preview.matches - preview.already_queued ? `the first ${preview.sample.length}` : 'them'}</summary>
              <ul>
                {preview.sample.map((f) => (
                  <li key={f.path}>
                    <code className="break">{f.path}</code>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </section>
  );
}
