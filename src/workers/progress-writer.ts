/**
 * A running job's progress as the database sees it: the handler reports as
 * often as it likes, the job row gets at most one write per interval, and
 * the same tick notices that the job is no longer this worker's (cancelled,
 * or taken back). A new stage is written at once (the job's timeline gets
 * one event per stage, also for stages shorter than the interval); a write
 * asked for while one is in flight runs right after it, never beside it.
 */
import type { Logger } from 'pino';
import type { Db } from '../db/database.js';
import type { JobProgress } from '../core/job-handler.js';
import { isDatabaseFull } from '../system/disk-full.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import * as repo from './workers.repository.js';

interface ProgressWriterOptions {
  db: Db;
  jobId: string;
  workerId: string;
  /** the job's progress, updated in place by the runner */
  progress: JobProgress;
  log: Logger;
  /** true once the job was aborted: nothing more is written */
  stopped(): boolean;
  /** the job is not this worker's any more (cancel, lost), or the database is full */
  abort(reason: 'cancel' | 'lost' | 'disk_full', cause?: unknown): void;
}

export class ProgressWriter {
  private written = '';
  private inFlight: Promise<void> | null = null;
  private again = false;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly o: ProgressWriterOptions) {}

  /** Writes every `intervalMs` until stop(). */
  start(intervalMs: number): void {
    this.timer ??= setInterval(() => this.tick(), intervalMs);
  }

  /** Writes now, or right after the write in flight. */
  tick(): void {
    if (this.o.stopped()) return;
    if (this.inFlight) {
      this.again = true;
      return;
    }
    this.inFlight = this.drain();
  }

  /** No more ticks; resolves once the write in flight (and one asked for after it) is done. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.inFlight;
  }

  private async drain(): Promise<void> {
    try {
      do {
        this.again = false;
        await this.writeOnce();
      } while (this.again && !this.o.stopped());
    } finally {
      this.inFlight = null;
    }
  }

  private async writeOnce(): Promise<void> {
    const { db, jobId, workerId, progress } = this.o;
    try {
      const key = `${progress.stage}|${progress.progress}|${progress.etaSeconds}`;
      let holds: boolean;
      if (key !== this.written) {
        holds = await life.progress(db, jobId, workerId, progress);
        if (holds) {
          this.written = key;
          await repo.updateWorker(db, workerId, { current_job_progress: progress.progress, current_job_eta: progress.etaSeconds });
        }
      } else {
        holds = await life.isHeld(db, jobId, workerId);
      }
      if (!holds) this.o.abort((await repo.jobCancelRequested(db, jobId)) ? 'cancel' : 'lost');
    } catch (e) {
      // Nothing of this job can be recorded (progress, nor later its result): stop it and hand it back.
      if (isDatabaseFull(e)) this.o.abort('disk_full', e);
      else this.o.log.warn({ err: e, job: jobId }, 'progress write failed');
    }
  }
}
