/** One human line for a plan, and the figures in it. */
import { standardRatio } from './ratios.js';
import type { SyncPlan } from './types.js';

const MINUS = '\u2212';

/** "+3.2 s", "−20.0 s" (one decimal, always a sign). */
export function formatOffset(seconds: number): string {
  // Rounded by magnitude, so that -7.35 and 7.35 read alike.
  const v = Math.round(Math.abs(seconds) * 10) / 10;
  return `${seconds < 0 && v > 0 ? MINUS : '+'}${v.toFixed(1)} s`;
}

/** "1:02:03" or "2:03". */
export function formatClock(seconds: number): string {
  const t = Math.max(0, Math.round(seconds));
  const h = Math.floor(t / 3600);
  const m = Math.floor((t % 3600) / 60);
  const s = String(t % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${s}` : `${m}:${s}`;
}

function ratioText(ratio: number): string {
  if (ratio === 1) return '';
  const r = standardRatio(ratio);
  if (!r) return `speed changed by ${ratio.toFixed(5)}`;
  return `made for ${r.from} fps — ${r.ratio > 1 ? 'stretched' : 'compressed'} to ${r.to}`;
}

/**
 * "in sync", "3.2 s late — shift by −3.2 s", "made for 25 fps — stretched to
 * 23.976 and shifted by +0.4 s", "2 parts: shift by +0.0 s, then from 41:10
 * by +30.0 s", or the refusal's reason.
 */
export function describePlan(plan: SyncPlan): string {
  if (plan.verdict === 'in_sync') return 'in sync';
  if (plan.verdict === 'refused') return plan.refusal?.message ?? 'not changed';
  const ratio = ratioText(plan.ratio);
  if (plan.blocks.length <= 1) {
    const off = plan.blocks[0]?.offset ?? plan.offset;
    if (ratio) return `${ratio} and shifted by ${formatOffset(off)}`;
    const by = formatOffset(Math.abs(off)).slice(1);
    return `${by} ${off < 0 ? 'late' : 'early'} — shift by ${formatOffset(off)}`;
  }
  const parts = plan.blocks.map((b, i) =>
    i === 0 ? `shift by ${formatOffset(b.offset)}` : `${b.from !== undefined ? `from ${formatClock(b.from)}` : `from cue ${b.firstCue + 1}`} by ${formatOffset(b.offset)}`,
  );
  const head = `${plan.blocks.length} parts: ${parts[0]}, then ${parts.slice(1).join(', then ')}`;
  return ratio ? `${ratio}; ${head}` : head;
}
