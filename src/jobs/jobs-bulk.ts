/**
 * Bulk actions on selected jobs (POST /api/jobs/bulk): each id is done or
 * refused on its own, with the reason a person reads ("it is running: cancel
 * it first"), so one job that cannot be acted on never stops the others.
 */
import type { Db } from '../db/database.js';
import { AppError, badRequest } from '../errors.js';
import { isLiveStatus } from '../job-kinds.js';
import * as repo from './jobs.repository.js';

export const BULK_ACTIONS = ['retry', 'cancel', 'remove'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];
export const MAX_BULK_IDS = 500;

interface BulkItem {
  id: string;
  /** done: the action happened; refused: it did not, and reason says why */
  outcome: 'done' | 'refused';
  /** the job's status after the action (null: removed or unknown) */
  status: string | null;
  reason: string | null;
}

export interface BulkResult {
  action: BulkAction;
  done: number;
  refused: number;
  results: BulkItem[];
  message: string;
}

/** What a single action does to one job; a 4xx AppError is a refusal with its message. */
interface BulkTarget {
  retry(id: string, by: string): Promise<{ status: string }>;
  cancel(id: string): Promise<void>;
}

const plural = (n: number, word: string) => `${n} ${n === 1 ? word : `${word}s`}`;
const VERB: Record<BulkAction, string> = { retry: 'Retried', cancel: 'Cancelled', remove: 'Removed' };

/** `action` and the number of ids are the request schema's (jobs.schemas.ts BulkBody); blank ids are dropped here. */
export async function bulkAction(db: Db, jobs: BulkTarget, action: BulkAction, ids: string[]): Promise<BulkResult> {
  const unique = [...new Set(ids.map((i) => i.trim()).filter(Boolean))];
  if (!unique.length) throw badRequest('ids must name at least one job', 'bad_bulk_action');
  const rows = new Map((await repo.findJobs(db, unique)).map((r) => [r.id, r]));
  const results: BulkItem[] = [];
  for (const id of unique) {
    const row = rows.get(id);
    const refuse = (reason: string, status: string | null = row?.status ?? null) => results.push({ id, outcome: 'refused', status, reason });
    if (!row) {
      refuse('no such job (it was removed)', null);
      continue;
    }
    try {
      if (action === 'retry') {
        if (row.status !== 'failed') {
          refuse(`it is ${row.status}: only failed jobs can be retried`);
          continue;
        }
        const j = await jobs.retry(id, 'a user (bulk retry)');
        results.push({ id, outcome: 'done', status: j.status, reason: null });
      } else if (action === 'cancel') {
        if (!isLiveStatus(row.status)) {
          refuse(`it is already ${row.status}`);
          continue;
        }
        await jobs.cancel(id);
        results.push({ id, outcome: 'done', status: 'cancelled', reason: null });
      } else {
        if (isLiveStatus(row.status)) {
          refuse(`it is ${row.status}: cancel it first`);
          continue;
        }
        if (await repo.deleteFinishedJob(db, id)) results.push({ id, outcome: 'done', status: null, reason: null });
        else refuse('its status changed meanwhile: reload and try again');
      }
    } catch (e) {
      if (!(e instanceof AppError) || e.status >= 500) throw e;
      refuse(e.code === 'duplicate_job' ? 'another job for the same file is queued or running' : e.message);
    }
  }
  const done = results.filter((r) => r.outcome === 'done').length;
  const refused = results.length - done;
  const message = `${VERB[action as BulkAction]} ${plural(done, 'job')}${refused ? `; ${refused} refused` : ''}`;
  return { action: action as BulkAction, done, refused, results, message };
}
