/**
 * The worker pool as a background component of the server: starts the
 * workers the settings ask for and follows changes of those counts; and the
 * poller that turns changes of worker rows (written by worker processes of
 * any node) into live events. Built by the composition root (server/context.ts).
 */
import type { Logger } from 'pino';
import type { BackgroundComponent } from '../core/background.js';
import type { EventHub } from '../events/event-hub.js';
import type { SettingsService } from '../settings/settings.service.js';
import type { WorkerSupervisor } from './supervisor.js';
import type { Worker, WorkersService } from './workers.service.js';

/** Worker events for EventHub.addPoller: `worker.updated` (the worker object) and `workers.removed` ({worker_ids}). */
export function workerEventsPoller(service: WorkersService, events: EventHub): () => Promise<void> {
  let last = new Map<string, string>();
  // Uptime and heartbeat change every poll: only real changes become events.
  const key = (w: Worker) => JSON.stringify({ ...w, uptime_seconds: 0, last_heartbeat: '' });
  return async () => {
    const workers = await service.list();
    const next = new Map(workers.map((w) => [w.worker_id, key(w)]));
    for (const w of workers) if (last.get(w.worker_id) !== next.get(w.worker_id)) events.publish('worker.updated', w);
    const removed = [...last.keys()].filter((id) => !next.has(id));
    if (removed.length) events.publish('workers.removed', { worker_ids: removed });
    last = next;
  };
}

interface WorkersComponentDeps {
  supervisor: WorkerSupervisor;
  settings: SettingsService;
  log: Logger;
  /** `server --workers N`: CPU workers to start instead of the worker_cpu_count setting. */
  cpuWorkersAtBoot?: number;
}

/**
 * Start: the supervisor's duties, then the workers worker_cpu_count /
 * worker_gpu_count ask for. Stop: every local worker finishes or hands its job
 * back within shutdown_timeout_seconds (also the workers added through the
 * API when the component never started).
 */
export function workersComponent({ supervisor, settings, log, cpuWorkersAtBoot }: WorkersComponentDeps): BackgroundComponent {
  const timeout = () => settings.getNumber('shutdown_timeout_seconds') * 1000;
  // A changed count takes effect at once; workers added or removed through the API stay as they are until then.
  const onChange = (key: string, value: unknown) => {
    const type = key === 'worker_cpu_count' ? 'cpu' : key === 'worker_gpu_count' ? 'gpu' : null;
    if (!type) return;
    void supervisor.scaleTo(type, Number(value), timeout()).catch((e) => log.error({ err: e }, 'could not apply worker count'));
  };
  return {
    name: 'workers',
    async start() {
      await supervisor.start();
      await supervisor.scaleTo('cpu', cpuWorkersAtBoot ?? settings.getNumber('worker_cpu_count'), timeout());
      await supervisor.scaleTo('gpu', settings.getNumber('worker_gpu_count'), timeout());
      settings.on('change', onChange);
    },
    async stop() {
      settings.off('change', onChange);
      await supervisor.close(timeout());
    },
  };
}
