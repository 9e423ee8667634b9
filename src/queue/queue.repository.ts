/**
 * The queue as a worker sees it: claim the next job, keep its lease, take
 * back the jobs of lost workers. These are transitions of the job life
 * cycle, and their SQL lives there (src/jobs/job-lifecycle.repository.ts),
 * beside every other write of a job's status; this module only names them
 * for the queue's callers (the worker process, benchmarks, tests).
 */
export {
  claim as claimNextJob,
  extendLease,
  recoverExpired as recoverExpiredLeases,
  retryDelayMs,
  type ClaimOptions,
} from '../jobs/job-lifecycle.repository.js';
