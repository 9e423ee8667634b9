/**
 * The worker pool supervisor of one node (the server, or `transcriptorio
 * worker` on another machine): forks one child process per worker, registers
 * it in the `workers` table, restarts crashed workers with a back-off, kills
 * and restarts workers whose heartbeat went stale, takes back the jobs of dead
 * workers (lease recovery, idempotent, run by every node), removes rows of
 * nodes that stopped heart-beating, and stops workers by finishing or handing
 * back their jobs within a deadline. Its workers' log lines (JSON, sent over
 * IPC) come out as its 'log' event, for the node's log file.
 *
 * It is also its node's relay of queue signals (jobs/job-signals.ts): "a job
 * is queued", heard in this process (a job created here, a NOTIFY from another
 * node through the one LISTEN connection it holds on PostgreSQL), goes to
 * every worker over IPC, so an idle worker claims at once; what a worker
 * announces (a job ended, a job handed back) comes back over IPC to this
 * process's waiters (a provider request) and to the other workers.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/database.js';
import { toolPathsFromEnv, type LogLevel, type ToolPaths } from '../config.js';
import type { SettingsService } from '../settings/settings.service.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import { decodeSignal, deliver, listenForSignals, onJobSignal, signalMessage } from '../jobs/job-signals.js';
import { EXIT_CANNOT_RUN, SPEC_ENV, type WorkerSpec } from './worker-spec.js';
import * as repo from './workers.repository.js';
import { freshTempDir, removeTempDir, sweepWorkerTemp, tempEnv, workerTempDir } from './worker-temp.js';

export type WorkerType = 'cpu' | 'gpu';

interface SupervisorOptions {
  database: DatabaseHandle;
  databaseUrl: string;
  settings: SettingsService;
  log: Logger;
  /** this node's name (Config.nodeName): worker rows, job affinity, the workers' spec */
  node: string;
  logLevel?: LogLevel;
  /** test-only: handler modules for extra job types (Config.extraHandlers, see WorkerSpec.extraHandlers) */
  extraHandlers?: readonly string[];
  /** Config.tools, handed to every worker in its spec; absent (a supervisor built without a Config): this process's environment's */
  tools?: ToolPaths;
  /** environment added to every worker process */
  env?: Record<string, string>;
  /** this node's data folder (Config.dataDir): each worker's temporary files go to DATA_DIR/tmp/<worker id> (worker-temp.ts) */
  dataDir: string;
}

interface Managed {
  id: string;
  type: WorkerType;
  deviceId: number | null;
  child: ChildProcess | null;
  startedAt: number;
  crashes: number;
  restartTimer: NodeJS.Timeout | null;
  stopping: boolean;
  exited: Promise<void>;
}

/** Grace after a stop deadline before a worker that did not exit is killed. */
const KILL_GRACE_MS = 5000;
/** A worker that ran this long before crashing starts its back-off from the beginning. */
const HEALTHY_RUN_MS = 60_000;
const MAX_RESTART_DELAY_MS = 60_000;

/**
 * The restart back-off of a crashed worker: a process that ran for a healthy
 * minute starts over at 1 s; one that keeps crashing waits 1, 2, 4 ... s, at
 * most a minute, so a broken worker never spins.
 */
export function restartBackoff(previousCrashes: number, ranMs: number): { crashes: number; delayMs: number } {
  const crashes = ranMs > HEALTHY_RUN_MS ? 1 : previousCrashes + 1;
  return { crashes, delayMs: Math.min(MAX_RESTART_DELAY_MS, 1000 * 2 ** (crashes - 1)) };
}

/** How the worker entry runs: compiled JavaScript in production, TypeScript through tsx from a checkout. */
function workerEntry(): { file: string; execArgv: string[] } {
  const here = fileURLToPath(import.meta.url);
  if (here.endsWith('.js')) return { file: join(dirname(here), 'worker-process.js'), execArgv: [] };
  let tsx = 'tsx';
  try {
    tsx = import.meta.resolve('tsx');
  } catch {
    /* resolved from the working directory instead */
  }
  return { file: join(dirname(here), 'worker-process.ts'), execArgv: ['--import', tsx] };
}

function alive(pid: number | null): boolean {
  if (!pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export class WorkerSupervisor extends EventEmitter {
  private readonly workers = new Map<string, Managed>();
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  /** stops relaying signals and closes this node's LISTEN connection (set while started) */
  private stopSignals: (() => Promise<void>) | null = null;
  /** a "queued" is on its way to the workers: a burst of new jobs is one message per worker */
  private relayQueued = false;
  startedAt: number | null = null;

  constructor(private readonly o: SupervisorOptions) {
    super();
  }

  get node(): string {
    return this.o.node;
  }

  private get db() {
    return this.o.database.db;
  }

  private get settings() {
    return this.o.settings;
  }

  isLocal(id: string): boolean {
    return this.workers.has(id);
  }

  localWorkers(): Array<{ id: string; type: WorkerType; deviceId: number | null; pid: number | null; stopping: boolean }> {
    return [...this.workers.values()].map((m) => ({ id: m.id, type: m.type, deviceId: m.deviceId, pid: m.child?.pid ?? null, stopping: m.stopping }));
  }

  private starting: Promise<void> | null = null;

  /** Boot: take back what this node's dead workers held, then start the periodic duties. Idempotent. */
  start(): Promise<void> {
    return (this.starting ??= this.boot());
  }

  private async boot(): Promise<void> {
    this.relaySignals();
    await this.recoverOwnDeadWorkers();
    await this.sweepTemp().catch((e) => this.o.log.warn({ err: e }, 'could not remove temporary files of workers that are gone'));
    const leaseMs = this.settings.getNumber('job_lease_seconds') * 1000;
    const every = (ms: number, fn: () => Promise<void>) => {
      let running = false;
      const t = setInterval(async () => {
        if (running || this.closed) return;
        running = true;
        try {
          await fn();
        } catch (e) {
          this.o.log.warn({ err: e }, 'worker supervisor duty failed');
        } finally {
          running = false;
        }
      }, ms);
      t.unref();
      this.timers.push(t);
    };
    every(Math.max(1000, Math.min(5000, leaseMs / 3)), () => this.maintain());
    every(Math.max(1, this.settings.getNumber('worker_healthcheck_interval')) * 1000, () => this.healthCheck());
  }

  /** Signals to the workers (see the head of this file), until close. */
  private relaySignals(): void {
    const unlisten = listenForSignals(this.o.databaseUrl, (e) => this.o.log.debug({ err: e }, 'queue signal connection lost; reconnecting (workers poll meanwhile)'));
    const off = onJobSignal((s) => {
      if (s.kind !== 'queued' || this.relayQueued) return;
      this.relayQueued = true;
      setImmediate(() => {
        this.relayQueued = false;
        for (const m of this.workers.values()) if (m.child?.connected) m.child.send(signalMessage(s), () => {});
      });
    });
    this.stopSignals = async () => {
      off();
      await unlisten();
    };
  }

  /** Rows of this node left by a previous run whose process is gone: their jobs go back to the queue. */
  private async recoverOwnDeadWorkers(): Promise<void> {
    const staleMs = this.staleAfterMs();
    const dead = (await repo.workersOfNode(this.db, this.o.node)).filter(
      (r) => !this.workers.has(r.worker_id) && (!alive(r.pid) || Date.now() - r.last_heartbeat_ms > staleMs),
    );
    if (!dead.length) return;
    const ids = dead.map((r) => r.worker_id);
    const r = await life.expireLeasesOf(this.db, ids, { backoffMs: 0 });
    for (const id of ids) await repo.deleteWorker(this.db, id);
    this.o.log.info({ workers: ids, jobs: r.requeued + r.failed, ...r }, 'recovered jobs of workers that died with the previous run');
  }

  /**
   * Temporary files of workers that are gone (killed mid-job with the whole
   * node, a previous run of this server): only the folders of live workers
   * stay (this node's dead rows were just recovered, another node's count by
   * their heartbeat), whatever their age.
   */
  private async sweepTemp(): Promise<void> {
    const staleMs = this.staleAfterMs();
    const live = (await repo.listWorkers(this.db)).filter((r) => this.workers.has(r.worker_id) || Date.now() - r.last_heartbeat_ms <= staleMs);
    const removed = await sweepWorkerTemp(this.o.dataDir, new Set(live.map((r) => r.worker_id)));
    if (removed.length) this.o.log.info({ removed }, 'removed temporary files left by workers that are gone');
  }

  /** A heartbeat older than this means the worker (or its node) is gone. */
  staleAfterMs(): number {
    return Math.max(3 * this.settings.getNumber('worker_heartbeat_seconds') * 1000, 10_000);
  }

  private async maintain(): Promise<void> {
    const now = Date.now();
    const r = await life.recoverExpired(this.db, { backoffMs: this.settings.getNumber('job_retry_backoff_seconds') * 1000, now });
    if (r.requeued || r.failed) this.o.log.warn(r, 'took back jobs of workers that stopped responding');
    // Workers this supervisor keeps but that run no process (error, waiting to restart) stay visible.
    for (const m of this.workers.values()) {
      if (!m.child) await repo.updateWorker(this.db, m.id, { last_heartbeat_ms: now });
    }
    const removed = await repo.deleteStaleWorkers(this.db, now - this.settings.getNumber('stale_worker_remove_seconds') * 1000, [...this.workers.keys()]);
    if (removed.length) this.o.log.info({ workers: removed }, 'removed workers whose node stopped heart-beating');
  }

  /** A live process whose heartbeat went stale is hung: kill it (the exit handler restarts it). */
  private async healthCheck(): Promise<void> {
    const staleMs = this.staleAfterMs();
    for (const m of this.workers.values()) {
      if (!m.child || m.stopping || Date.now() - m.startedAt < staleMs) continue;
      const row = await repo.findWorker(this.db, m.id);
      if (row && Date.now() - row.last_heartbeat_ms > staleMs) {
        this.o.log.warn({ worker: m.id }, 'worker heartbeat is stale: killing it');
        m.child.kill('SIGKILL');
      }
    }
  }

  private async allocateId(type: WorkerType): Promise<string> {
    const taken = new Set(await repo.workerIds(this.db));
    for (let n = 0; ; n++) {
      const id = `worker-${type}-${n}`;
      if (taken.has(id)) continue;
      const ok = await repo.insertWorker(this.db, {
        worker_id: id, worker_type: type, device_id: null, node: this.o.node, pid: null, status: 'starting', desired_state: 'running',
        current_job_id: null, current_job_progress: null, current_job_eta: null, jobs_completed: 0, jobs_failed: 0,
        started_at: new Date().toISOString(), last_heartbeat_ms: Date.now(), error: null, model_loaded: null, stop_deadline_ms: null,
      });
      if (ok) return id;
      taken.add(id); // another node took it a moment ago
    }
  }

  /** Registers and starts a worker; resolves with its id once its row exists (the process starts in the background). */
  async addWorker(type: WorkerType, deviceId: number | null = null): Promise<string> {
    if (this.closed) throw new Error('the worker pool is shutting down');
    await this.start();
    const id = await this.allocateId(type);
    await repo.updateWorker(this.db, id, { device_id: type === 'gpu' ? deviceId : null });
    const m: Managed = { id, type, deviceId: type === 'gpu' ? deviceId : null, child: null, startedAt: Date.now(), crashes: 0, restartTimer: null, stopping: false, exited: Promise.resolve() };
    this.workers.set(id, m);
    this.startedAt ??= Date.now();
    await this.spawn(m);
    return id;
  }

  private async spawn(m: Managed): Promise<void> {
    const spec: WorkerSpec = {
      workerId: m.id, workerType: m.type, deviceId: m.deviceId, node: this.o.node, databaseUrl: this.o.databaseUrl, logLevel: this.o.logLevel,
      ...(this.o.extraHandlers?.length ? { extraHandlers: this.o.extraHandlers } : {}),
      tools: this.o.tools ?? toolPathsFromEnv(process.env),
      dataDir: this.o.dataDir,
    };
    // Its temporary files under DATA_DIR/tmp, emptied of what a previous process of this worker left (worker-temp.ts).
    // A data folder that refuses it (full, read-only) must not keep the worker from starting: the system's temp folder then.
    const tmp = workerTempDir(this.o.dataDir, m.id);
    const tmpReady = await freshTempDir(tmp).then(
      () => true,
      (e: unknown) => (this.o.log.warn({ err: e, worker: m.id, dir: tmp }, 'cannot prepare the worker temporary folder; it uses the system temp folder'), false),
    );
    const env: NodeJS.ProcessEnv = { ...process.env, ...(tmpReady ? tempEnv(tmp) : {}), ...this.o.env, [SPEC_ENV]: JSON.stringify(spec) };
    // A GPU worker sees only its own device (which is then device 0 for the engine).
    if (m.type === 'gpu') env.CUDA_VISIBLE_DEVICES = String(m.deviceId ?? 0);
    const { file, execArgv } = workerEntry();
    const child = fork(file, [], { execArgv, env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    m.child = child;
    m.startedAt = Date.now();
    m.exited = new Promise((resolve) => child.once('exit', (code, signal) => void this.onExit(m, child, code, signal).finally(resolve)));
    child.on('error', (err) => this.o.log.error({ err, worker: m.id }, 'worker process error'));
    // The worker's log lines (JSON), for whoever keeps them (the server's log file): the 'log' event.
    child.on('message', (msg: { type?: string; line?: unknown; signal?: unknown }) => {
      if (msg?.type === 'log' && typeof msg.line === 'string') this.emit('log', msg.line);
      // What the worker announced (job-signals.ts): this process's waiters and the other workers hear it.
      const signal = msg?.type === 'signal' ? decodeSignal(msg.signal) : null;
      if (signal) deliver(signal);
    });
    await repo.updateWorker(this.db, m.id, { pid: child.pid ?? null, status: 'starting', error: null, desired_state: 'running', stop_deadline_ms: null, started_at: new Date().toISOString(), last_heartbeat_ms: Date.now() });
    this.emit('spawned', m.id, child.pid);
  }

  private async onExit(m: Managed, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): Promise<void> {
    if (m.child === child) m.child = null;
    // A process killed mid-job leaves its extracted audio behind; nothing else of this worker runs now.
    if (m.child === null) await removeTempDir(workerTempDir(this.o.dataDir, m.id)).catch((e) => this.o.log.warn({ err: e, worker: m.id }, 'could not remove the temporary files of a worker that ended'));
    if (m.stopping || this.closed) return;
    const row = await repo.findWorker(this.db, m.id).catch(() => undefined);
    if (!row || row.desired_state === 'stopping' || code === 0) {
      // Asked to stop through the database (another node's API), or removed: gone for good.
      this.workers.delete(m.id);
      await life.handBackJobsOf(this.db, [m.id]).catch(() => {});
      if (row) await repo.deleteWorker(this.db, m.id).catch(() => {});
      this.o.log.info({ worker: m.id }, 'worker stopped on request');
      return;
    }
    if (code === EXIT_CANNOT_RUN) {
      this.o.log.error({ worker: m.id, reason: row.error }, 'worker cannot run on this node');
      return; // stays in `error` with its reason until removed
    }
    const how = signal ? `killed by ${signal}` : `exit code ${code}`;
    this.o.log.error({ worker: m.id, how }, 'worker process died');
    // Its job is retried (a crash counts as an attempt, like a lease that ran out).
    await repo.updateWorker(this.db, m.id, { status: 'error', error: `worker process died (${how})`, pid: null, current_job_id: null, current_job_progress: null, current_job_eta: null, model_loaded: null }).catch(() => {});
    await life.expireLeasesOf(this.db, [m.id], { backoffMs: this.settings.getNumber('job_retry_backoff_seconds') * 1000 }).catch(() => {});
    if (!this.settings.getBoolean('worker_auto_restart')) return;
    const backoff = restartBackoff(m.crashes, Date.now() - m.startedAt);
    m.crashes = backoff.crashes;
    const delay = backoff.delayMs;
    this.o.log.info({ worker: m.id, delayMs: delay }, 'restarting worker');
    m.restartTimer = setTimeout(() => {
      m.restartTimer = null;
      if (!m.stopping && !this.closed) void this.spawn(m).catch((e) => this.o.log.error({ err: e, worker: m.id }, 'worker restart failed'));
    }, delay);
    m.restartTimer.unref();
  }

  /**
   * Stops a local worker: no new job; the running one may finish until the
   * timeout, then it is handed back (queued, no attempt counted); the row goes.
   */
  async stopWorker(id: string, timeoutMs: number): Promise<void> {
    const m = this.workers.get(id);
    if (!m) return;
    m.stopping = true;
    if (m.restartTimer) clearTimeout(m.restartTimer);
    const deadline = Date.now() + Math.max(0, timeoutMs);
    const child = m.child;
    if (child && child.exitCode === null && child.signalCode === null) {
      await repo.requestStop(this.db, [id], deadline).catch(() => {});
      // Without IPC (already closed) the row's desired_state says the same.
      if (child.connected) child.send({ type: 'stop', deadlineMs: deadline }, () => {});
      const exited = await Promise.race([m.exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), deadline - Date.now() + KILL_GRACE_MS).unref())]);
      if (!exited) {
        this.o.log.warn({ worker: id }, 'worker did not stop in time: killing it');
        child.kill('SIGKILL');
        await m.exited;
      }
    }
    await life.handBackJobsOf(this.db, [id]);
    await repo.deleteWorker(this.db, id);
    this.workers.delete(id);
    if (this.workers.size === 0) this.startedAt = null;
  }

  async stopAll(timeoutMs: number): Promise<void> {
    await Promise.all([...this.workers.keys()].map((id) => this.stopWorker(id, timeoutMs)));
  }

  /** Brings the number of local workers of a type to `n` (settings changed). */
  async scaleTo(type: WorkerType, n: number, timeoutMs: number): Promise<void> {
    const mine = [...this.workers.values()].filter((m) => m.type === type && !m.stopping);
    for (let i = mine.length; i < n; i++) {
      const used = new Set(mine.map((m) => m.deviceId));
      let device: number | null = null;
      if (type === 'gpu') for (device = 0; used.has(device); device++);
      const id = await this.addWorker(type, device);
      mine.push(this.workers.get(id)!);
    }
    const extra = mine.slice(n).reverse();
    await Promise.all(extra.map((m) => this.stopWorker(m.id, timeoutMs)));
  }

  async close(timeoutMs: number): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.stopAll(timeoutMs);
    this.closed = true;
    const stop = this.stopSignals;
    this.stopSignals = null;
    await stop?.();
  }
}
