// Setup: standalone (folders, rules, workers, the model, schedule) ending
// ready to work ("Scan now"), or Bazarr provider mode (the one Endpoint to
// paste into Bazarr). On an instance that is already set up nothing changes
// until the user confirms what will change.
import { useEffect, useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import { useLive } from '../api/live';
import type { Model, ModelDownload, ResponseOf, SetupResult, SetupStatus, StandaloneSetup } from '../api/types';
import { ProgressBar } from '../components/bits';
import { LanguageSelect, languageName, useLanguages } from '../components/language-picker';
import { ConfirmDialog } from '../components/modal';
import { BazarrAdvice, BazarrConfigure } from '../components/bazarr-configure';
import { useResource } from '../lib/use-resource';
import { PathField, PathListEditor } from '../components/path-browser';
import { formatBytes } from '../lib/format';
import { href, navigate } from '../lib/router';
import { toast } from '../lib/toast';

type Recommendation = ResponseOf<'/api/models/recommendation', 'get'>;
type StandaloneResult = ResponseOf<'/api/setup/standalone', 'post'>;
type BazarrResult = NonNullable<SetupResult['bazarr_info']>;
type Status = SetupStatus & { library_paths?: string[]; translation_configured?: boolean; public_url?: string; bazarr_provider_enabled?: boolean };

interface DraftRule {
  name: string;
  audio_language_is: string;
  target_language: string;
}

interface Translation {
  provider: '' | 'libretranslate' | 'deepl' | 'openai';
  url: string;
  api_key: string;
}

const STEPS = ['Mode', 'Library', 'Rules', 'Workers', 'Model', 'Schedule'] as const;
const PROVIDERS: Record<Exclude<Translation['provider'], ''>, { name: string; url: string; key: boolean }> = {
  libretranslate: { name: 'LibreTranslate', url: 'http://localhost:5000', key: false },
  deepl: { name: 'DeepL', url: 'https://api-free.deepl.com', key: true },
  openai: { name: 'OpenAI-compatible', url: 'https://api.openai.com/v1', key: true },
};

/** Same rule as the server's: a target that is neither the audio language nor English needs machine translation. */
export function needsTranslation(r: Pick<DraftRule, 'audio_language_is' | 'target_language'>): boolean {
  if (!r.target_language || r.target_language === 'eng') return false;
  return !(r.audio_language_is && r.audio_language_is === r.target_language);
}

function translationReady(t: Translation): boolean {
  if (!t.provider) return false;
  if (t.provider === 'libretranslate') return !!t.url.trim();
  if (t.provider === 'deepl') return !!t.api_key.trim();
  return !!(t.url.trim() || t.api_key.trim());
}

const isLoopbackUrl = (u: string) => {
  try {
    const h = new URL(u).hostname.replace(/^\[|\]$/g, '');
    return h === 'localhost' || h.endsWith('.localhost') || /^127\./.test(h) || h === '::1';
  } catch {
    return false;
  }
};

/** The value the setup API takes for an installed model: its file name in the model folder, else its path. */
const modelValue = (m: Model, dir: string) => (m.path === `${dir.replace(/\/+$/, '')}/${m.file}` ? m.file : m.path);

export function SetupWizard({ onDone }: { onDone: () => void }): ReactNode {
  const [status, setStatus] = useState<Status | null>(null);
  const [step, setStep] = useState(0);
  const [mode, setMode] = useState<'standalone' | 'bazarr'>('standalone');
  const [paths, setPaths] = useState<string[]>([]);
  const [rules, setRules] = useState<DraftRule[]>([{ name: 'Subtitles in English', audio_language_is: '', target_language: 'eng' }]);
  const [translation, setTranslation] = useState<Translation>({ provider: '', url: '', api_key: '' });
  const [askProvider, setAskProvider] = useState(false);
  const [workerCount, setWorkerCount] = useState(1);
  const [workerType, setWorkerType] = useState<'cpu' | 'gpu'>('cpu');
  const [model, setModel] = useState<string | null>(null);
  const [interval, setIntervalMin] = useState(360);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [confirming, setConfirming] = useState(false);
  const [result, setResult] = useState<StandaloneResult | null>(null);
  const languages = useLanguages();

  useEffect(() => {
    unwrap(api.GET('/api/setup/status', {}))
      .then((s) => {
        const st = s as Status;
        setStatus(st);
        if (st.library_paths?.length) setPaths(st.library_paths);
        // Rules already there stay; the wizard only adds new ones.
        if (st.rules_count > 0) setRules([]);
      })
      .catch((e) => setError(messageOf(e)));
  }, []);

  const configured = !!status && (status.setup_completed || status.has_library_paths || status.rules_count > 0);
  const translationConfigured = !!status?.translation_configured || translationReady(translation);
  const cleanRules = rules.filter((r) => r.name.trim() && r.target_language);
  const untranslatable = cleanRules.filter((r) => needsTranslation(r) && !translationConfigured);

  async function run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    setBusy(true);
    setError(null);
    try {
      return await fn();
    } catch (e) {
      setError(messageOf(e));
      return undefined;
    } finally {
      setBusy(false);
    }
  }

  async function finishStandalone() {
    setConfirming(false);
    const body: StandaloneSetup = {
      library_paths: paths,
      scan_rules: cleanRules.map((r) => ({
        name: r.name.trim(),
        ...(r.audio_language_is ? { audio_language_is: r.audio_language_is } : {}),
        missing_external_subtitle_lang: r.target_language,
        target_language: r.target_language,
        action_type: 'transcribe',
      })),
      worker_config: { count: workerCount, type: workerType },
      scanner_config: { interval_minutes: interval },
      ...(model ? { model } : {}),
      ...(translation.provider && translationReady(translation) ? { translation: { provider: translation.provider, url: translation.url.trim() || null, api_key: translation.api_key.trim() || null } } : {}),
    };
    const r = await run(() => unwrap(api.POST('/api/setup/standalone', { body })));
    if (r) setResult(r);
  }

  async function skip() {
    const r = await run(() => unwrap(api.POST('/api/setup/skip', {})));
    if (r) onDone();
  }

  const plainName = (code: string) => languages?.find((l) => l.code === code)?.name ?? code;
  // A rule still named after its target ("Subtitles in English") follows a new target.
  const updateRule = (i: number, patch: Partial<DraftRule>) =>
    setRules(rules.map((x, j) => {
      if (j !== i) return x;
      const next = { ...x, ...patch };
      if (patch.target_language && patch.name === undefined && x.name === `Subtitles in ${plainName(x.target_language)}`) next.name = `Subtitles in ${plainName(patch.target_language)}`;
      return next;
    }));
  const canNext = step === 1 ? paths.length > 0 : step === 2 ? rules.every((r) => !r.name.trim() || r.target_language) : true;
  const steps = mode === 'bazarr' ? [] : STEPS;

  return (
    <main className="wizard" aria-labelledby="wizard-title">
      <div className="wizard-card card">
        <header className="wizard-header">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">T</span>
            <span>
              Transcriptor<span className="brand-accent">IO</span>
            </span>
          </div>
          <h1 id="wizard-title">{configured ? 'Setup' : 'Welcome — let’s set things up'}</h1>
          {configured && !result && (
            <p className="alert wizard-note" role="note">
              This server is already set up. Nothing changes until you confirm at the end.{' '}
              <a href={href('/dashboard')} onClick={(e) => { e.preventDefault(); navigate('/dashboard'); }}>
                Leave setup
              </a>
            </p>
          )}
          {!result && mode === 'standalone' && (
            <ol className="steps" aria-label="Setup steps">
              {steps.map((s, i) => (
                <li key={s} className={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
                  <span className="step-num">{i + 1}</span>
                  <span className="step-label">{s}</span>
                </li>
              ))}
            </ol>
          )}
        </header>

        {result ? (
          <ReadyStep result={result} onDone={onDone} />
        ) : mode === 'bazarr' ? (
          <BazarrStep status={status} configured={configured} onBack={() => setMode('standalone')} onDone={onDone} />
        ) : (
          <section className="wizard-body">
            {step === 0 && (
              <div className="mode-choice">
                <button type="button" className="mode-card" onClick={() => setStep(1)} disabled={busy}>
                  <strong>Standalone</strong>
                  <span>Scan my library folders and create subtitles by rules. Works on its own next to Plex, Jellyfin or Emby.</span>
                </button>
                <button type="button" className="mode-card" onClick={() => setMode('bazarr')} disabled={busy}>
                  <strong>Bazarr provider</strong>
                  <span>Let Bazarr ask for subtitles (its Whisper provider). You get the one Endpoint address to paste into Bazarr.</span>
                </button>
              </div>
            )}
            {step === 1 && (
              <div className="form">
                <h2>Library folders</h2>
                <p className="muted">The folders with your movies and shows. Sub-folders are scanned too.</p>
                <PathListEditor label="Library folders" paths={paths} onChange={setPaths} />
              </div>
            )}
            {step === 2 && (
              <div className="form">
                <h2>First rules</h2>
                <p className="muted">Each rule says which files get subtitles in which language. Files that already have that subtitle are skipped. You can change rules later.</p>
                {rules.map((r, i) => (
                  <fieldset key={i} className="rule-draft">
                    <legend>Rule {i + 1}</legend>
                    <div className="field">
                      <label htmlFor={`wr-name-${i}`}>Name</label>
                      <input id={`wr-name-${i}`} value={r.name} onChange={(e) => updateRule(i, { name: e.target.value })} />
                    </div>
                    <div className="form-row">
                      <div className="field">
                        <label htmlFor={`wr-audio-${i}`}>When the audio is</label>
                        <LanguageSelect id={`wr-audio-${i}`} label="Audio language" value={r.audio_language_is} emptyLabel="Any language" onChange={(v) => updateRule(i, { audio_language_is: v })} />
                      </div>
                      <div className="field">
                        <label htmlFor={`wr-target-${i}`}>Make subtitles in</label>
                        <LanguageSelect id={`wr-target-${i}`} label="Subtitle language" value={r.target_language} required onChange={(v) => updateRule(i, { target_language: v })} />
                      </div>
                    </div>
                    <RuleMeaning rule={r} languages={languages} translation={translationConfigured ? translation.provider || 'configured' : null} />
                    {needsTranslation(r) && !translationConfigured && (
                      <div className="rule-warning" role="alert">
                        <p>
                          <strong>This rule needs a translation provider.</strong> Whisper writes subtitles in the audio’s own language or in English; {languageName(r.target_language, languages)} from{' '}
                          {r.audio_language_is ? languageName(r.audio_language_is, languages) : 'other'} audio needs a translation service, and none is set up, so its jobs would fail.
                        </p>
                        <div className="rule-warning-actions">
                          <button type="button" className="btn btn-small btn-primary" onClick={() => updateRule(i, { target_language: 'eng' })}>
                            → English instead (Whisper translate)
                          </button>
                          <button type="button" className="btn btn-small" onClick={() => setAskProvider(true)}>
                            Set up a translation provider
                          </button>
                        </div>
                      </div>
                    )}
                    <button type="button" className="btn btn-small" onClick={() => setRules(rules.filter((_, j) => j !== i))} aria-label={`Remove rule ${i + 1}`}>
                      Remove
                    </button>
                  </fieldset>
                ))}
                <button type="button" className="btn" onClick={() => setRules([...rules, { name: '', audio_language_is: '', target_language: 'eng' }])}>
                  Add another rule
                </button>
                {(askProvider || (translation.provider && !status?.translation_configured)) && <TranslationForm value={translation} onChange={setTranslation} />}
              </div>
            )}
            {step === 3 && (
              <div className="form">
                <h2>Workers</h2>
                <p className="muted">Workers transcribe one file at a time each. One CPU worker suits most machines; use GPU workers if you have an NVIDIA card.</p>
                <div className="form-row">
                  <div className="field">
                    <label htmlFor="w-type">Worker type</label>
                    <select id="w-type" value={workerType} onChange={(e) => setWorkerType(e.target.value as 'cpu' | 'gpu')}>
                      <option value="cpu">CPU</option>
                      <option value="gpu">GPU</option>
                    </select>
                  </div>
                  <div className="field">
                    <label htmlFor="w-count">Number of workers</label>
                    <input id="w-count" type="number" min={0} max={32} value={workerCount} onChange={(e) => setWorkerCount(Math.max(0, Number(e.target.value) || 0))} />
                  </div>
                </div>
              </div>
            )}
            {step === 4 && <ModelStep workerType={workerType} value={model} onChange={setModel} />}
            {step === 5 && (
              <div className="form">
                <h2>Scan schedule</h2>
                <div className="field">
                  <label htmlFor="w-interval">Scan the library every (minutes)</label>
                  <input id="w-interval" type="number" min={1} value={interval} onChange={(e) => setIntervalMin(Math.max(1, Number(e.target.value) || 1))} />
                  <p className="help">You can also scan by hand at any time from the Scanner page; the last step offers a scan right away.</p>
                </div>
                {untranslatable.length > 0 && (
                  <p className="rule-warning" role="alert">
                    {untranslatable.length === 1 ? `The rule “${untranslatable[0]!.name}” needs` : `${untranslatable.length} rules need`} a translation provider that is not set up: go back to Rules to fix it, or its jobs will fail.
                  </p>
                )}
              </div>
            )}
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </section>
        )}

        {!result && mode === 'standalone' && (
          <footer className="wizard-footer">
            {configured ? (
              <span />
            ) : (
              <button type="button" className="btn btn-link" onClick={() => void skip()} disabled={busy}>
                Skip setup
              </button>
            )}
            <div className="wizard-nav">
              {step > 0 && (
                <button type="button" className="btn" onClick={() => setStep(step - 1)} disabled={busy}>
                  Back
                </button>
              )}
              {step > 0 && step < STEPS.length - 1 && (
                <button type="button" className="btn btn-primary" onClick={() => setStep(step + 1)} disabled={!canNext}>
                  Next
                </button>
              )}
              {step === STEPS.length - 1 && (
                <button type="button" className="btn btn-primary" onClick={() => (configured ? setConfirming(true) : void finishStandalone())} disabled={busy}>
                  {busy ? 'Saving…' : 'Finish setup'}
                </button>
              )}
            </div>
          </footer>
        )}
      </div>
      <ConfirmDialog
        open={confirming}
        title="Change the setup?"
        confirmLabel="Apply these changes"
        onCancel={() => setConfirming(false)}
        onConfirm={() => void finishStandalone()}
        message={
          <span className="confirm-list">
            Library folders become: {paths.join(', ') || 'none'}. {cleanRules.length ? `${cleanRules.length} new ${cleanRules.length === 1 ? 'rule is' : 'rules are'} added (existing rules stay). ` : 'No rule is added. '}
            Workers: {workerCount} {workerType.toUpperCase()}. Scans every {interval} minutes.{model ? ` Model: ${model.split('/').pop()}.` : ''}
          </span>
        }
      />
    </main>
  );
}

/** What a rule will do, in words. */
function RuleMeaning(props: { rule: DraftRule; languages: ReturnType<typeof useLanguages>; translation: string | null }): ReactNode {
  const { rule: r, languages } = props;
  if (!r.target_language) return null;
  const target = languageName(r.target_language, languages);
  const audio = r.audio_language_is ? `${languageName(r.audio_language_is, languages)} audio` : 'audio in any language';
  let text: string;
  if (r.audio_language_is && r.audio_language_is === r.target_language) text = `Whisper transcribes ${audio} into ${target} subtitles.`;
  else if (r.target_language === 'eng') text = `Whisper turns ${audio} into English subtitles (it translates to English by itself).`;
  else if (props.translation) text = `Whisper transcribes ${audio}, then the translation provider translates to ${target}.`;
  else return null;
  return <p className="help rule-meaning">{text}</p>;
}

function TranslationForm(props: { value: Translation; onChange: (t: Translation) => void }): ReactNode {
  const t = props.value;
  const info = t.provider ? PROVIDERS[t.provider] : null;
  return (
    <fieldset className="rule-draft translation-form">
      <legend>Translation provider</legend>
      <p className="muted">Used for subtitles in a language that is neither the audio’s nor English. Stored in Settings → Languages and translation.</p>
      <div className="form-row">
        <div className="field">
          <label htmlFor="tr-provider">Provider</label>
          <select id="tr-provider" value={t.provider} onChange={(e) => props.onChange({ ...t, provider: e.target.value as Translation['provider'] })}>
            <option value="">Choose…</option>
            {Object.entries(PROVIDERS).map(([id, p]) => (
              <option key={id} value={id}>
                {p.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor="tr-url">Address</label>
          <input id="tr-url" value={t.url} placeholder={info?.url ?? ''} spellCheck={false} onChange={(e) => props.onChange({ ...t, url: e.target.value })} />
        </div>
        {info?.key !== false && (
          <div className="field">
            <label htmlFor="tr-key">API key</label>
            <input id="tr-key" type="password" autoComplete="off" value={t.api_key} onChange={(e) => props.onChange({ ...t, api_key: e.target.value })} />
          </div>
        )}
      </div>
      {t.provider && !translationReady(t) && <p className="help">{t.provider === 'libretranslate' ? 'Enter the LibreTranslate address.' : t.provider === 'deepl' ? 'Enter your DeepL API key.' : 'Enter the address or the API key.'}</p>}
    </fieldset>
  );
}

const ACTIVE = new Set(['queued', 'downloading', 'verifying']);

/**
 * The model step: installed models to choose from, the model suggested for
 * this hardware with a download and its progress, and the offline way (a ggml
 * file copied into the model folder, or picked on this server).
 */
function ModelStep(props: { workerType: 'cpu' | 'gpu'; value: string | null; onChange: (v: string | null) => void }): ReactNode {
  const [rec, setRec] = useState<Recommendation | null>(null);
  const [models, setModels] = useState<Model[] | null>(null);
  const [download, setDownload] = useState<ModelDownload | null>(null);
  const [picked, setPicked] = useState('');
  const [error, setError] = useState<string | null>(null);

  async function load(select = false) {
    try {
      const [r, list] = await Promise.all([
        unwrap(api.GET('/api/models/recommendation', { params: { query: { worker_type: props.workerType } } })),
        unwrap(api.GET('/api/models', {})),
      ]);
      setRec(r);
      setModels(list);
      setError(null);
      const installed = list.filter((m) => m.kind === 'whisper' && m.installed);
      if (select || props.value === null) {
        const current = installed.find((m) => m.in_use);
        const best = installed.find((m) => m.name === r.name) ?? current ?? installed[0];
        props.onChange(best ? modelValue(best, r.model_dir) : r.name);
      }
    } catch (e) {
      setError(messageOf(e));
    }
  }
  useEffect(() => {
    void load();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [props.workerType]);

  useLive('model.download', (d) => {
    if (!rec || d.name !== rec.name) return;
    setDownload(d);
    if (d.status === 'done') {
      toast.success(`Downloaded ${d.name}`);
      void load(true);
    } else if (d.status === 'error') {
      setError(`The download of ${d.name} failed${d.error ? `: ${d.error}` : ''}. Try again, or copy the file into the model folder (see “No internet on this server?”).`);
    }
  });

  async function startDownload() {
    if (!rec) return;
    try {
      await unwrap(api.POST('/api/models/{name}/download', { params: { path: { name: rec.name } } }));
      setDownload({ name: rec.name, status: 'downloading', received_bytes: 0, total_bytes: null, percent: 0 });
      props.onChange(rec.name);
    } catch (e) {
      setError(messageOf(e));
    }
  }

  const installed = (models ?? []).filter((m) => m.kind === 'whisper' && m.installed);
  const recModel = models?.find((m) => m.name === rec?.name);
  const active = !!download && ACTIVE.has(download.status);
  const dir = rec?.model_dir ?? '';
  return (
    <div className="form model-step">
      <h2>Model</h2>
      <p className="muted">Whisper needs one model file to transcribe. Bigger models are more accurate and slower.</p>
      {rec && (
        <p className="model-advice" data-testid="model-recommendation">
          <strong>Recommended for this machine: {rec.name}.</strong> {rec.reason}
        </p>
      )}
      <div className="model-choices" role="radiogroup" aria-label="Model to use">
        {installed.map((m) => {
          const v = modelValue(m, dir);
          return (
            <label key={m.path} className="model-choice">
              <input type="radio" name="wizard-model" value={v} checked={props.value === v} onChange={() => props.onChange(v)} />
              <span>
                <span className="model-choice-title">
                  <strong>{m.name}</strong> {m.recommended && <span className="badge badge-completed model-tag">recommended</span>}
                </span>
                <span className="muted small">installed · {formatBytes(m.size_bytes)}</span>
                <span className="muted small mono model-path">{m.path}</span>
              </span>
            </label>
          );
        })}
        {rec && !recModel?.installed && (
          <label className="model-choice">
            <input type="radio" name="wizard-model" value={rec.name} checked={props.value === rec.name} onChange={() => props.onChange(rec.name)} />
            <span>
              <span className="model-choice-title">
                <strong>{rec.name}</strong> <span className="badge badge-completed model-tag">recommended</span>
              </span>
              <span className="muted small">not installed · {formatBytes(recModel?.size_bytes)} download</span>
              {active ? (
                <span className="model-progress">
                  <ProgressBar value={download!.percent ?? 0} label={`Downloading ${rec.name}`} status="processing" />
                  <span className="small">
                    {download!.percent != null ? `${Math.round(download!.percent)}%` : ''} {formatBytes(download!.received_bytes)}
                    {download!.total_bytes ? ` / ${formatBytes(download!.total_bytes)}` : ''}
                  </span>
                </span>
              ) : (
                <button type="button" className="btn btn-small btn-primary" onClick={() => void startDownload()}>
                  Download {rec.name} now
                </button>
              )}
            </span>
          </label>
        )}
        {picked.trim() && !installed.some((m) => m.path === picked.trim()) && (
          <label className="model-choice">
            <input type="radio" name="wizard-model" value={picked.trim()} checked={props.value === picked.trim()} onChange={() => props.onChange(picked.trim())} />
            <span>
              <span className="model-choice-title">
                <strong>{picked.trim().split('/').pop()}</strong>
              </span>
              <span className="muted small">a file on this server</span>
              <span className="muted small mono model-path">{picked.trim()}</span>
            </span>
          </label>
        )}
        {installed.length === 0 && !active && <p className="help">No model is installed yet. Download one now, or the first job downloads {rec?.name ?? 'it'} itself when this server has internet.</p>}
      </div>
      <details className="model-offline" open={installed.length === 0}>
        <summary>No internet on this server?</summary>
        <p>
          Copy a ggml model file (such as <code>ggml-{rec?.name ?? 'small'}.bin</code> from a machine with internet) into the model folder, then press Refresh:
        </p>
        <p>
          <code className="path-abs" data-testid="model-dir">{dir}</code>{' '}
          <button type="button" className="btn btn-small" onClick={() => void load(true)}>
            Refresh
          </button>
        </p>
        <p>Or choose a model file that is already on this server:</p>
        <PathField
          id="wizard-model-file"
          label="model file"
          mode="file"
          value={picked}
          placeholder="/path/to/ggml-model.bin"
          onChange={(p) => {
            setPicked(p);
            if (p.trim()) {
              props.onChange(p.trim());
              setError(null);
            }
          }}
        />
      </details>
      {props.value && <p className="help">Jobs will use: <strong className="mono">{props.value.split('/').pop()}</strong></p>}
      {error && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </div>
  );
}

/** The end of standalone setup: what was set up, "Scan now", and the way to the queue. */
function ReadyStep({ result, onDone }: { result: StandaloneResult; onDone: () => void }): ReactNode {
  const [scan, setScan] = useState<{ state: 'idle' | 'running' | 'done'; text?: string; jobs?: number }>({ state: 'idle' });
  const go = (path: string) => {
    onDone();
    navigate(path);
  };
  async function scanNow() {
    setScan({ state: 'running' });
    try {
      const r = await unwrap(api.POST('/api/scanner/scan', {}));
      const jobs = 'jobs_created' in r ? r.jobs_created : 0;
      const files = 'scanned_files' in r ? r.scanned_files : 0;
      setScan({ state: 'done', jobs, text: `Scan done: ${files} ${files === 1 ? 'media file' : 'media files'} found, ${jobs} ${jobs === 1 ? 'job' : 'jobs'} created.` });
    } catch (e) {
      setScan({ state: 'done', text: `The scan could not run: ${messageOf(e)}` });
    }
  }
  const m = result.model;
  return (
    <section className="wizard-body form ready-step">
      <h2>Ready to work</h2>
      <ul className="plain-list ready-list">
        <li>Library folders, rules and workers are set up.</li>
        {m && (
          <li>
            Model: <strong className="mono">{m.name.split('/').pop()}</strong>{' '}
            {m.installed ? '(installed)' : '(downloaded by the first job, or on the Models page)'}
          </li>
        )}
      </ul>
      {(result.warnings ?? []).map((w) => (
        <p key={w} className="rule-warning" role="alert">
          {w}
        </p>
      ))}
      <div className="ready-actions">
        <button type="button" className="btn btn-primary" onClick={() => void scanNow()} disabled={scan.state === 'running'}>
          {scan.state === 'running' ? 'Scanning…' : 'Scan now'}
        </button>
        <a
          className="btn"
          href={href('/queue')}
          onClick={(e) => {
            e.preventDefault();
            go('/queue');
          }}
        >
          Open the queue
        </a>
        <button type="button" className="btn" onClick={() => go('/dashboard')}>
          Go to the dashboard
        </button>
      </div>
      {scan.text && (
        <p role="status" className="scan-summary">
          {scan.text}
        </p>
      )}
    </section>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }): ReactNode {
  const [copied, setCopied] = useState(false);
  async function copy() {
    try {
      await navigator.clipboard.writeText(value);
    } catch {
      // Non-secure origins have no clipboard API: select the text instead.
      const el = document.getElementById(id) as HTMLInputElement | null;
      el?.select();
      document.execCommand?.('copy');
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 2000);
  }
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      <div className="input-group">
        <input id={id} readOnly value={value} className="mono" onFocus={(e) => e.target.select()} />
        <button type="button" className="btn" onClick={() => void copy()} aria-label={`Copy ${label}`}>
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </div>
  );
}

/**
 * Bazarr provider mode: the address Bazarr reaches this server at (asked,
 * prefilled from this page's address, with a note for a loopback one), an
 * explicit "Turn on", then exactly what goes into Bazarr's Endpoint field,
 * or "Configure Bazarr for me" through Bazarr's settings API. The Endpoint
 * carries the provider key (never the API key); the one in use is kept, a
 * new one is a separate, confirmed action.
 */
function BazarrStep(props: { status: Status | null; configured: boolean; onBack: () => void; onDone: () => void }): ReactNode {
  const [publicUrl, setPublicUrl] = useState(props.status?.public_url || window.location.origin);
  const [info, setInfo] = useState<BazarrResult | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [rotating, setRotating] = useState(false);
  const sync = useResource(() => unwrap(api.GET('/api/integrations/bazarr/status', {})), []);
  useEffect(() => {
    if (props.status?.public_url) setPublicUrl(props.status.public_url);
  }, [props.status?.public_url]);

  async function apply(rotate = false) {
    setBusy(true);
    setError(null);
    setRotating(false);
    try {
      const r = await unwrap(api.POST('/api/setup/bazarr-slave', { body: { public_url: publicUrl.trim() || null, ...(rotate ? { rotate_key: true } : {}) } }));
      setInfo(r.bazarr_info ?? null);
      const moved = r.bazarr_info?.bazarr_update;
      if (rotate) toast.success(moved?.updated ? `A new provider key is in use. ${moved.message}` : 'A new provider key is in use: give Bazarr the new Endpoint.');
    } catch (e) {
      setError(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const loopback = info ? !!info.loopback : isLoopbackUrl(publicUrl);
  return (
    <section className="wizard-body form bazarr-step">
      <h2>{info ? 'Bazarr provider mode is on' : 'Bazarr provider mode'}</h2>
      {!info && (
        <>
          <p className="muted">
            Bazarr asks this server for subtitles through its Whisper provider. Enter the address at which Bazarr reaches this server. The Endpoint carries a provider key of its own: it lets Bazarr transcribe and opens nothing else here. Your API key stays as it is.
          </p>
          <div className="field">
            <label htmlFor="bz-public">Address of this server, as Bazarr sees it</label>
            <input id="bz-public" value={publicUrl} spellCheck={false} onChange={(e) => setPublicUrl(e.target.value)} placeholder="http://nas.local:8000" />
            {loopback && (
              <p className="help rule-warning" role="note">
                This is a loopback address: it works only when Bazarr runs on this same machine, outside a container. Otherwise use this machine’s name or network address (for example http://192.168.1.10:8000).
              </p>
            )}
          </div>
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="wizard-nav">
            <button type="button" className="btn" onClick={props.onBack} disabled={busy}>
              Back
            </button>
            <button type="button" className="btn btn-primary" onClick={() => void apply()} disabled={busy || !publicUrl.trim()}>
              {busy ? 'Turning on…' : props.configured ? 'Turn on provider mode' : 'Turn on and show the Endpoint'}
            </button>
          </div>
        </>
      )}
      {info && (
        <>
          <p className="muted">
            In Bazarr, open Settings → Providers → Whisper and paste this into its <strong>Endpoint</strong> field, or let this server do it below. The key in the address is the provider key: it can only ask for subtitles, so Bazarr may show it and write it to its log.
          </p>
          <CopyField id="bz-url" label="Endpoint" value={info.provider_url} />
          <p className="endpoint-full">
            <code className="path-abs" aria-hidden="true">{info.provider_url}</code>
          </p>
          {loopback && (
            <p className="help rule-warning" role="note">
              This address is a loopback one: Bazarr in a container or on another machine cannot reach it. Go back and enter this machine’s network address.
            </p>
          )}
          <p className="help">
            Built from {info.public_url_source === 'request_host' ? 'the address of this page' : 'the public address'} {info.public_url}; change it any time in Settings → Bazarr and other clients.
          </p>
          {info.bazarr_update && (
            <p className={info.bazarr_update.updated ? 'help' : 'help rule-warning'} role="note">
              {info.bazarr_update.message}
            </p>
          )}
          <h3>Configure Bazarr for me</h3>
          <p className="help">
            With Bazarr’s address and API key, this server turns on Bazarr’s Whisper provider, gives it this Endpoint and sets its timeouts through Bazarr’s own settings. You see every change before it is written.
          </p>
          {sync.data && <BazarrConfigure key={String(sync.data.configured)} connect connected={sync.data.configured} publicUrl={info.public_url} />}
          <BazarrAdvice />
          {error && (
            <p className="field-error" role="alert">
              {error}
            </p>
          )}
          <div className="wizard-nav bazarr-actions">
            <button type="button" className="btn" onClick={() => setInfo(null)}>
              Change the address
            </button>
            <button type="button" className="btn" onClick={() => setRotating(true)} disabled={busy}>
              Make a new provider key…
            </button>
            <button type="button" className="btn btn-primary" onClick={props.onDone}>
              Continue to the dashboard
            </button>
          </div>
        </>
      )}
      <ConfirmDialog
        open={rotating}
        title="Make a new provider key?"
        confirmLabel="Make a new key"
        danger
        onCancel={() => setRotating(false)}
        onConfirm={() => void apply(true)}
        message="Bazarr stops getting subtitles until it has the new Endpoint: when Bazarr is connected here it is updated for you, otherwise paste it in. The API key of this server, other nodes and other clients are not affected."
      />
    </section>
  );
}
