// A subtitle's quality score as a badge, for lists (Queue, Library) and pages.
import type { ReactNode } from 'react';
import { scoreTone } from '../lib/quality';

/** "Needs review · 42" (or "Score 88") in the colour of its verdict; nothing without a score or a flag. */
export function ScoreBadge(props: { score: number | null | undefined; needsReview?: boolean }): ReactNode {
  const score = props.score ?? null;
  if (score === null && !props.needsReview) return null;
  const tone = props.needsReview ? (score !== null && score < 40 ? 'failed' : 'warning') : scoreTone(score, false);
  const text = props.needsReview ? `Needs review${score !== null ? ` · ${score}` : ''}` : `Score ${score}`;
  const title = props.needsReview
    ? `Quality score ${score ?? 'unknown'} of 100, under the review line: listen to its flagged passages, then accept or redo it`
    : `Quality score ${score} of 100`;
  return (
    <span className={`badge badge-${tone} score-badge`} title={title} data-needs-review={props.needsReview ? 'true' : 'false'}>
      {text}
    </span>
  );
}
