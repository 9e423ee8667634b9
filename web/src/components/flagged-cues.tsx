// The cues a quality report flagged: when, what was written, why in words,
// and a ▶ button that plays that passage of the media in the browser, so a
// person can hear whether the text is right.
import { useState, type ReactNode } from 'react';
import type { FlaggedCue } from '../api/types';
import { plural } from '../lib/format';
import { cueSpan, reasonText } from '../lib/quality';
import { clipError, clipUrl } from './quality-api';

const SHOWN = 12;

export function FlaggedCues({ jobId, cues }: { jobId: string; cues: FlaggedCue[] }): ReactNode {
  const [playing, setPlaying] = useState<number | null>(null);
  const [all, setAll] = useState(false);
  const [errors, setErrors] = useState<Record<number, string>>({});
  if (!cues.length) return <p className="muted">No passage was flagged.</p>;
  const shown = all ? cues : cues.slice(0, SHOWN);
  return (
    <>
      <ol className="flagged-cues" aria-label="Flagged passages">
        {shown.map((c, k) => {
          const span = cueSpan(c.start, c.end);
          const url = clipUrl(jobId, c.start, c.end);
          return (
            <li key={k} className="flagged-cue" data-start={c.start} data-end={c.end}>
              <div className="flagged-head">
                <button
                  type="button"
                  className="btn btn-small btn-play"
                  aria-label={`Play ${span}`}
                  aria-pressed={playing === k}
                  onClick={() => setPlaying(playing === k ? null : k)}
                >
                  {playing === k ? '■' : '▶'}
                </button>
                <span className="cue-time muted">{span}</span>
                {c.index === null && <span className="badge badge-skip">removed</span>}
              </div>
              <p className="cue-text">{c.text || <span className="muted">(no text)</span>}</p>
              <ul className="reason-chips" aria-label="Why">
                {c.reasons.map((r) => (
                  <li key={r} className="reason-chip" data-reason={r}>
                    {reasonText(r)}
                  </li>
                ))}
              </ul>
              {c.details.length > 0 && (
                <ul className="flagged-details muted small">
                  {c.details.map((d, i) => (
                    <li key={i}>{d}</li>
                  ))}
                </ul>
              )}
              {playing === k && (
                <audio
                  className="cue-audio"
                  controls
                  autoPlay
                  src={url}
                  aria-label={`Audio of ${span}`}
                  onEnded={() => setPlaying(null)}
                  onError={() => void clipError(url).then((m) => setErrors((e) => ({ ...e, [k]: m })))}
                />
              )}
              {playing === k && errors[k] && (
                <p className="error-text" role="alert">
                  {errors[k]}
                </p>
              )}
            </li>
          );
        })}
      </ol>
      {cues.length > SHOWN && (
        <button type="button" className="btn btn-link" onClick={() => setAll(!all)}>
          {all ? 'Show fewer' : `Show all ${plural(cues.length, 'flagged passage')}`}
        </button>
      )}
    </>
  );
}
