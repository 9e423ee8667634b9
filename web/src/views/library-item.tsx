// One library file: its audio tracks, embedded and external subtitles (the
// generated ones with a preview of their first cues), the languages the
// rules still want and why, the job history, and the actions: Transcribe
// now (target and preset prefilled from the wanting rule), Redo, Delete
// generated, Ignore / Unignore; and the quality of each generated subtitle
// (score, flagged passages to listen to, Accept / Redo / Delete ours); and the
// sync of its text subtitles to the audio (components/subtitle-sync.tsx).
// Updates live while its jobs run.
import { useState, type ReactNode } from 'react';
import { api, messageOf, unwrap } from '../api/client';
import type { SubtitleQuality } from '../api/types';
import { useLive } from '../api/live';
import { EmptyState, ErrorBanner, Loading, PageHeader, PresetSelect, StatusBadge } from '../components/bits';
import { Icon } from '../components/icons';
import { languageName, LanguageSelect, useLanguages } from '../components/language-picker';
import { itemLabel, LanguageBadges, runLibraryAction, useLibraryLive, type LibraryActionBody, type LibraryItemDetail, type SubtitlePreview } from '../components/library-bits';
import { ConfirmDialog, FormFooter, Modal } from '../components/modal';
import { QualityPanel } from '../components/quality-panel-lazy';
import { ScoreBadge } from '../components/score-badge';
import { SubtitleSyncCard } from '../components/subtitle-sync';
import { ReviewActions } from '../components/review-actions';
import { formatBytes, formatDateTime, formatDuration, relativeTime } from '../lib/format';
import { label, oneOf, QUALITY_PRESETS, type QualityPreset } from '../lib/kinds';
import { href } from '../lib/router';
import { useResource } from '../lib/use-resource';

export function LibraryItemView({ id }: { id: number }): ReactNode {
  const item = useResource(() => unwrap(api.GET('/api/library/items/{id}', { params: { path: { id } } })), [id]);
  const langs = useLanguages();
  const [busy, setBusy] = useState(false);
  const [transcribing, setTranscribing] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [preview, setPreview] = useState<{ n: number; data: SubtitlePreview | null; error: string | null } | null>(null);

  useLibraryLive(
    (changed) => {
      if (changed.id !== id) return;
      // The list's item carries no quality: each subtitle keeps the one the full item had until the reload.
      item.setData((d) =>
        d ? { ...d, ...changed, external_subtitles: changed.external_subtitles.map((s) => ({ ...s, quality: d.external_subtitles.find((x) => x.path === s.path)?.quality ?? null })) } : d,
      );
      // A job moved: the history comes with the full item only.
      void item.reload();
    },
    () => void item.reload(),
  );
  useLive('job.updated', (j) => {
    if (item.data && j.file_path === item.data.path) item.setData((d) => (d ? { ...d, job_history: d.job_history.map((h) => (h.id === j.id ? { ...h, ...j } : h)) } : d));
  });

  async function act(body: Omit<LibraryActionBody, 'item_ids'>) {
    setBusy(true);
    const r = await runLibraryAction({ ...body, item_ids: [id] });
    setBusy(false);
    if (r) void item.reload();
    return r;
  }

  async function showPreview(n: number) {
    setPreview({ n, data: null, error: null });
    try {
      const data = await unwrap(api.GET('/api/library/items/{id}/subtitles/{n}', { params: { path: { id, n } } }));
      setPreview({ n, data, error: null });
    } catch (e) {
      setPreview({ n, data: null, error: messageOf(e) });
    }
  }

  const d = item.data;
  if (!d) {
    return (
      <div className="view">
        <PageHeader title="Library item" />
        <ErrorBanner error={item.error} onRetry={() => void item.reload()} />
        {item.loading && <Loading />}
      </div>
    );
  }
  const generated = d.external_subtitles.filter((s) => s.generated);
  const generatedLangs = [...new Set(generated.map((s) => s.language).filter((l): l is string => !!l))];
  const back = d.kind === 'episode' && d.show ? `/library?show=${encodeURIComponent(d.show)}${d.season !== null ? `&season=${d.season}` : ''}` : d.kind === 'movie' ? '/library?kind=movie' : '/library';
  return (
    <div className="view library-item-view">
      <p className="breadcrumb">
        <a href={href(back)}>← {d.kind === 'episode' && d.show ? `${d.show}${d.season !== null ? ` · Season ${d.season}` : ''}` : 'Library'}</a>
      </p>
      <PageHeader
        title={itemLabel(d)}
        actions={
          <>
            <button type="button" className="btn btn-primary" disabled={busy || d.missing} onClick={() => setTranscribing(true)}>
              <Icon name="play" /> Transcribe now
            </button>
            {generatedLangs.length > 0 && (
              <button type="button" className="btn" disabled={busy} onClick={() => void act({ action: 'redo', target_lang: generatedLangs.length === 1 ? generatedLangs[0] : undefined })}>
                <Icon name="retry" /> Redo
              </button>
            )}
          </>
        }
      >
        {d.show && <p className="muted">{d.show}</p>}
      </PageHeader>
      <ErrorBanner error={item.error} onRetry={() => void item.reload()} />
      {d.missing && <p className="alert alert-error">This file was gone at the last scan of its folder. It comes back when a scan finds it again.</p>}

      <section className="card" aria-labelledby="it-file-h">
        <h2 id="it-file-h">File</h2>
        <p>
          <code className="break">{d.path}</code>
        </p>
        <LanguageBadges item={d} />
        <p className="muted small">
          {d.duration_seconds ? `${formatDuration(d.duration_seconds)} · ` : ''}
          {formatBytes(d.size)} · changed {formatDateTime(d.modified_at)}
          {d.probe_error && <span className="error-text"> · cannot be read: {d.probe_error}</span>}
        </p>
        <div className="card-actions">
          {d.ignored ? (
            <button type="button" className="btn" disabled={busy || d.ignored_by === 'folder'} onClick={() => void act({ action: 'unignore' })}>
              Unignore
            </button>
          ) : (
            <button type="button" className="btn" disabled={busy} onClick={() => void act({ action: 'ignore' })}>
              Ignore this file
            </button>
          )}
          {generated.length > 0 && (
            <button type="button" className="btn btn-danger" disabled={busy} onClick={() => setConfirmDelete(true)}>
              <Icon name="trash" /> Delete generated subtitles
            </button>
          )}
          {d.ignored && <span className="muted">{d.ignored_by === 'folder' ? 'A folder above holds the ignore marker.' : 'Scans leave this file alone.'}</span>}
        </div>
      </section>

      <ItemQualitySection item={d} onChanged={() => void item.reload()} />

      <section className="card" aria-labelledby="it-wanted-h">
        <h2 id="it-wanted-h">Wanted</h2>
        {d.wanted.length === 0 ? (
          <p className="muted">{d.decision ? `Nothing wanted: ${d.decision}` : 'Nothing wanted.'}</p>
        ) : (
          <ul className="plain-list">
            {d.wanted.map((w) => (
              <li key={w.language}>
                <span className="lang lang-wanted">+{w.language.toUpperCase()}</span> <strong>{languageName(w.language, langs)}</strong> — {w.reason}{' '}
                <span className="muted">({label(w.quality_preset)} quality)</span>
              </li>
            ))}
          </ul>
        )}
      </section>

      <div className="grid-2">
        <section className="card" aria-labelledby="it-audio-h">
          <h2 id="it-audio-h">Audio tracks</h2>
          {d.audio_tracks.length === 0 ? (
            <EmptyState>No audio track.</EmptyState>
          ) : (
            <ul className="plain-list">
              {d.audio_tracks.map((a) => (
                <li key={a.index}>
                  #{a.index} {a.language ? languageName(a.language, langs) : 'language not tagged'}
                  <span className="muted">
                    {' '}
                    · {a.codec ?? '?'}
                    {a.channels ? ` · ${a.channels} ch` : ''}
                    {a.default ? ' · default' : ''}
                    {a.title ? ` · “${a.title}”` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
          <h3>Embedded subtitles</h3>
          {d.embedded_subtitles.length === 0 ? (
            <p className="muted">None.</p>
          ) : (
            <ul className="plain-list">
              {d.embedded_subtitles.map((s) => (
                <li key={s.index}>
                  #{s.index} {s.language ? languageName(s.language, langs) : 'no language'}
                  <span className="muted">
                    {' '}
                    · {s.codec ?? '?'}
                    {s.forced ? ' · forced' : ''}
                    {s.hearing_impaired ? ' · SDH' : ''}
                    {s.title ? ` · “${s.title}”` : ''}
                  </span>
                </li>
              ))}
            </ul>
          )}
        </section>

        <section className="card" aria-labelledby="it-subs-h">
          <h2 id="it-subs-h">Subtitle files</h2>
          {d.external_subtitles.length === 0 ? (
            <p className="muted">None beside the file.</p>
          ) : (
            <ul className="plain-list subtitle-files">
              {d.external_subtitles.map((s) => (
                <li key={s.index}>
                  <span className={`lang ${s.generated ? 'lang-generated' : 'lang-external'}`}>{(s.language ?? '?').toUpperCase()}</span> <code className="break">{s.file_name}</code>
                  <span className="muted">
                    {' '}
                    · {s.generated ? 'made by TranscriptorIO' : 'yours'}
                    {s.forced ? ' · forced' : ''}
                    {s.sdh ? ' · SDH' : ''}
                  </span>{' '}
                  {s.generated && <SubtitleScore fileName={s.file_name} quality={s.quality} />}{' '}
                  {['srt', 'vtt', 'ass', 'ssa', 'lrc'].includes(s.format) && (
                    <button type="button" className="btn btn-small" onClick={() => void showPreview(s.index)} aria-label={`Preview ${s.file_name}`}>
                      Preview
                    </button>
                  )}
                  {preview?.n === s.index && (
                    <div className="subtitle-preview" aria-live="polite" data-testid="subtitle-preview">
                      {preview.error ? (
                        <p className="error-text">{preview.error}</p>
                      ) : !preview.data ? (
                        <Loading />
                      ) : preview.data.cues.length === 0 ? (
                        <p className="muted">No cues in this file.</p>
                      ) : (
                        <ol className="cues">
                          {preview.data.cues.map((c, k) => (
                            <li key={k}>
                              <span className="muted small">
                                {c.start} → {c.end}
                              </span>
                              <span className="cue-text">{c.text}</span>
                            </li>
                          ))}
                          {preview.data.truncated && <li className="muted">…</li>}
                        </ol>
                      )}
                    </div>
                  )}
                </li>
              ))}
            </ul>
          )}
        </section>
      </div>

      <SubtitleSyncCard item={d} onChanged={() => void item.reload()} />

      <section className="card" aria-labelledby="it-jobs-h">
        <h2 id="it-jobs-h">Job history</h2>
        {d.job_history.length === 0 ? (
          <p className="muted">No job yet.</p>
        ) : (
          <ul className="plain-list job-history">
            {d.job_history.map((j) => (
              <li key={j.id} data-job-id={j.id}>
                <StatusBadge status={j.status} /> <a href={href(`/queue?job=${encodeURIComponent(j.id)}`)}>{languageName(j.target_lang, langs)}</a>
                <span className="muted">
                  {' '}
                  · {relativeTime(j.created_at)}
                  {j.status === 'processing' ? ` · ${Math.round(j.progress)}%` : ''}
                </span>
                {j.error && <p className="error-text">{j.error}</p>}
              </li>
            ))}
          </ul>
        )}
      </section>

      <ConfirmDialog
        open={confirmDelete}
        title="Delete generated subtitles"
        message={`Delete ${generated.map((g) => g.file_name).join(', ')}? Only files TranscriptorIO made and nobody edited since are removed; your own subtitles stay.`}
        confirmLabel="Delete"
        danger
        onConfirm={() => {
          setConfirmDelete(false);
          void act({ action: 'delete_generated' });
        }}
        onCancel={() => setConfirmDelete(false)}
      />
      {transcribing && (
        <TranscribeDialog
          item={d}
          onClose={() => setTranscribing(false)}
          onSubmit={async (target, preset) => {
            const r = await act({ action: 'transcribe', target_lang: target, quality_preset: preset });
            if (r && r.done.length) setTranscribing(false);
          }}
        />
      )}
    </div>
  );
}

/** The score beside a generated subtitle, linking to its quality panel. */
function SubtitleScore({ fileName, quality: q }: { fileName: string; quality: SubtitleQuality | null }): ReactNode {
  if (!q) return null;
  return (
    <button
      type="button"
      className="btn-inline subtitle-score"
      onClick={() => document.getElementById(`quality-${q.job_id}`)?.scrollIntoView({ behavior: 'smooth' })}
      aria-label={`Quality of ${fileName}: score ${q.score ?? 'unknown'}${q.needs_review ? ', needs review' : ''}. Show its flagged passages`}
    >
      <ScoreBadge score={q.score} needsReview={q.needs_review} />
      {(q.flagged ?? 0) > 0 && <span className="muted small"> {q.flagged} flagged</span>}
    </button>
  );
}

/** One quality panel per generated language with a report (the latest job of that language). */
function ItemQualitySection({ item, onChanged }: { item: LibraryItemDetail; onChanged: () => void }): ReactNode {
  const langs = useLanguages();
  if (!item.quality.length) return null;
  return (
    <section className="card quality-card" aria-labelledby="it-quality-h">
      <h2 id="it-quality-h">Quality</h2>
      {item.quality.map((q) => {
        const job = item.job_history.find((j) => j.id === q.job_id);
        return (
          <div key={q.job_id} id={`quality-${q.job_id}`} className="quality-entry" data-job-id={q.job_id} data-lang={q.target_lang}>
            <QualityPanel
              jobId={q.job_id}
              heading={languageName(q.target_lang, langs)}
              version={`${q.needs_review ? 1 : 0}|${q.review_accepted_at ?? ''}`}
              onAccepted={onChanged}
              actions={<ReviewActions itemId={item.id} targetLang={q.target_lang} preset={job?.quality_preset ?? 'balanced'} fileName={item.file_name} onDone={onChanged} />}
            />
          </div>
        );
      })}
    </section>
  );
}

function TranscribeDialog(props: { item: LibraryItemDetail; onClose: () => void; onSubmit: (target: string, preset: QualityPreset) => Promise<void> }): ReactNode {
  const first = props.item.wanted[0];
  const [target, setTarget] = useState(first?.language ?? '');
  const [preset, setPreset] = useState<QualityPreset>(oneOf(QUALITY_PRESETS, first?.quality_preset, 'fast'));
  const [busy, setBusy] = useState(false);
  const rule = props.item.wanted.find((w) => w.language === target);
  return (
    <Modal
      title="Transcribe now"
      open
      onClose={props.onClose}
      footer={<FormFooter form="transcribe-form" onCancel={props.onClose} label={busy ? 'Queuing…' : 'Queue job'} disabled={busy || !target} />}
    >
      <form
        id="transcribe-form"
        className="form"
        onSubmit={(e) => {
          e.preventDefault();
          setBusy(true);
          void props.onSubmit(target, preset).finally(() => setBusy(false));
        }}
      >
        <p className="muted">
          <code className="break">{props.item.file_name}</code>
        </p>
        <div className="field">
          <label htmlFor="tn-target">Subtitle language</label>
          <LanguageSelect id="tn-target" label="Subtitle language" value={target} required onChange={setTarget} />
          {rule && <p className="help">Wanted by the rule “{rule.rule_name}”.</p>}
        </div>
        <div className="field">
          <label htmlFor="tn-preset">Quality</label>
          <PresetSelect id="tn-preset" value={preset} onChange={setPreset} />
        </div>
      </form>
    </Modal>
  );
}
