// First-run setup: standalone (folders, rules, workers, schedule) or Bazarr
// provider mode (shows the URL and key to paste into Bazarr). Skippable.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { SetupResult, StandaloneSetup } from '../api/types';
import { LanguageSelect } from '../components/language-picker';
import { PathListEditor } from '../components/path-browser';
import { auth } from '../lib/auth';
import { toast } from '../lib/toast';

interface DraftRule {
  name: string;
  audio_language_is: string;
  target_language: string;
  action_type: 'transcribe' | 'translate';
}

const STEPS = ['Mode', 'Library', 'Rules', 'Workers', 'Schedule'] as const;

export function SetupWizard({ onDone }: { onDone: () => void }): ReactNode {
  const [step, setStep] = useState(0);
  const [paths, setPaths] = useState<string[]>([]);
  const [rules, setRules] = useState<DraftRule[]>([{ name: 'Subtitles in English', audio_language_is: '', target_language: 'eng', action_type: 'transcribe' }]);
  const [workerCount, setWorkerCount] = useState(1);
  const [workerType, setWorkerType] = useState<'cpu' | 'gpu'>('cpu');
  const [interval, setIntervalMin] = useState(360);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [bazarr, setBazarr] = useState<SetupResult['bazarr_info'] | null>(null);

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
    const body: StandaloneSetup = {
      library_paths: paths,
      scan_rules: rules
        .filter((r) => r.name.trim() && r.target_language)
        .map((r) => ({
          name: r.name.trim(),
          ...(r.audio_language_is ? { audio_language_is: r.audio_language_is } : {}),
          missing_external_subtitle_lang: r.target_language,
          target_language: r.target_language,
          action_type: r.action_type,
        })),
      worker_config: { count: workerCount, type: workerType },
      scanner_config: { interval_minutes: interval },
    };
    const r = await run(() => unwrap(api.POST('/api/setup/standalone', { body })));
    if (r) {
      toast.success(r.message ?? 'Setup complete');
      onDone();
    }
  }

  async function chooseBazarr() {
    const r = await run(() => unwrap(api.POST('/api/setup/bazarr-slave', {})));
    if (r) setBazarr(r.bazarr_info ?? null);
  }

  async function skip() {
    const r = await run(() => unwrap(api.POST('/api/setup/skip', {})));
    if (r) onDone();
  }

  const canNext = step === 1 ? paths.length > 0 : step === 2 ? rules.every((r) => !r.name.trim() || r.target_language) : true;

  return (
    <main className="wizard" aria-labelledby="wizard-title">
      <div className="wizard-card card">
        <header className="wizard-header">
          <div className="brand">
            <span className="brand-mark" aria-hidden="true">T</span>
            <span>
            <span>
              Transcriptor<span className="brand-accent">IO</span>
            </span>
          </span>
          </div>
          <h1 id="wizard-title">Welcome — let's set things up</h1>
          {!bazarr && (
            <ol className="steps" aria-label="Setup steps">
              {STEPS.map((s, i) => (
                <li key={s} className={i === step ? 'current' : i < step ? 'done' : ''} aria-current={i === step ? 'step' : undefined}>
                  <span className="step-num">{i + 1}</span>
                  <span className="step-label">{s}</span>
                </li>
              ))}
            </ol>
          )}
        </header>

        {bazarr ? (
          <BazarrInfo info={bazarr} onContinue={() => {
            if (bazarr.api_key) auth.setKey(bazarr.api_key);
            onDone();
          }} />
        ) : (
          <section className="wizard-body">
            {step === 0 && (
              <div className="mode-choice">
                <button type="button" className="mode-card" onClick={() => setStep(1)} disabled={busy}>
                  <strong>Standalone</strong>
                  <span>Scan my library folders and create subtitles by rules. Works on its own next to Plex, Jellyfin or Emby.</span>
                </button>
                <button type="button" className="mode-card" onClick={() => void chooseBazarr()} disabled={busy}>
                  <strong>Bazarr provider</strong>
                  <span>Let Bazarr ask for subtitles (whisper provider). You get a URL and an API key to paste into Bazarr.</span>
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
                      <input id={`wr-name-${i}`} value={r.name} onChange={(e) => setRules(rules.map((x, j) => (j === i ? { ...x, name: e.target.value } : x)))} />
                    </div>
                    <div className="form-row">
                      <div className="field">
                        <label htmlFor={`wr-audio-${i}`}>When the audio is</label>
                        <LanguageSelect id={`wr-audio-${i}`} label="Audio language" value={r.audio_language_is} emptyLabel="Any language" onChange={(v) => setRules(rules.map((x, j) => (j === i ? { ...x, audio_language_is: v } : x)))} />
                      </div>
                      <div className="field">
                        <label htmlFor={`wr-target-${i}`}>Make subtitles in</label>
                        <LanguageSelect id={`wr-target-${i}`} label="Subtitle language" value={r.target_language} required onChange={(v) => setRules(rules.map((x, j) => (j === i ? { ...x, target_language: v } : x)))} />
                      </div>
                      <div className="field">
                        <label htmlFor={`wr-action-${i}`}>Task</label>
                        <select id={`wr-action-${i}`} value={r.action_type} onChange={(e) => setRules(rules.map((x, j) => (j === i ? { ...x, action_type: e.target.value as DraftRule['action_type'] } : x)))}>
                          <option value="transcribe">Transcribe</option>
                          <option value="translate">Translate</option>
                        </select>
                      </div>
                    </div>
                    <button type="button" className="btn btn-small" onClick={() => setRules(rules.filter((_, j) => j !== i))} aria-label={`Remove rule ${i + 1}`}>
                      Remove
                    </button>
                  </fieldset>
                ))}
                <button type="button" className="btn" onClick={() => setRules([...rules, { name: '', audio_language_is: '', target_language: 'eng', action_type: 'transcribe' }])}>
                  Add another rule
                </button>
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
            {step === 4 && (
              <div className="form">
                <h2>Scan schedule</h2>
                <div className="field">
                  <label htmlFor="w-interval">Scan the library every (minutes)</label>
                  <input id="w-interval" type="number" min={1} value={interval} onChange={(e) => setIntervalMin(Math.max(1, Number(e.target.value) || 1))} />
                  <p className="help">You can also scan by hand at any time from the Scanner page.</p>
                </div>
              </div>
            )}
            {error && (
              <p className="field-error" role="alert">
                {error}
              </p>
            )}
          </section>
        )}

        {!bazarr && (
          <footer className="wizard-footer">
            <button type="button" className="btn btn-link" onClick={() => void skip()} disabled={busy}>
              Skip setup
            </button>
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
                <button type="button" className="btn btn-primary" onClick={() => void finishStandalone()} disabled={busy}>
                  {busy ? 'Saving…' : 'Finish setup'}
                </button>
              )}
            </div>
          </footer>
        )}
      </div>
    </main>
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

function BazarrInfo({ info, onContinue }: { info: NonNullable<SetupResult['bazarr_info']>; onContinue: () => void }): ReactNode {
  return (
    <section className="wizard-body form">
      <h2>Bazarr provider mode is on</h2>
      <p className="muted">
        In Bazarr, open Settings → Providers → Whisper and paste these values. Keep the key secret: it also protects this server's API.
      </p>
      <CopyField id="bz-url" label="Provider URL" value={info.provider_url} />
      <CopyField id="bz-key" label="API key" value={info.api_key} />
      <div className="wizard-nav">
        <button type="button" className="btn btn-primary" onClick={onContinue}>
          Continue to the dashboard
        </button>
      </div>
    </section>
  );
}
