/**
 * Job types that exist only in tests: cheap jobs for the multi-node and queue
 * tests, where what matters is who runs each job, not what it does. Worker
 * processes load this module through the test-only extension point of the
 * worker spec (`WorkerSpec.extraHandlers`, set from
 * TRANSCRIPTORIO_EXTRA_HANDLERS); its default export is the handlers by job type.
 */
import { appendFileSync } from 'node:fs';
import type { JobHandler, JobHandlerContext } from '../../src/core/job-handler.js';

/** Each execution appends "<job id> <worker id> <node>" to TEST_RUN_LOG: proof of how often a job ran. */
function record(ctx: JobHandlerContext): void {
  if (process.env.TEST_RUN_LOG) appendFileSync(process.env.TEST_RUN_LOG, `${ctx.job.id} ${ctx.job.worker_id} ${ctx.node}\n`);
}

/** Does nothing; answers which worker ran it. */
const noop: JobHandler = async (ctx) => {
  record(ctx);
  return { result: { ran_by: ctx.job.worker_id, pid: process.pid } };
};

/** Sleeps options.ms (default 2000; a retried attempt options.retry_ms when given) reporting progress; honours cancel. */
const sleep: JobHandler = async (ctx) => {
  const retried = ctx.job.retry_count > 0 && ctx.options.retry_ms !== undefined;
  const ms = Number(retried ? ctx.options.retry_ms : (ctx.options.ms ?? 2000));
  const started = Date.now();
  while (Date.now() - started < ms) {
    if (ctx.signal.aborted) throw ctx.signal.reason;
    const p = ((Date.now() - started) / ms) * 100;
    ctx.reportProgress({ stage: 'transcribing', progress: p, etaSeconds: (ms - (Date.now() - started)) / 1000 });
    await new Promise((r) => setTimeout(r, 50));
  }
  record(ctx);
  return { result: { ran_by: ctx.job.worker_id, pid: process.pid } };
};

export default { noop, sleep } satisfies Record<string, JobHandler>;
