// "Sync to audio" for one subtitle file: a preview (nothing is written) with
// what would change, how much better its cues would fit the speech, why a
// plan is refused, and the timeline; Apply writes the fix the preview showed
// (its sha256 makes the server refuse when the file changed since).
import { useEffect, useId, useState, type ReactNode } from 'react';
import { messageOf } from '../api/client';
import { formatPercent } from '../lib/format';
import { toast } from '../lib/toast';
import { Loading } from './bits';
import type { LibraryItemDetail } from './library-bits';
import { Modal } from './modal';
import { referenceChoices, seconds, syncSubtitle, type SyncResult } from './sync-api';
import { clock, SyncTimeline } from './sync-timeline';

export function SyncDialog(props: { item: LibraryItemDetail; n: number; onClose: () => void; onApplied: (r: SyncResult) => void }): ReactNode {
  const { item, n } = props;
  const sub = item.external_subtitles.find((s) => s.index === n);
  const choices = referenceChoices(item, n);
  const [refKey, setRefKey] = useState('audio');
  const [preview, setPreview] = useState<SyncResult | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [round, setRound] = useState(0);
  const selectId = useId();
  const reference = choices.find((c) => c.key === refKey) ?? choices[0]!;

  useEffect(() => {
    let live = true;
    setPreview(null);
    setError(null);
    syncSubtitle(item.id, n, reference.body).then(
      (r) => live && setPreview(r),
      (e) => live && setError(messageOf(e)),
    );
    return () => {
      live = false;
    };
    // reference.body follows refKey
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [item.id, n, refKey, round]);

  async function apply() {
    if (!preview) return;
    setBusy(true);
    try {
      const r = await syncSubtitle(item.id, n, { ...reference.body, apply: true, sha256: preview.sha256 });
      if (r.applied) {
        toast.success(`Synced ${sub?.file_name ?? 'the subtitle'}: ${r.summary}. The original is kept: Undo is in Sync history.`);
        props.onApplied(r);
      } else {
        setPreview(r);
        toast.info(`Nothing written: ${r.summary}`);
      }
    } catch (e) {
      setError(messageOf(e));
      toast.error(messageOf(e));
    } finally {
      setBusy(false);
    }
  }

  const overWhat = preview?.reference === 'audio' ? 'speech' : "the reference's cues";
  return (
    <Modal
      title="Sync to audio"
      open
      wide
      onClose={props.onClose}
      footer={
        <>
          <button type="button" className="btn" onClick={props.onClose}>
            Cancel
          </button>
          {preview?.verdict === 'fix' && (
            <button type="button" className="btn btn-primary" disabled={busy} onClick={() => void apply()}>
              {busy ? 'Applying…' : 'Apply'}
            </button>
          )}
        </>
      }
    >
      <div className="sync-dialog" data-testid="sync-dialog">
        <p className="muted">
          <code className="break">{sub?.file_name ?? `subtitle #${n}`}</code>
        </p>
        {choices.length > 1 && (
          <div className="field sync-reference">
            <label htmlFor={selectId}>Sync to</label>
            <select id={selectId} value={refKey} disabled={busy} onChange={(e) => setRefKey(e.target.value)}>
              {choices.map((c) => (
                <option key={c.key} value={c.key}>
                  {c.label}
                </option>
              ))}
            </select>
          </div>
        )}
        {error ? (
          <div className="alert alert-error" role="alert">
            <span>{error}</span>
            <button type="button" className="btn btn-small" onClick={() => setRound((r) => r + 1)}>
              Preview again
            </button>
          </div>
        ) : !preview ? (
          <Loading label={refKey === 'audio' ? 'Listening to the audio… the first time takes a few seconds.' : 'Comparing with the reference…'} />
        ) : (
          <PreviewBody preview={preview} overWhat={overWhat} />
        )}
      </div>
    </Modal>
  );
}

function PreviewBody({ preview: p, overWhat }: { preview: SyncResult; overWhat: string }): ReactNode {
  return (
    <div className="sync-preview" data-verdict={p.verdict}>
      {p.verdict === 'fix' ? (
        <p className="sync-summary" data-testid="sync-summary">
          <strong>{p.summary}</strong>
        </p>
      ) : p.verdict === 'in_sync' ? (
        <p className="sync-summary tone-success" data-testid="sync-summary">
          <strong>In sync:</strong> nothing to change.
        </p>
      ) : (
        <div className="sync-refusal" data-testid="sync-summary">
          <strong>Left as it is.</strong> {p.refusal?.message ?? p.summary}
        </div>
      )}
      <p className="sync-scores">
        Cue time over {overWhat}: <strong>{formatPercent(p.score_before * 100)}</strong> now
        {p.verdict !== 'in_sync' && (
          <>
            {' '}
            → <strong className={p.score_after > p.score_before ? 'tone-success' : undefined}>{formatPercent(p.score_after * 100)}</strong> after the sync
          </>
        )}
        <span className="muted"> · {p.cues} cues</span>
      </p>
      {p.blocks.length > 1 && (
        <ol className="sync-blocks">
          {p.blocks.map((b) => (
            <li key={b.first_cue}>
              Cues {b.first_cue + 1}–{b.last_cue + 1}: shift by {b.offset_seconds < 0 ? '−' : '+'}
              {seconds(b.offset_seconds)}
            </li>
          ))}
        </ol>
      )}
      <SyncTimeline timeline={p.timeline} referenceLabel={p.reference === 'audio' ? 'Speech' : 'Reference'} />
      {p.timeline.duration !== null && <p className="muted small">The film lasts {clock(p.timeline.duration)}. Click the strip below the timeline to look elsewhere.</p>}
    </div>
  );
}
