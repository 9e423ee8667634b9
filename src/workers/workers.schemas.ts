/** The Workers API's shapes: validation, OpenAPI and the service's types come from here. */
import { Type } from '@fastify/type-provider-typebox';
import { Nullable } from '../http/schemas.js';

export const WorkerSchema = Type.Object({
  worker_id: Type.String(),
  worker_type: Type.String({ description: 'cpu or gpu' }),
  device_id: Nullable(Type.Integer()),
  status: Type.String({ description: 'idle, busy, stopped or error' }),
  current_job_id: Nullable(Type.String()),
  jobs_completed: Type.Integer(),
  jobs_failed: Type.Integer(),
  uptime_seconds: Type.Number(),
  current_job_progress: Type.Number(),
  current_job_eta: Nullable(Type.Integer()),
  node: Type.String({ description: 'host name (or --node-name) of the machine the worker runs on' }),
  pid: Nullable(Type.Integer()),
  error: Nullable(Type.String()),
  model_loaded: Nullable(Type.String()),
  last_heartbeat: Type.String({ description: 'ISO 8601 UTC time of the last heartbeat' }),
  started_at: Type.String(),
  desired_state: Type.String({ description: 'running, or stopping once a stop was requested' }),
});

export const StatsSchema = Type.Object({
  total_workers: Type.Integer(), cpu_workers: Type.Integer(), gpu_workers: Type.Integer(),
  idle_workers: Type.Integer(), busy_workers: Type.Integer(), stopped_workers: Type.Integer(), error_workers: Type.Integer(),
  total_jobs_completed: Type.Integer(), total_jobs_failed: Type.Integer(), uptime_seconds: Type.Number(), is_running: Type.Boolean(),
});
