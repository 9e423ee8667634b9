import type { SettingDefinition } from '../settings.types.js';

export const workerSettings = [
  { key: 'worker_cpu_count', default: '0', category: 'workers', value_type: 'integer', min: 0, max: 64, description: 'CPU workers started at boot' },
  { key: 'worker_gpu_count', default: '0', category: 'workers', value_type: 'integer', min: 0, max: 16, description: 'GPU workers started at boot (one per GPU, in device order)' },
  { key: 'concurrent_transcriptions', default: '2', category: 'workers', value_type: 'integer', min: 1, max: 64, description: 'Most transcriptions running at once on this node' },
  { key: 'worker_healthcheck_interval', default: '60', category: 'workers', value_type: 'integer', min: 1, max: 3600, description: 'Seconds between worker health checks' },
  { key: 'worker_auto_restart', default: 'true', category: 'workers', value_type: 'boolean', description: 'Restart crashed workers' },
  { key: 'clear_vram_on_complete', default: 'true', category: 'workers', value_type: 'boolean', description: 'A GPU worker unloads its model after a job when no other job is waiting, giving the GPU memory back (CPU workers use model_idle_unload_seconds)' },
  { key: 'model_idle_unload_seconds', default: '300', category: 'workers', value_type: 'integer', min: 0, max: 86400, description: 'Unload a worker\'s model after this many idle seconds (0 keeps it loaded)' },
  { key: 'job_lease_seconds', default: '60', category: 'workers', value_type: 'integer', min: 2, max: 3600, description: 'How long a claimed job stays a worker\'s without a heartbeat before it goes back to the queue' },
  { key: 'worker_heartbeat_seconds', default: '5', category: 'workers', value_type: 'integer', min: 1, max: 600, description: 'Seconds between worker heartbeats' },
  { key: 'job_max_retries', default: '3', category: 'workers', value_type: 'integer', min: 0, max: 100, description: 'Attempts after the first before a job is failed for good' },
  { key: 'job_retry_backoff_seconds', default: '30', category: 'workers', value_type: 'integer', min: 0, max: 86400, description: 'Base delay before a retried job runs again (doubles each retry)' },
  { key: 'stale_worker_remove_seconds', default: '600', category: 'workers', value_type: 'integer', min: 30, max: 604800, description: 'Workers of a node that stopped heart-beating are shown as stopped, then removed after this many seconds' },
  { key: 'shutdown_timeout_seconds', default: '30', category: 'workers', value_type: 'integer', min: 1, max: 3600, description: 'On shutdown, how long running jobs may finish before they are handed back to the queue' },
] as const satisfies readonly SettingDefinition[];
