/**
 * The live event stream behind GET /api/events. A `job.updated` is the job
 * as GET /api/jobs/{id} shows it (its `needs_review` and `quality_score`
 * too, so an Accept shows at once), `stats` the counts of GET
 * /api/jobs/stats. Worker processes only write
 * to the database, so the server notices job and worker changes by polling
 * the indexed `updated_ms`/heartbeat columns once for all subscribers (not once
 * per browser), and in-process components publish directly (scan progress,
 * model downloads, the library index's `library.item` — one changed item as
 * GET /api/library/items shows it — and `library.changed` {reason, count}
 * for bulk changes).
 */
import { EventEmitter } from 'node:events';
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import { jobsUpdatedSince, statusCounts } from '../jobs/jobs.repository.js';
import { countNeedsReview } from '../jobs/job-quality.repository.js';
import { toJob } from '../jobs/jobs.service.js';

export interface HubEvent {
  event: string;
  data: unknown;
}

export class EventHub extends EventEmitter {
  private timer: NodeJS.Timeout | null = null;
  private lastJobMs = Date.now();
  private lastStats = '';
  private seenAtMark = new Set<string>();
  private polling = false;
  /** Extra pollers (the worker pool adds one for worker rows). */
  private pollers: Array<() => Promise<void>> = [];

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    private readonly intervalMs = 500,
  ) {
    super();
    this.setMaxListeners(0);
  }

  publish(event: string, data: unknown): void {
    this.emit('event', { event, data } satisfies HubEvent);
  }

  addPoller(fn: () => Promise<void>): void {
    this.pollers.push(fn);
  }

  subscriberCount(): number {
    return this.listenerCount('event');
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.poll(), this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  /** One round of change detection; public so tests can drive it. */
  async poll(): Promise<void> {
    if (this.polling || this.subscriberCount() === 0) return;
    this.polling = true;
    try {
      // Changes in the same millisecond as the mark are re-read rather than missed.
      const rows = await jobsUpdatedSince(this.db, this.lastJobMs - 1);
      let emitted = 0;
      for (const row of rows) {
        const key = `${row.id}:${row.updated_ms}`;
        if (this.seenAtMark.has(key)) continue;
        if (row.updated_ms > this.lastJobMs) {
          this.lastJobMs = row.updated_ms;
          this.seenAtMark.clear();
        }
        this.seenAtMark.add(key);
        emitted++;
        this.publish('job.updated', toJob(row));
      }
      if (emitted) {
        const [c, needsReview] = await Promise.all([statusCounts(this.db), countNeedsReview(this.db)]);
        const stats = {
          total_jobs: Object.values(c).reduce((a, b) => a + b, 0),
          queued: c.queued ?? 0, processing: c.processing ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, cancelled: c.cancelled ?? 0,
          needs_review: needsReview,
        };
        const key = JSON.stringify(stats);
        if (key !== this.lastStats) {
          this.lastStats = key;
          this.publish('stats', stats);
        }
      }
      for (const p of this.pollers) await p();
    } catch (e) {
      this.log.debug({ err: e }, 'event poll failed');
    } finally {
      this.polling = false;
    }
  }
}
