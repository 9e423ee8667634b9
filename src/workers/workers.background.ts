/**
 * The worker pool as a background component of the server: starts the
 * workers the settings ask for, follows changes of those counts, reports the
 * pool's figures to /api/status and /health, and turns changes of worker rows
 * (written by worker processes of any node) into live events.
 */
import { registerBackground } from '../server/background.js';
import type { AppContext } from '../server/context.js';
import { registerStatusProvider } from '../system/status.service.js';
import { workersFor } from './workers.context.js';
import type { Worker } from './workers.service.js';

/** Worker events: `worker.updated` (the worker object) and `workers.removed` ({worker_ids}). */
export function addWorkerEventsPoller(ctx: AppContext): void {
  const { service } = workersFor(ctx);
  let last = new Map<string, string>();
  // Uptime and heartbeat change every poll: only real changes become events.
  const key = (w: Worker) => JSON.stringify({ ...w, uptime_seconds: 0, last_heartbeat: '' });
  ctx.events.addPoller(async () => {
    const workers = await service.list();
    const next = new Map(workers.map((w) => [w.worker_id, key(w)]));
    for (const w of workers) if (last.get(w.worker_id) !== next.get(w.worker_id)) ctx.events.publish('worker.updated', w);
    const removed = [...last.keys()].filter((id) => !next.has(id));
    if (removed.length) ctx.events.publish('workers.removed', { worker_ids: removed });
    last = next;
  });
}

export function registerWorkersStatus(ctx: AppContext): void {
  const { service } = workersFor(ctx);
  registerStatusProvider(ctx, 'workers', async () => {
    const s = await service.stats();
    return {
      total_workers: s.total_workers, cpu_workers: s.cpu_workers, gpu_workers: s.gpu_workers, idle_workers: s.idle_workers,
      busy_workers: s.busy_workers, total_jobs_completed: s.total_jobs_completed, total_jobs_failed: s.total_jobs_failed,
    };
  });
}

registerBackground('workers', async (ctx) => {
  const { supervisor } = workersFor(ctx);
  registerWorkersStatus(ctx);
  addWorkerEventsPoller(ctx);
  await supervisor.start();
  const timeout = () => ctx.settings.getNumber('shutdown_timeout_seconds') * 1000;
  await supervisor.scaleTo('cpu', ctx.cpuWorkersAtBoot ?? ctx.settings.getNumber('worker_cpu_count'), timeout());
  await supervisor.scaleTo('gpu', ctx.settings.getNumber('worker_gpu_count'), timeout());
  // A changed count takes effect at once; workers added or removed through the API stay as they are until then.
  const onChange = (key: string, value: unknown) => {
    const type = key === 'worker_cpu_count' ? 'cpu' : key === 'worker_gpu_count' ? 'gpu' : null;
    if (!type) return;
    void supervisor.scaleTo(type, Number(value), timeout()).catch((e) => ctx.log.error({ err: e }, 'could not apply worker count'));
  };
  ctx.settings.on('change', onChange);
  ctx.onClose.push(() => void ctx.settings.off('change', onChange));
});
