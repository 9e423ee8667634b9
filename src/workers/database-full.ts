/**
 * A worker's pause while the database is full (SQLITE_FULL, PostgreSQL's
 * 53100): every write fails, so claiming, progress and results would fail
 * every second. The worker backs off instead, 2 s doubling to a minute, with
 * one log line per back-off; on SQLite it watches the free space of the
 * database file's disk and resumes as soon as room was made there. The job
 * it held is handed back (job-runner.ts), or, when even that write failed,
 * handed back on the first try that goes through.
 */
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import { databaseKindOf, sqlitePathOf } from '../config.js';
import { errorMessage } from './job-errors.js';
import { freeBytes } from '../system/disk-full.js';

const FIRST_WAIT_MS = 2000;
const MAX_WAIT_MS = 60_000;
/** How often the disk is looked at during a wait, and how much room ends it early. */
const LOOK_EVERY_MS = 500;
const FREED_BYTES = 1024 ** 2;

/** The folder of the SQLite file (whose disk is watched); null for PostgreSQL, whose disk is not ours to see. */
export function databaseFolder(databaseUrl: string): string | null {
  if (databaseKindOf(databaseUrl) !== 'sqlite') return null;
  const file = sqlitePathOf(databaseUrl);
  return file === ':memory:' ? null : dirname(file);
}

export class DatabaseFullBackoff {
  private step = 0;
  /** a job this worker still holds because its hand-back could not be written */
  heldJob: string | null = null;

  constructor(
    private readonly log: Logger,
    private readonly folder: string | null,
  ) {}

  /** True while the worker is backing off (other writers, the heartbeat, stay quiet meanwhile). */
  get active(): boolean {
    return this.step > 0;
  }

  /**
   * The database refused a write for space: logs once for this back-off and
   * waits (woken early by `wake`, a stop request, or room on the disk).
   */
  async pause(err: unknown, sleep: (ms: number) => Promise<void>, stopping: () => boolean): Promise<void> {
    const ms = Math.min(MAX_WAIT_MS, FIRST_WAIT_MS * 2 ** this.step);
    this.step++;
    this.log.warn(
      { err: errorMessage(err), next_try_s: ms / 1000, ...(this.heldJob ? { job: this.heldJob } : {}), ...(this.folder ? { folder: this.folder } : {}) },
      `the database is full: no job is taken until there is room${this.folder ? ` on the disk holding ${this.folder}` : ''} (next try in ${ms / 1000} s)`,
    );
    const before = this.folder ? await freeBytes(this.folder) : null;
    const until = Date.now() + ms;
    while (Date.now() < until && !stopping()) {
      await sleep(Math.min(LOOK_EVERY_MS, until - Date.now()));
      if (before === null || !this.folder) continue;
      const now = await freeBytes(this.folder);
      if (now !== null && now > before + FREED_BYTES) break;
    }
  }

  /** A write went through again: the back-off ends (logged once). */
  clear(): void {
    if (!this.step) return;
    this.step = 0;
    this.log.info('the database takes writes again: jobs resume');
  }
}
