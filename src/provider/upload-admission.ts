/**
 * What a provider upload (/asr, /detect-language, /v1/audio/*) must pass
 * before its body is read: the declared size within provider_max_upload_mb
 * (413), a live worker on some node to run it (503), and room on the data
 * folder's disk for the temporary file (507). The routes run it as their
 * preHandler, so it is decided on the route Fastify matched and a refused
 * client has not sent, nor the server stored, up to provider_max_upload_mb
 * first. The service checks the worker again when it queues the job (one
 * may stop while the body arrives).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { CoreContext } from '../core/context.js';
import { AppError } from '../errors.js';
import { DiskFullError, freeBytes, freeSpaceFix } from '../system/disk-full.js';
import { countLiveWorkers } from './provider.repository.js';
import { checkContentLength, uploadDir } from './provider.upload.js';
import { formatBytes } from '../format.js';

/** 503 `no_workers` when no worker of any node heart-beat within the lease window (its audio travels through the database, so any node's will do). */
async function requireLiveWorker(ctx: Pick<CoreContext, 'database' | 'settings'>): Promise<void> {
  const s = ctx.settings;
  const windowMs = Math.max(s.getNumber('job_lease_seconds') || 60, 3 * (s.getNumber('worker_heartbeat_seconds') || 5)) * 1000;
  if ((await countLiveWorkers(ctx.database.db, Date.now() - windowMs)) > 0) return;
  throw new AppError(503, 'no_workers', 'No worker is running on any node to process the request: start one (the Workers page, the worker_cpu_count setting, or `transcriptorio worker` on another machine) and try again');
}


/** 507 when the declared body cannot fit on the disk of the upload folder: it would fail part way through. */
async function requireRoom(dataDir: string, header: string | string[] | undefined): Promise<void> {
  const declared = Number(Array.isArray(header) ? header[0] : header);
  if (!Number.isFinite(declared) || declared <= 0) return;
  const dir = uploadDir(dataDir);
  const free = await freeBytes(dir) ?? await freeBytes(dataDir);
  if (free === null || free >= declared) return;
  throw new DiskFullError(dataDir, `The disk holding ${dataDir} is full: ${formatBytes(free)} free, and the upload (${formatBytes(declared)}) is stored in ${dir} first.`, freeSpaceFix(dataDir));
}

interface AdmissionDeps {
  ctx: Pick<CoreContext, 'database' | 'settings' | 'config'>;
  /** provider_max_upload_mb in bytes */
  maxBytes(): number;
  /** the route's own checks that need no body (the query): a 400 for a bad parameter comes before the 503 */
  validate?(req: FastifyRequest): void;
}

/** The preHandler of an upload route: everything that can refuse the request before a byte of its body is read. */
export function admitUpload(deps: AdmissionDeps) {
  return async (req: FastifyRequest, _reply: FastifyReply): Promise<void> => {
    deps.validate?.(req);
    checkContentLength(req.headers['content-length'], deps.maxBytes());
    await requireLiveWorker(deps.ctx);
    await requireRoom(deps.ctx.config.dataDir, req.headers['content-length']);
  };
}
