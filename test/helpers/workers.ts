/**
 * A worker row without a worker process: it heart-beats an hour ahead, so a
 * provider request gets past the "no live worker" check (503) and is queued,
 * and nothing claims the job unless the test does.
 */
import type { ChildProcess } from 'node:child_process';
import type { Db } from '../../src/db/database.js';

export interface WorkerRowOptions {
  workerId?: string;
  node: string;
  status?: 'idle' | 'busy';
}

export async function insertLiveWorkerRow(db: Db, { workerId = 'fake-1', node, status = 'idle' }: WorkerRowOptions): Promise<void> {
  await db
    .insertInto('workers')
    .values({
      worker_id: workerId, worker_type: 'cpu', device_id: null, node, pid: null, status, desired_state: 'running',
      current_job_id: null, current_job_progress: null, current_job_eta: null, jobs_completed: 0, jobs_failed: 0,
      started_at: new Date().toISOString(), last_heartbeat_ms: Date.now() + 3_600_000, error: null, model_loaded: null,
    } as never)
    .onConflict((oc) => oc.doNothing())
    .execute();
}

/** A node started as its own process group (`transcriptorio worker` in a test). */
export interface NodeProcess {
  proc: ChildProcess;
  exited: Promise<unknown>;
}

/** SIGTERM to each node's process group, up to 20 s for them to finish, then SIGKILL whatever is left. */
export async function stopNodes(nodes: NodeProcess[]): Promise<void> {
  for (const n of nodes) {
    if (n.proc.exitCode === null && n.proc.signalCode === null) {
      try {
        process.kill(-n.proc.pid!, 'SIGTERM');
      } catch {
        /* already gone */
      }
    }
  }
  await Promise.race([Promise.all(nodes.map((n) => n.exited)), new Promise((r) => setTimeout(r, 20_000))]);
  for (const n of nodes) {
    try {
      process.kill(-n.proc.pid!, 'SIGKILL');
    } catch {
      /* gone */
    }
  }
}
