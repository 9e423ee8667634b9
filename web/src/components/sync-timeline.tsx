// What a sync preview draws: the speech (or the reference subtitle's cues),
// the cues as the file is and the cues after the sync, on one time axis. A
// detail view of a window (the first two minutes at first) that zooms and
// scrolls, over an overview of the whole film that shows where the window
// is and moves it on a click. Plain SVG in pixels, so text stays crisp at any
// width.
import { useEffect, useRef, useState, type ReactNode, type RefObject } from 'react';
import type { SyncResult } from './sync-api';

type Span = readonly number[];
const LANES = ['reference', 'before', 'after'] as const;
type Lane = (typeof LANES)[number];
const GUTTER = 62;
const LANE_H = 16;
const LANE_GAP = 8;
const AXIS_H = 20;
const STEPS = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600];

/** "1:02:03" or "2:03". */
export function clock(t: number): string {
  const s = Math.max(0, Math.round(t));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

/** The spans within [from, to], neighbours closer than `gap` seconds joined (fewer elements, same picture). */
function visible(spans: readonly Span[], from: number, to: number, gap: number): Array<[number, number]> {
  const out: Array<[number, number]> = [];
  for (const [s = 0, e = 0] of spans) {
    if (e < from || s > to) continue;
    const last = out[out.length - 1];
    if (last && s - last[1] < gap) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

function useWidth(): [RefObject<HTMLDivElement | null>, number] {
  const ref = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(600);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const ro = new ResizeObserver(([e]) => setWidth(Math.max(200, Math.floor(e!.contentRect.width))));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export function SyncTimeline({ timeline, referenceLabel }: { timeline: SyncResult['timeline']; referenceLabel: string }): ReactNode {
  const spans: Record<Lane, Span[]> = { reference: timeline.reference, before: timeline.before, after: timeline.after };
  const end = Math.max(1, timeline.duration ?? 0, ...LANES.map((l) => spans[l].at(-1)?.[1] ?? 0));
  const [ref, width] = useWidth();
  // span null: the first minutes, as many as the width shows readably (about 4 px a second, 30 s to 2 min).
  const [view, setView] = useState<{ start: number; span: number | null }>({ start: 0, span: null });
  const inner = width - GUTTER;
  const span = Math.min(view.span ?? Math.min(120, Math.max(30, inner / 4)), end);
  const start = Math.min(Math.max(0, view.start), end - span);
  const move = (s: number, sp = span) => setView({ start: Math.min(Math.max(0, s), end - Math.min(sp, end)), span: sp });
  const zoom = (f: number) => {
    const sp = Math.min(end, Math.max(10, span * f));
    move(start + span / 2 - sp / 2, sp);
  };

  const x = (t: number) => GUTTER + ((t - start) / span) * inner;
  const step = STEPS.find((s) => (s / span) * inner >= 64) ?? 3600;
  const ticks: number[] = [];
  for (let t = Math.ceil(start / step) * step; t <= start + span; t += step) ticks.push(t);
  const laneY = (i: number) => AXIS_H + i * (LANE_H + LANE_GAP);
  const height = laneY(LANES.length);
  const names: Record<Lane, string> = { reference: referenceLabel, before: 'Now', after: 'Synced' };
  const pairs = timeline.before.length === timeline.after.length ? timeline.before.map((b, i) => [b, timeline.after[i]!] as const).filter(([b, a]) => Math.max(b[1], a[1]) >= start && Math.min(b[0], a[0]) <= start + span) : [];

  return (
    <div className="sync-timeline" ref={ref}>
      <ul className="sync-legend" aria-hidden="true">
        {LANES.map((l) => (
          <li key={l}>
            <span className={`sync-swatch lane-${l}`} /> {l === 'reference' ? referenceLabel : l === 'before' ? 'Cues now' : 'Cues after the sync'}
          </li>
        ))}
      </ul>
      <svg data-testid="sync-timeline" width={width} height={height} role="img" aria-label={`Timeline from ${clock(start)} to ${clock(start + span)}: ${names.reference.toLowerCase()}, the cues now and after the sync`}>
        {ticks.map((t) => (
          <g key={t} className="sync-tick">
            <line x1={x(t)} x2={x(t)} y1={AXIS_H - 4} y2={height} />
            <text x={x(t)} y={AXIS_H - 8} textAnchor="middle">{clock(t)}</text>
          </g>
        ))}
        <svg x={GUTTER} width={inner} height={height} viewBox={`${GUTTER} 0 ${inner} ${height}`} overflow="hidden">
          {pairs.length <= 400 && pairs.map(([b, a], i) => <line key={i} className="sync-link" x1={x(b[0])} y1={laneY(1) + LANE_H} x2={x(a[0])} y2={laneY(2)} />)}
          {LANES.map((l, i) => (
            <g key={l} data-lane={l} className={`lane-${l}`}>
              {visible(spans[l], start, start + span, span / inner).map(([s, e]) => (
                <rect key={s} x={x(s)} y={laneY(i)} width={Math.max(1.5, x(e) - x(s))} height={LANE_H} rx={2} />
              ))}
            </g>
          ))}
        </svg>
        {LANES.map((l, i) => (
          <text key={l} className="sync-lane-name" x={0} y={laneY(i) + LANE_H - 4}>{names[l]}</text>
        ))}
      </svg>
      <Overview spans={spans} end={end} width={width} start={start} span={span} onPick={(t) => move(t - span / 2)} />
      <div className="sync-timeline-controls">
        <button type="button" className="btn btn-small" onClick={() => zoom(0.5)} disabled={span <= 10}>Zoom in</button>
        <button type="button" className="btn btn-small" onClick={() => zoom(2)} disabled={span >= end}>Zoom out</button>
        <button type="button" className="btn btn-small" onClick={() => move(0, end)} disabled={span >= end}>Whole film</button>
        <label className="sync-scroll">
          <span className="sr-only">Position in the film</span>
          <input type="range" min={0} max={Math.max(0, end - span)} step={Math.max(0.5, span / 20)} value={start} disabled={span >= end} onChange={(e) => move(Number(e.target.value))} />
        </label>
      </div>
    </div>
  );
}

/** The whole film in one strip, the detail window marked; a click centres the window there. */
function Overview(props: { spans: Record<Lane, Span[]>; end: number; width: number; start: number; span: number; onPick: (t: number) => void }): ReactNode {
  const inner = props.width - GUTTER;
  const x = (t: number) => GUTTER + (t / props.end) * inner;
  return (
    <svg
      className="sync-overview"
      data-testid="sync-overview"
      width={props.width}
      height={26}
      aria-hidden="true"
      onClick={(e) => props.onPick(((e.clientX - e.currentTarget.getBoundingClientRect().left - GUTTER) / inner) * props.end)}
    >
      <text className="sync-lane-name" x={0} y={16}>Whole film</text>
      {LANES.map((l, i) => (
        <g key={l} className={`lane-${l}`}>
          {visible(props.spans[l], 0, props.end, props.end / inner).map(([s, e]) => (
            <rect key={s} x={x(s)} y={2 + i * 8} width={Math.max(1, x(e) - x(s))} height={6} />
          ))}
        </g>
      ))}
      <rect className="sync-window" x={x(props.start)} y={0.5} width={Math.max(2, (props.span / props.end) * inner)} height={25} />
    </svg>
  );
}
