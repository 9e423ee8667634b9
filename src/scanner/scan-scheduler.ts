/**
 * Scheduled scans: a cron expression (croner, seconds allowed) or, when the
 * expression is empty, every N minutes. The next run time is persisted so a
 * restart keeps the rhythm instead of pushing the next scan a full interval
 * away; a run missed while the server was down happens soon after start.
 */
import { Cron } from 'croner';
import type { Logger } from 'pino';
import { badRequest } from '../errors.js';

export type Schedule = { kind: 'cron'; expression: string } | { kind: 'interval'; minutes: number };

/** Throws a 400 naming the problem when croner cannot use the expression. */
export function validateCron(expression: string): void {
  let job: Cron | null = null;
  try {
    job = new Cron(expression, { paused: true });
    if (!job.nextRun()) throw new Error('it never runs again');
  } catch (e) {
    throw badRequest(`Invalid cron expression "${expression}": ${(e as Error).message}`, 'bad_cron');
  } finally {
    job?.stop();
  }
}

export function describeSchedule(s: Schedule): string {
  return s.kind === 'cron' ? `cron: ${s.expression}` : `every ${s.minutes} minutes`;
}

interface SchedulerHooks {
  run(): Promise<void>;
  loadNext(): Promise<Date | null>;
  saveNext(next: Date | null): Promise<void>;
  log: Logger;
}

/** Delay before a run that was due while the process was down. */
const CATCH_UP_MS = 30_000;

export class ScanScheduler {
  private cron: Cron | null = null;
  private timer: NodeJS.Timeout | null = null;
  private next: Date | null = null;
  private schedule: Schedule | null = null;
  private generation = 0;

  constructor(private readonly hooks: SchedulerHooks) {}

  isRunning(): boolean {
    return this.schedule !== null;
  }

  nextRun(): Date | null {
    return this.next;
  }

  /** Whether a timer or cron job is armed, i.e. a scan can still fire without a new start(). */
  hasPendingRun(): boolean {
    return this.cron !== null || this.timer !== null;
  }

  current(): Schedule | null {
    return this.schedule;
  }

  async start(schedule: Schedule, opts: { resume?: boolean } = {}): Promise<void> {
    this.clear();
    const gen = ++this.generation;
    this.schedule = schedule;
    if (schedule.kind === 'cron') {
      validateCron(schedule.expression);
      this.cron = new Cron(schedule.expression, { protect: true, unref: true }, async () => {
        await this.fire(gen);
        this.next = this.cron?.nextRun() ?? null;
        await this.hooks.saveNext(this.next);
      });
      this.next = this.cron.nextRun();
      await this.hooks.saveNext(this.next);
      return;
    }
    let first = new Date(Date.now() + schedule.minutes * 60_000);
    if (opts.resume) {
      const saved = await this.hooks.loadNext();
      if (saved && saved.getTime() > Date.now() && saved.getTime() <= first.getTime()) first = saved;
      else if (saved && saved.getTime() <= Date.now()) first = new Date(Date.now() + CATCH_UP_MS);
    }
    await this.armInterval(first, gen);
  }

  private async armInterval(at: Date, gen: number): Promise<void> {
    if (gen !== this.generation || this.schedule?.kind !== 'interval') return;
    const minutes = this.schedule.minutes;
    this.next = at;
    await this.hooks.saveNext(at);
    // setTimeout holds at most ~24.8 days; longer intervals re-arm on the way.
    const delay = Math.min(Math.max(0, at.getTime() - Date.now()), 2 ** 31 - 1);
    this.timer = setTimeout(async () => {
      if (Date.now() < at.getTime() - 5) return void this.armInterval(at, gen);
      await this.fire(gen);
      await this.armInterval(new Date(Date.now() + minutes * 60_000), gen);
    }, delay);
    this.timer.unref();
  }

  private async fire(gen: number): Promise<void> {
    if (gen !== this.generation) return;
    try {
      await this.hooks.run();
    } catch (e) {
      this.hooks.log.warn({ err: e }, 'scheduled scan did not run');
    }
  }

  private clear(): void {
    this.cron?.stop();
    this.cron = null;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  async stop(): Promise<void> {
    this.generation++;
    this.clear();
    this.schedule = null;
    this.next = null;
    await this.hooks.saveNext(null);
  }

  /** Stops timers without touching persisted state (process shutdown). */
  dispose(): void {
    this.generation++;
    this.clear();
    this.schedule = null;
  }
}
