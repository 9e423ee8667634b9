/**
 * Entry of one worker process (forked by the supervisor; see supervisor.ts).
 * It talks to the database only: claims jobs by the queue rules, runs them
 * through the handler registry, heart-beats its row and its job's lease, and
 * obeys stop requests (IPC from its supervisor, or desired_state in its row
 * when the request came from another node). A native crash takes down this
 * process only.
 *
 * An idle worker claims when its supervisor says a job was queued (IPC, see
 * jobs/job-signals.ts), and otherwise every IDLE_POLL_MS: the poll is only
 * the fallback for a signal that did not arrive.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import { openDatabase, type DatabaseHandle } from '../db/database.js';
import { createLogger } from '../logger.js';
import { SettingsService } from '../settings/settings.service.js';
import { modelFolderSetting } from '../transcription/models.js';
import { claim, extendLease, handBack } from '../jobs/job-lifecycle.repository.js';
import { EXIT_CANNOT_RUN, SPEC_ENV, missingHandlers, type WorkerSpec } from './worker-spec.js';
import { loadJobHandlers } from './handlers/index.js';
import type { JobHandlers } from './job-handlers.js';
import { runJob, type RunningJob } from './job-runner.js';
import { WorkerEngine, freesMemoryAfterJob, workerDevice } from './worker-engine.js';
import { statusCounts } from '../jobs/jobs.repository.js';
import { errorMessage } from './job-errors.js';
import { checkGpuWorker } from './gpu-devices.js';
import type { GpuEngine } from '../system/gpus.js';
import { isDatabaseFull } from '../system/disk-full.js';
import { DatabaseFullBackoff, databaseFolder } from './database-full.js';
import { decodeSignal, deliver, onJobSignal, sendSignalsTo } from '../jobs/job-signals.js';
import * as repo from './workers.repository.js';

// How soon an idle worker sees a new job whose signal was lost (one indexed claim query per poll);
// with the signal it claims at once.
const IDLE_POLL_MS = 1000;

class WorkerProcess {
  private stopDeadline: number | null = null;
  private current: RunningJob | null = null;
  private stopTimer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private lastStateCheck = 0;
  private fatal: string | null = null;
  /** the worker's idle wait, if it is in one: a stop request ends it */
  private sleeping: AbortController | null = null;
  private readonly engine: WorkerEngine;
  /** the pause while the database is full (claims, results and progress would fail every second) */
  private readonly full: DatabaseFullBackoff;
  /** a heartbeat refused for space was logged (once, until one goes through) */
  private heartbeatFullLogged = false;
  /** a job was queued since the last claim began: claim again rather than wait */
  private woken = false;
  /** the worker waits for a job (not for space, not after an error): a signal ends this wait */
  private idle = false;

  constructor(
    private readonly spec: WorkerSpec,
    private readonly handle: DatabaseHandle,
    private readonly settings: SettingsService,
    private readonly log: Logger,
    private readonly handlers: JobHandlers,
    /** a GPU worker's engine, as checkGpuWorker() chose it */
    gpuEngine: GpuEngine | null = null,
  ) {
    this.engine = new WorkerEngine(workerDevice(spec.workerType, gpuEngine, spec.deviceId, spec.tools.whisperDir));
    this.full = new DatabaseFullBackoff(log, databaseFolder(spec.databaseUrl));
    onJobSignal((s) => {
      if (s.kind !== 'queued') return;
      this.woken = true;
      if (this.idle) this.sleeping?.abort();
    });
  }

  private get db() {
    return this.handle.db;
  }

  /** Stop taking jobs; a running job may finish until the deadline, then it is handed back. */
  requestStop(deadlineMs: number): void {
    if (this.stopDeadline !== null && this.stopDeadline <= deadlineMs) return;
    this.stopDeadline = deadlineMs;
    this.sleeping?.abort();
    if (this.stopTimer) clearTimeout(this.stopTimer);
    this.stopTimer = setTimeout(() => this.current?.abort('stop'), Math.max(0, deadlineMs - Date.now()));
  }

  private async heartbeat(): Promise<void> {
    const now = Date.now();
    const cur = this.current;
    try {
      if (cur) {
        const held = await extendLease(this.db, cur.job.id, this.spec.workerId, this.settings.getNumber('job_lease_seconds') * 1000, now);
        if (!held) cur.abort((await repo.jobCancelRequested(this.db, cur.job.id)) ? 'cancel' : 'lost');
      }
      await repo.updateWorker(this.db, this.spec.workerId, {
        last_heartbeat_ms: now,
        pid: process.pid,
        status: cur ? 'busy' : 'idle',
        current_job_id: cur?.job.id ?? null,
        current_job_progress: cur ? cur.progress.progress : null,
        current_job_eta: cur ? cur.progress.etaSeconds : null,
        model_loaded: this.engine.modelLoaded,
      });
      await this.checkDesiredState(true);
      if (!cur && (await this.engine.unloadIfIdle(this.settings.getNumber('model_idle_unload_seconds')))) {
        await repo.updateWorker(this.db, this.spec.workerId, { model_loaded: null });
        this.log.info('model unloaded after idle time');
      }
      this.heartbeatFullLogged = false;
    } catch (e) {
      if (!isDatabaseFull(e)) return void this.log.warn({ err: e }, 'heartbeat failed');
      // The running job cannot be recorded either: the runner hands it back, the loop backs off.
      cur?.abort('disk_full', e);
      if (!this.heartbeatFullLogged && !this.full.active) this.log.warn({ err: errorMessage(e) }, 'the database is full: heartbeats are not recorded until there is room');
      this.heartbeatFullLogged = true;
    }
  }

  private scheduleHeartbeat(): void {
    const ms = Math.max(1, this.settings.getNumber('worker_heartbeat_seconds')) * 1000;
    this.heartbeatTimer = setTimeout(async () => {
      await this.heartbeat();
      if (this.heartbeatTimer) this.scheduleHeartbeat();
    }, ms);
  }

  /** A stop asked through the database (the API of another node, or a supervisor that lost IPC). */
  private async checkDesiredState(force = false): Promise<void> {
    if (!force && Date.now() - this.lastStateCheck < 1000) return;
    this.lastStateCheck = Date.now();
    const row = await repo.desiredState(this.db, this.spec.workerId);
    if (!row) return this.requestStop(Date.now()); // the row was removed: nobody wants this worker
    if (row.desired_state === 'stopping') this.requestStop(row.stop_deadline_ms ?? Date.now());
  }

  /** Waits `ms`, or less when a stop request wakes the worker (requestStop). */
  private async sleep(ms: number): Promise<void> {
    const ac = (this.sleeping = new AbortController());
    await sleep(ms, undefined, { signal: ac.signal }).catch(() => {});
    if (this.sleeping === ac) this.sleeping = null;
  }

  async run(): Promise<number> {
    await repo.updateWorker(this.db, this.spec.workerId, {
      pid: process.pid, status: 'idle', error: null, last_heartbeat_ms: Date.now(), current_job_id: null, current_job_progress: null, current_job_eta: null,
    });
    this.scheduleHeartbeat();
    let lastRefresh = 0;
    while (this.stopDeadline === null && !this.fatal) {
      try {
        if (Date.now() - lastRefresh > 2000) {
          await this.settings.refresh();
          lastRefresh = Date.now();
        }
        await this.checkDesiredState();
        if (this.stopDeadline !== null) break;
        if (this.full.heldJob) await this.handBackHeld(this.full.heldJob);
        this.woken = false;
        const job = await claim(this.db, this.handle.kind, {
          workerId: this.spec.workerId,
          leaseMs: this.settings.getNumber('job_lease_seconds') * 1000,
          jobTypes: Object.keys(this.handlers),
          node: this.spec.node,
          maxRunningOnNode: this.settings.getNumber('concurrent_transcriptions'),
        });
        if (!job) {
          // A job queued while the claim ran may not have been visible to it: look again at once.
          if (this.woken) continue;
          this.idle = true;
          await this.sleep(IDLE_POLL_MS);
          this.idle = false;
          continue;
        }
        // The job runs with the settings as they are now: a change made just before the job was
        // created (subtitle format, model) must not wait for the next periodic refresh.
        await this.settings.refresh();
        lastRefresh = Date.now();
        await repo.updateWorker(this.db, this.spec.workerId, {
          status: 'busy', current_job_id: job.id, current_job_progress: 0, current_job_eta: null, last_heartbeat_ms: Date.now(),
        });
        this.log.info({ job: job.id, type: job.job_type, file: job.file_path }, 'job claimed');
        const ran = await runJob(job, {
          database: this.handle,
          settings: this.settings,
          log: this.log,
          identity: { workerId: this.spec.workerId, workerType: this.spec.workerType, deviceId: this.spec.deviceId, node: this.spec.node },
          handlers: this.handlers,
          engine: this.engine,
          tools: this.spec.tools,
          onCurrent: (c) => (this.current = c),
          onFatal: (err) => (this.fatal = errorMessage(err)),
        });
        this.engine.release();
        if (ran === 'disk_full' || ran === 'disk_full_held') {
          if (ran === 'disk_full_held') this.full.heldJob = job.id;
          await this.pauseForSpace(new Error(`job ${job.id} could not be recorded: the database is full`));
          continue;
        }
        this.full.clear();
        if (freesMemoryAfterJob(this.spec.workerType, this.settings.getBoolean('clear_vram_on_complete'), (await statusCounts(this.db)).queued ?? 0) && (await this.engine.unloadNow())) {
          this.log.info({ job: job.id }, 'model unloaded: no job waits (clear_vram_on_complete)');
        }
        await repo.updateWorker(this.db, this.spec.workerId, {
          status: 'idle', current_job_id: null, current_job_progress: null, current_job_eta: null, model_loaded: this.engine.modelLoaded, last_heartbeat_ms: Date.now(),
        });
      } catch (e) {
        // A full database: back off (one line per back-off) rather than fail every second.
        if (isDatabaseFull(e)) {
          await this.pauseForSpace(e);
          continue;
        }
        // A database hiccup must not end the worker: log, wait, go on.
        this.log.error({ err: e }, 'worker loop error');
        await this.sleep(1000);
      }
    }
    return this.shutdown();
  }

  private pauseForSpace(err: unknown): Promise<void> {
    return this.full.pause(err, (ms) => this.sleep(ms), () => this.stopDeadline !== null || !!this.fatal);
  }

  /** The job whose hand-back a full database refused: back to the queue before anything else is claimed. */
  private async handBackHeld(jobId: string): Promise<void> {
    const back = await handBack(this.db, jobId, this.spec.workerId, { reason: 'the database was full; it runs again now that there is room' });
    this.full.heldJob = null;
    if (back) this.log.info({ job: jobId }, 'job handed back to the queue now that the database takes writes again');
  }

  private async shutdown(): Promise<number> {
    if (this.full.heldJob) await this.handBackHeld(this.full.heldJob).catch(() => {});
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.stopTimer) clearTimeout(this.stopTimer);
    await this.engine.close().catch(() => {});
    if (this.fatal) {
      await repo.updateWorker(this.db, this.spec.workerId, { status: 'error', error: this.fatal, current_job_id: null, current_job_progress: null, current_job_eta: null, model_loaded: null }).catch(() => {});
      return EXIT_CANNOT_RUN;
    }
    await repo
      .updateWorker(this.db, this.spec.workerId, { status: 'stopped', current_job_id: null, current_job_progress: null, current_job_eta: null, model_loaded: null, last_heartbeat_ms: Date.now() })
      .catch(() => {});
    return 0;
  }
}

/** Log lines to the supervisor over IPC; flush() waits (briefly) for the last ones before the process exits. */
function ipcLogForwarder(): { sinks: Array<{ write(line: string): void }>; flush(): Promise<void> } {
  if (!process.send) return { sinks: [], flush: async () => {} };
  let pending = 0;
  let drained: (() => void) | null = null;
  const sink = {
    write(line: string) {
      if (!process.connected) return;
      pending++;
      process.send!({ type: 'log', line }, undefined, undefined, () => {
        if (--pending === 0) drained?.();
      });
    },
  };
  const flush = () =>
    pending === 0 || !process.connected
      ? Promise.resolve()
      : new Promise<void>((r) => {
          drained = r;
          setTimeout(r, 1000).unref();
        });
  return { sinks: [sink], flush };
}

async function main(): Promise<void> {
  const raw = process.env[SPEC_ENV];
  if (!raw) {
    console.error(`worker process needs ${SPEC_ENV}`);
    process.exit(2);
  }
  const spec = JSON.parse(raw) as WorkerSpec;
  // Each line goes to the terminal (same format as the server's) and, over IPC, to the supervisor for the Logs page.
  const forward = ipcLogForwarder();
  // Queue signals (jobs/job-signals.ts): what this worker announces goes to its supervisor, what the supervisor relays is heard here.
  if (process.send) sendSignalsTo((signal) => void (process.connected && process.send!({ type: 'signal', signal }, undefined, undefined, () => {})));
  const log = createLogger(spec.logLevel ?? 'info', 'worker', undefined, { sinks: forward.sinks }).child({ worker: spec.workerId, node: spec.node });
  const handle = openDatabase(spec.databaseUrl, { poolSize: 3 });
  const settings = new SettingsService(handle.db, log, modelFolderSetting(spec.dataDir));
  await settings.refresh();
  let worker: WorkerProcess | null = null;
  let pendingStop: number | null = null;
  process.on('message', (m: { type?: string; deadlineMs?: number; signal?: unknown }) => {
    const signal = m?.type === 'signal' ? decodeSignal(m.signal) : null;
    if (signal) return deliver(signal);
    if (m?.type !== 'stop') return;
    const deadline = m.deadlineMs ?? Date.now();
    if (worker) worker.requestStop(deadline);
    else pendingStop = deadline;
  });
  // SIGTERM/SIGINT reach workers directly too (Ctrl-C in a terminal, systemd, a process-group kill):
  // the same graceful stop as the supervisor's, within shutdown_timeout_seconds.
  for (const sig of ['SIGTERM', 'SIGINT'] as const) {
    process.on(sig, () => {
      const deadline = Date.now() + settings.getNumber('shutdown_timeout_seconds') * 1000;
      if (worker) worker.requestStop(deadline);
      else pendingStop = Math.min(pendingStop ?? deadline, deadline);
    });
  }
  // The supervisor is gone (server killed): hand the job back now rather than run unsupervised.
  process.on('disconnect', () => (worker ? worker.requestStop(Date.now()) : (pendingStop = Date.now())));

  const handlers = await loadJobHandlers(spec.extraHandlers);
  const types = Object.keys(handlers);
  const missing = await missingHandlers(handle, types);
  if (missing.length) log.error({ missing }, `no handler for job types ${missing.join(', ')}: this worker leaves those jobs to others`);

  let gpuEngine: GpuEngine | null = null;
  if (spec.workerType === 'gpu') {
    const check = await checkGpuWorker(spec.deviceId, spec.tools);
    if ('problem' in check) {
      const problem = check.problem;
      log.error({ reason: problem }, 'GPU worker cannot start');
      await repo.updateWorker(handle.db, spec.workerId, { status: 'error', error: problem, pid: process.pid, last_heartbeat_ms: Date.now() });
      await handle.close();
      await forward.flush();
      process.exit(EXIT_CANNOT_RUN);
    }
    gpuEngine = check.engine;
  }
  worker = new WorkerProcess(spec, handle, settings, log, handlers, gpuEngine);
  if (pendingStop !== null) worker.requestStop(pendingStop);
  log.info({ pid: process.pid, type: spec.workerType, device: spec.deviceId, engine: gpuEngine ?? 'cpu', jobTypes: types }, 'worker started');
  const code = await worker.run();
  await handle.close();
  log.info('worker stopped');
  await forward.flush();
  process.exit(code);
}

main().catch((e) => {
  console.error(`worker process failed: ${(e as Error).stack ?? e}`);
  process.exit(1);
});
