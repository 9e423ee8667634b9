/**
 * A webhook's one log line and its skipped files counted by reason: a
 * payload naming thousands of files must not write thousands of lines.
 */
import type { WebhookSource } from './webhooks.parsers.js';

export interface WebhookSkip {
  path: string;
  reason: string;
}

/**
 * A skip reason without the file it names ("English subtitle already
 * exists: Movie.eng.srt" → "English subtitle already exists"), so thousands
 * of skipped files count under a handful of reasons.
 */
export function reasonKind(reason: string): string {
  const kind = reason.split(/: | \(/)[0].trim();
  return kind.length > 80 ? `${kind.slice(0, 79)}…` : kind || 'no reason';
}

/** Counts per reason kind, most frequent first, at most `limit` kinds (the rest under "other reasons"). */
export function countByReason(skipped: WebhookSkip[], limit = 10): Record<string, number> {
  const counts = new Map<string, number>();
  for (const s of skipped) counts.set(reasonKind(s.reason), (counts.get(reasonKind(s.reason)) ?? 0) + 1);
  const sorted = [...counts].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const out: Record<string, number> = Object.fromEntries(sorted.slice(0, limit));
  const rest = sorted.slice(limit).reduce((n, [, c]) => n + c, 0);
  if (rest) out['other reasons'] = rest;
  return out;
}

/** The one log line of a webhook: what it named, what was queued, skipped by reason, and left out by the cap. */
export function webhookSummary(o: {
  source: WebhookSource;
  named: number;
  acted: number;
  queued: number;
  skipped: number;
  skippedByReason: Record<string, number>;
  leftOut: number;
  max: number;
  outside: number;
}): { fields: Record<string, unknown>; message: string } {
  const byReason = o.skippedByReason;
  const parts = [`${o.source} webhook: ${o.named} file(s) named, ${o.queued} queued, ${o.skipped} skipped`];
  if (o.skipped) parts.push(`(${Object.entries(byReason).map(([r, n]) => `${n} ${r}`).join('; ')})`);
  if (o.leftOut) parts.push(`, ${o.leftOut} left out by webhook_max_files (${o.max})`);
  if (o.outside) parts.push('; files outside the library folders: add their folder to library_paths or allowed_media_roots if they belong to the library');
  return {
    fields: { source: o.source, named: o.named, acted: o.acted, queued: o.queued, skipped: o.skipped, skipped_by_reason: byReason, left_out: o.leftOut, webhook_max_files: o.max },
    message: parts.join(' ').replace(' ,', ','),
  };
}
