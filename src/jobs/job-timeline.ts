/**
 * The timeline as people read it: who created a job (from what the creator
 * put on the job itself, so every creator is covered without telling this
 * module), what each re-decode of the quality check did, and the API's shape
 * of an event.
 */
import type { JobEventRow } from '../db/schema.js';
import type { QualityReport, RedecodeAttempt } from '../transcription/quality/types.js';
import type { NewJobEvent } from './job-events.repository.js';

interface JobCreator {
  /** rule | webhook | provider | user | <the creator's own source name> */
  by: string;
  rule_id?: number;
  rule_name?: string;
  source?: string;
}

const words = (s: string) => s.replace(/[_-]+/g, ' ').trim();
const titled = (s: string) => words(s).replace(/\b\w/g, (c) => c.toUpperCase());

/**
 * Who made the job, from its options (`source`, `rule_name`, `rule_id`,
 * `webhook`), its type (provider requests) and is_manual_request.
 */
function creatorOf(job: { job_type: string; is_manual_request: boolean; options?: Record<string, unknown> | null }): { creator: JobCreator; message: string } {
  const o = job.options ?? {};
  const source = typeof o.source === 'string' && o.source.trim() ? o.source.trim() : undefined;
  const ruleName = typeof o.rule_name === 'string' && o.rule_name.trim() ? o.rule_name.trim() : undefined;
  const ruleId = typeof o.rule_id === 'number' ? o.rule_id : undefined;
  // "webhook:sonarr", or source "webhook" with the sender in options.webhook
  const [head, tail] = source ? source.split(/[:/]/, 2) : [];
  const sender = tail ?? (typeof o.webhook === 'string' ? o.webhook : undefined);
  const via = head === 'webhook' ? (sender ? ` (from the ${titled(sender)} webhook)` : ' (from a webhook)') : source ? ` (from ${words(source)})` : '';
  if (ruleName || ruleId !== undefined) {
    const name = ruleName ? `"${ruleName}"` : `#${ruleId}`;
    return { creator: { by: 'rule', rule_id: ruleId, rule_name: ruleName, source }, message: `Created by the scan rule ${name}${via}` };
  }
  if (head === 'webhook') return { creator: { by: 'webhook', source }, message: sender ? `Created by the ${titled(sender)} webhook` : 'Created by a webhook' };
  if (job.job_type.startsWith('provider_')) {
    const what = job.job_type === 'provider_detect' ? 'a language detection request' : 'a transcription request';
    const client = typeof o.client === 'string' ? ` from ${o.client}` : ' from a provider client (Bazarr, OpenAI-compatible)';
    return { creator: { by: 'provider', source }, message: `Created by ${what}${client}` };
  }
  if (source) return { creator: { by: source, source }, message: `Created from ${words(source)}` };
  if (job.is_manual_request) return { creator: { by: 'user' }, message: 'Created by a user (web UI or API)' };
  return { creator: { by: 'system' }, message: 'Created automatically' };
}

export function creationEvent(job: { id: string; job_type: string; is_manual_request: boolean; priority: number; options?: Record<string, unknown> | null }, atMs: number): NewJobEvent {
  const { creator, message } = creatorOf(job);
  return { jobId: job.id, kind: 'created', atMs, message, data: { ...creator, priority: job.priority } };
}

const seconds = (n: number) => `${n.toFixed(1)} s`;
const score = (n: number) => n.toFixed(2);

/** "Decoded 12.0–15.5 s again (low confidence): replaced, score 0.21 → 0.48, 1.2 s" */
export function redecodeMessage(a: RedecodeAttempt, budgetSeconds: number): string {
  const span = `${a.start.toFixed(1)}–${a.end.toFixed(1)} s`;
  const why = a.reasons.length ? ` (${a.reasons.map(words).join(', ')})` : '';
  if (a.outcome === 'skipped_budget') return `Did not decode ${span} again${why}: the re-decode time budget (${seconds(budgetSeconds)}) was used up`;
  const scores = a.after === null ? `score ${score(a.before)}` : `score ${score(a.before)} → ${score(a.after)}`;
  const outcome = a.outcome === 'replaced' ? 'replaced' : a.outcome === 'kept' ? 'kept the first result' : 'failed, kept the first result';
  return `Decoded ${span} again${why}: ${outcome}, ${scores}, ${seconds(a.seconds)}`;
}

/** One `quality_retry` event per re-decode the quality report records, in its order. */
export function qualityRetryEvents(report: QualityReport, at: { atMs: number; workerId: string | null }): Array<Omit<NewJobEvent, 'jobId'>> {
  const budget = report.redecode.budget_seconds;
  return report.redecode.attempts.map((a) => ({
    kind: 'quality_retry', atMs: at.atMs, workerId: at.workerId, message: redecodeMessage(a, budget), data: { ...a, budget_seconds: budget },
  }));
}

export interface JobEvent {
  id: number;
  at: string;
  kind: string;
  stage: string | null;
  worker_id: string | null;
  node: string | null;
  error_code: string | null;
  message: string | null;
  data: Record<string, unknown> | null;
}

export function toJobEvent(row: JobEventRow): JobEvent {
  let data: Record<string, unknown> | null = null;
  if (row.data) {
    try {
      data = JSON.parse(row.data) as Record<string, unknown>;
    } catch {
      data = null;
    }
  }
  return {
    id: Number(row.id),
    at: new Date(Number(row.at_ms)).toISOString(),
    kind: row.kind,
    stage: row.stage,
    worker_id: row.worker_id,
    node: row.node,
    error_code: row.error_code,
    message: row.message,
    data,
  };
}
