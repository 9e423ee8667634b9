/**
 * The rules of the Workers API: the workers of every node come from the
 * `workers` table (a row whose node stopped heart-beating shows as stopped);
 * adding and stopping act on this server's supervisor for its own workers and
 * through the row's desired_state for the workers of other nodes.
 */
import type { ToolPaths } from '../config.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'pino';
import type { DatabaseHandle } from '../db/database.js';
import type { WorkerRow } from '../db/schema.js';
import type { SettingsService } from '../settings/settings.service.js';
import { badRequest, notFound } from '../errors.js';
import { listGpuDevices } from './gpu-devices.js';
import type { WorkerSupervisor, WorkerType } from './supervisor.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import * as repo from './workers.repository.js';
import type { Static } from '@fastify/type-provider-typebox';
import type { StatsSchema, WorkerSchema } from './workers.schemas.js';

export type Worker = Static<typeof WorkerSchema>;

export type WorkerStats = Static<typeof StatsSchema>;

const MAX_TIMEOUT_S = 3600;

export class WorkersService {
  constructor(
    private readonly database: DatabaseHandle,
    private readonly settings: SettingsService,
    private readonly supervisor: () => WorkerSupervisor,
    private readonly log: Logger,
    /** Config.tools: nvidia-smi and the whisper.cpp builds, for a GPU worker's device check */
    private readonly tools: Pick<ToolPaths, 'nvidiaSmi' | 'whisperDir'>,
  ) {}

  private get db() {
    return this.database.db;
  }

  private staleAfterMs(): number {
    return Math.max(3 * this.settings.getNumber('worker_heartbeat_seconds') * 1000, 10_000);
  }

  /** The API's view of a row: a worker whose heartbeat stopped is shown as stopped. */
  toWorker(row: WorkerRow, now = Date.now()): Worker {
    const stale = now - Number(row.last_heartbeat_ms) > this.staleAfterMs();
    let status = row.status === 'starting' ? 'idle' : row.status;
    if (stale && status !== 'error') status = 'stopped';
    const live = status === 'idle' || status === 'busy';
    const busy = status === 'busy';
    return {
      worker_id: row.worker_id,
      worker_type: row.worker_type,
      device_id: row.device_id,
      status,
      current_job_id: busy ? row.current_job_id : null,
      jobs_completed: Number(row.jobs_completed),
      jobs_failed: Number(row.jobs_failed),
      uptime_seconds: live ? Math.max(0, Math.round((now - Date.parse(row.started_at)) / 100) / 10) : 0,
      current_job_progress: busy ? Number(row.current_job_progress ?? 0) : 0,
      current_job_eta: busy ? row.current_job_eta : null,
      node: row.node,
      pid: stale ? null : row.pid,
      error: row.error,
      model_loaded: stale ? null : row.model_loaded,
      last_heartbeat: new Date(Number(row.last_heartbeat_ms)).toISOString(),
      started_at: row.started_at,
      desired_state: row.desired_state,
    };
  }

  /** The rows of every node's workers as stored (the health checks read errors and heartbeats from them). */
  rows(): Promise<WorkerRow[]> {
    return repo.listWorkers(this.db);
  }

  async list(): Promise<Worker[]> {
    const now = Date.now();
    return (await repo.listWorkers(this.db)).map((r) => this.toWorker(r, now));
  }

  async get(id: string): Promise<Worker> {
    const row = await repo.findWorker(this.db, id);
    if (!row) throw notFound(`Worker ${id}`);
    return this.toWorker(row);
  }

  async stats(): Promise<WorkerStats> {
    const workers = await this.list();
    const count = (f: (w: Worker) => boolean) => workers.filter(f).length;
    const live = workers.filter((w) => w.status === 'idle' || w.status === 'busy');
    const sup = this.supervisor();
    const oldest = live.length ? Math.max(...live.map((w) => w.uptime_seconds)) : 0;
    return {
      total_workers: workers.length,
      cpu_workers: count((w) => w.worker_type === 'cpu'),
      gpu_workers: count((w) => w.worker_type === 'gpu'),
      idle_workers: count((w) => w.status === 'idle'),
      busy_workers: count((w) => w.status === 'busy'),
      stopped_workers: count((w) => w.status === 'stopped'),
      error_workers: count((w) => w.status === 'error'),
      total_jobs_completed: workers.reduce((a, w) => a + w.jobs_completed, 0),
      total_jobs_failed: workers.reduce((a, w) => a + w.jobs_failed, 0),
      uptime_seconds: sup.startedAt ? Math.round((Date.now() - sup.startedAt) / 100) / 10 : oldest,
      is_running: live.length > 0,
    };
  }

  private parseType(type: string): WorkerType {
    if (type !== 'cpu' && type !== 'gpu') throw badRequest(`Invalid worker type "${type}": use cpu or gpu`, 'bad_worker_type');
    return type;
  }

  private async checkDevice(deviceId: number | null | undefined): Promise<number> {
    if (deviceId === null || deviceId === undefined) throw badRequest('device_id is required for GPU workers', 'missing_device_id');
    if (!Number.isInteger(deviceId) || deviceId < 0) throw badRequest(`device_id must be a non-negative integer, got ${deviceId}`, 'bad_device_id');
    const gpus = await listGpuDevices(this.tools);
    if (!gpus.some((g) => g.id === deviceId)) {
      throw badRequest(
        gpus.length ? `No GPU with device_id ${deviceId} on this node (devices: ${gpus.map((g) => `${g.id} ${g.name}`).join(', ')})` : `No GPU with device_id ${deviceId}: this node has no usable GPU (no NVIDIA device, and no device the Vulkan build of whisper.cpp can use)`,
        'unknown_device',
      );
    }
    return deviceId;
  }

  private timeoutMs(timeout: number | undefined): number {
    const t = timeout ?? 30;
    if (!Number.isFinite(t) || t < 0 || t > MAX_TIMEOUT_S) throw badRequest(`timeout must be between 0 and ${MAX_TIMEOUT_S} seconds, got ${t}`, 'bad_timeout');
    return Math.round(t * 1000);
  }

  /** Starts a worker on this node; answers once it is up (or in error with its reason), within a few seconds. */
  async add(input: { worker_type: string; device_id?: number | null }): Promise<Worker> {
    const type = this.parseType(input.worker_type);
    const device = type === 'gpu' ? await this.checkDevice(input.device_id) : null;
    const id = await this.supervisor().addWorker(type, device);
    await this.waitFor(id, (r) => !r || r.status !== 'starting', 15_000);
    return this.get(id);
  }

  private async waitFor(id: string, done: (row: WorkerRow | undefined) => boolean, ms: number): Promise<void> {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      if (done(await repo.findWorker(this.db, id))) return;
      await sleep(100);
    }
  }

  async remove(id: string, timeout?: number): Promise<void> {
    const ms = this.timeoutMs(timeout);
    const row = await repo.findWorker(this.db, id);
    if (!row) throw notFound(`Worker ${id}`);
    const sup = this.supervisor();
    if (sup.isLocal(id)) return sup.stopWorker(id, ms);
    if (Date.now() - Number(row.last_heartbeat_ms) > this.staleAfterMs() || row.status === 'stopped') {
      // Its node is gone: nobody is left to obey a stop request.
      await life.handBackJobsOf(this.db, [id]);
      await repo.deleteWorker(this.db, id);
      return;
    }
    // Another node's worker: its supervisor obeys desired_state and removes the row.
    await repo.requestStop(this.db, [id], Date.now() + ms);
    await this.waitFor(id, (r) => !r, ms + 10_000);
    this.log.info({ worker: id, node: row.node }, 'asked a remote worker to stop');
  }

  async startPool(cpu: number, gpu: number): Promise<string> {
    for (const [name, n] of [['cpu_workers', cpu], ['gpu_workers', gpu]] as const) {
      if (!Number.isInteger(n) || n < 0 || n > 64) throw badRequest(`${name} must be an integer from 0 to 64, got ${n}`, 'bad_worker_count');
    }
    const sup = this.supervisor();
    const used = new Set(sup.localWorkers().filter((w) => w.type === 'gpu').map((w) => w.deviceId));
    const ids: string[] = [];
    for (let i = 0; i < cpu; i++) ids.push(await sup.addWorker('cpu'));
    for (let i = 0, device = 0; i < gpu; i++, device++) {
      while (used.has(device)) device++;
      // A GPU worker without a usable GPU starts, reports the reason and stays in `error`.
      ids.push(await sup.addWorker('gpu', device));
    }
    await Promise.all(ids.map((id) => this.waitFor(id, (r) => !r || r.status !== 'starting', 15_000)));
    return `Worker pool started: ${cpu} CPU workers, ${gpu} GPU workers`;
  }

  /** Stops every worker: this node's directly, other nodes' through their supervisors. */
  async stopPool(timeout?: number): Promise<string> {
    const ms = this.timeoutMs(timeout);
    const sup = this.supervisor();
    const rows = await repo.listWorkers(this.db);
    const remote = rows.filter((r) => !sup.isLocal(r.worker_id));
    await Promise.all([sup.stopAll(ms), ...remote.map((r) => this.remove(r.worker_id, ms / 1000).catch(() => {}))]);
    return 'Worker pool stopped successfully';
  }
}
