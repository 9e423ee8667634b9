/**
 * Job types registered only in tests (loaded by worker processes through
 * TRANSCRIPTORIO_EXTRA_HANDLERS): cheap jobs for the multi-node and queue
 * tests, where what matters is who runs each job, not what it does.
 */
import { appendFileSync } from 'node:fs';
import { registerJobHandler } from '../../src/workers/job-handlers.js';

/** Each execution appends "<job id> <worker id> <node>" to TEST_RUN_LOG: proof of how often a job ran. */
function record(jobId: string, workerId: string | null): void {
  if (process.env.TEST_RUN_LOG) appendFileSync(process.env.TEST_RUN_LOG, `${jobId} ${workerId} ${process.env.TRANSCRIPTORIO_NODE ?? ''}\n`);
}

/** Does nothing; answers which worker ran it. */
registerJobHandler('noop', async (ctx) => {
  record(ctx.job.id, ctx.job.worker_id);
  return { result: { ran_by: ctx.job.worker_id, pid: process.pid } };
});

/** Sleeps options.ms (default 2000) reporting progress; honours cancel. */
registerJobHandler('sleep', async (ctx) => {
  const ms = Number(ctx.options.ms ?? 2000);
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const p = ((Date.now() - started) / ms) * 100;
    ctx.reportProgress({ stage: 'transcribing', progress: p, etaSeconds: (ms - (Date.now() - started)) / 1000 });
    await new Promise((r) => setTimeout(r, 50));
  }
  record(ctx.job.id, ctx.job.worker_id);
  return { result: { ran_by: ctx.job.worker_id, pid: process.pid } };
});
