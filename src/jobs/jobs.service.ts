/**
 * The rules of jobs: validation of new jobs, one live job per file, which
 * transitions the API allows, and the API's shape of a job.
 */
import { randomUUID } from 'node:crypto';
import { basename, isAbsolute, resolve, win32 } from 'node:path';
import type { DatabaseHandle } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import { AppError, badRequest, conflict, notFound } from '../errors.js';
import { normalizeLanguage } from '../languages.js';
import { confineMediaPath, type RootSettings } from '../security/media-roots.js';
import { DEFAULT_QUALITY_PRESET, QUALITY_PRESETS, isQualityPreset, type QualityPreset } from '../quality-presets.js';
import * as repo from './jobs.repository.js';
import * as life from './job-lifecycle.repository.js';
import { JOB_MODES, isJobMode, isLiveStatus, type JobStatus, type JobType, type TerminalStatus } from '../job-kinds.js';
import type { Static } from '@fastify/type-provider-typebox';
import type { JobSchema } from './jobs.schemas.js';
import { listEvents, recordEvent } from './job-events.repository.js';
import { creationEvent, toJobEvent, type JobEvent } from './job-timeline.js';
import { readJobSubtitle, type JobSubtitle } from './job-subtitle.js';
import { bulkAction, type BulkAction, type BulkResult } from './jobs-bulk.js';
import { JobQualityService } from './job-quality.service.js';
import { countNeedsReview } from './job-quality.repository.js';

/** A job as the API shows it: the type is the route schema's, so the two cannot drift. */
export type Job = Static<typeof JobSchema>;

export function toJob(row: JobRow): Job {
  return {
    id: row.id,
    file_path: row.file_path,
    file_name: row.file_name,
    // Test-only handlers may add job types beyond JOB_TYPES; the row keeps them as text.
    job_type: row.job_type as JobType,
    status: row.status,
    priority: row.priority,
    source_lang: row.source_lang,
    target_lang: row.target_lang,
    quality_preset: row.quality_preset,
    transcribe_or_translate: row.transcribe_or_translate,
    progress: Number(row.progress),
    current_stage: row.current_stage,
    eta_seconds: row.eta_seconds,
    created_at: row.created_at,
    started_at: row.started_at,
    completed_at: row.completed_at,
    output_path: row.output_path,
    segments_count: row.segments_count,
    error: row.error,
    error_code: row.error_code ?? null,
    retry_count: row.retry_count,
    max_retries: row.max_retries,
    worker_id: row.worker_id,
    vram_used_mb: row.vram_used_mb,
    processing_time_seconds: row.processing_time_seconds === null ? null : Number(row.processing_time_seconds),
    model_used: row.model_used,
    device_used: row.device_used,
    is_manual_request: !!row.is_manual_request,
    node: row.node ?? null,
    needs_review: !!row.needs_review,
    quality_score: row.quality_score === null || row.quality_score === undefined ? null : Number(row.quality_score),
  };
}

interface CreateJobInput {
  file_path: string;
  file_name?: string;
  source_lang?: string | null;
  target_lang: string;
  quality_preset?: string | null;
  transcribe_or_translate?: string | null;
  priority?: number;
  is_manual_request?: boolean;
  job_type?: string;
  /** extra parameters kept with the job (audio track language, rule id, provider request) */
  options?: Record<string, unknown>;
  max_retries?: number;
  /**
   * Internal callers (provider requests) key a job by a synthetic path such as
   * `provider://asr/<sha256>` instead of a media file, so the unique index on
   * live file paths dedupes identical requests; such jobs may have target 'und'.
   */
  synthetic_path?: boolean;
  /** only workers of this node may run the job (its input is on this node's disk) */
  node_affinity?: string | null;
  /** the job's id when the caller stored something under it first (a provider upload); else a new UUID */
  id?: string;
}

/** A new job id (what create uses unless the caller brings one). */
export function newJobId(): string {
  return randomUUID().replace(/-/g, '').slice(0, 16);
}

/** What a client may ask for (POST /api/jobs): never a synthetic path, a node or another job type. */
type RequestedJob = Pick<CreateJobInput, 'file_path' | 'file_name' | 'source_lang' | 'target_lang' | 'quality_preset' | 'transcribe_or_translate' | 'priority' | 'is_manual_request' | 'options'>;

interface JobDefaults {
  maxRetries(): number;
  mode(): string;
  /** the preset of a job created without one (the transcription_preset setting); absent: its default */
  preset?(): string;
}

/** Absolute POSIX paths, Windows drive paths and UNC paths (a worker node may use any). */
function isAbsoluteMediaPath(p: string): boolean {
  return isAbsolute(p) || win32.isAbsolute(p);
}

export function requireLanguage(value: string, field: string): string {
  const code = normalizeLanguage(value);
  if (!code) throw badRequest(`Unknown language "${value}" in ${field}: use an ISO 639-2 code such as eng, spa, jpn`, 'unknown_language');
  return code;
}

/** From this offset on, a page may be cheaper to read from the oldest end (see listJobs). */
const DEEP_OFFSET = 1000;

interface JobStats {
  total_jobs: number;
  queued: number;
  processing: number;
  completed: number;
  failed: number;
  cancelled: number;
  /** completed jobs whose subtitle waits for a person (needs_review) */
  needs_review: number;
}

export class JobsService {
  /** The quality report of a job, its review and the audio clips of its cues. */
  readonly quality: JobQualityService;

  /**
   * Job list pages by query, each valid while the database's change version
   * (see changeVersion) is the one read before it: a dashboard polling an
   * unchanged queue costs one tiny query instead of a page of rows.
   */
  private listCache = new Map<string, { version: string; result: { jobs: Job[]; total: number; page: number; page_size: number } }>();

  constructor(
    private readonly handle: DatabaseHandle,
    private readonly defaults: JobDefaults,
  ) {
    this.quality = new JobQualityService(handle);
  }

  private get db() {
    return this.handle.db;
  }

  /** The request schema (jobs.schemas.ts ListQuery) bounds the page and names the status, sort and order. */
  async list(q: { status?: JobStatus; page: number; pageSize: number } & ListRefinements): Promise<{ jobs: Job[]; total: number; page: number; page_size: number }> {
    const status = q.status;
    const refined = refinementsOf(q);
    const key = `${status ?? ''}|${q.page}|${q.pageSize}${refined ? `|${JSON.stringify(refined)}` : ''}`;
    const version = await repo.changeVersion(this.db, this.handle.kind);
    const hit = this.listCache.get(key);
    if (hit && hit.version === version) return hit.result;
    const offset = (q.page - 1) * q.pageSize;
    if (refined) return this.remember(key, version, await this.refinedPage({ ...refined, status, limit: q.pageSize, offset }), q.page, q.pageSize);
    const totalOf = (counts: Record<string, number>) => (status ? (counts[status] ?? 0) : Object.values(counts).reduce((a, b) => a + b, 0));
    let rows: JobRow[];
    let total: number;
    if (offset < DEEP_OFFSET) {
      // Shallow pages: both queries at once (two round trips overlap on PostgreSQL).
      const [r, counts] = await Promise.all([repo.listJobs(this.db, { status, limit: q.pageSize, offset }), repo.statusCounts(this.db)]);
      rows = r;
      total = totalOf(counts);
    } else {
      // Deep pages need the total first to be read from the cheaper end.
      total = totalOf(await repo.statusCounts(this.db));
      rows = await repo.listJobs(this.db, { status, limit: q.pageSize, offset, total });
    }
    return this.remember(key, version, { rows, total }, q.page, q.pageSize);
  }

  private remember(key: string, version: string, page: { rows: JobRow[]; total: number }, pageNo: number, pageSize: number) {
    // Frozen: the same object answers later calls, so no caller may change it.
    const result = Object.freeze({ jobs: Object.freeze(page.rows.map((r) => Object.freeze(toJob(r)))) as Job[], total: page.total, page: pageNo, page_size: pageSize });
    // A handful of pages is what dashboards poll; a full map is simply dropped.
    if (this.listCache.size >= 64) this.listCache.clear();
    this.listCache.set(key, { version, result });
    return result;
  }

  /** A page searched, filtered or sorted beyond the contract's listing: counted by query when a filter narrows it. */
  private async refinedPage(q: repo.SortedJobsQuery): Promise<{ rows: JobRow[]; total: number }> {
    const narrowed = q.search !== undefined || q.ruleId !== undefined || q.language !== undefined || q.needsReview !== undefined;
    const [rows, total] = await Promise.all([
      repo.listSortedJobs(this.db, this.handle.kind, q),
      narrowed
        ? repo.countJobs(this.db, this.handle.kind, q)
        : repo.statusCounts(this.db).then((c) => (q.status ? (c[q.status] ?? 0) : Object.values(c).reduce((a, b) => a + b, 0))),
    ]);
    return { rows, total };
  }

  async stats(): Promise<JobStats> {
    const [c, needsReview] = await Promise.all([repo.statusCounts(this.db), countNeedsReview(this.db)]);
    const s = { queued: c.queued ?? 0, processing: c.processing ?? 0, completed: c.completed ?? 0, failed: c.failed ?? 0, cancelled: c.cancelled ?? 0 };
    return { total_jobs: s.queued + s.processing + s.completed + s.failed + s.cancelled, ...s, needs_review: needsReview };
  }

  async get(id: string): Promise<Job> {
    const row = await repo.findJob(this.db, id);
    if (!row) throw notFound(`Job ${id}`);
    return toJob(row);
  }

  async getRow(id: string): Promise<JobRow | undefined> {
    return repo.findJob(this.db, id);
  }

  /**
   * A job a client asked for: its file must lie inside the media roots once
   * `..` and symlinks are resolved (403 outside_library otherwise), so the
   * API cannot make a worker read, or write a subtitle beside, any file of
   * the machine. The resolved real path is stored: the same file reached
   * through a symlinked folder is the same job.
   */
  async createFromRequest(input: RequestedJob, roots: RootSettings): Promise<Job> {
    const requested = input.file_path?.trim();
    if (!requested) throw badRequest('file_path must not be empty', 'bad_path');
    if (requested.includes('\0')) throw badRequest('file_path contains a NUL character', 'bad_path');
    if (!isAbsoluteMediaPath(requested)) throw badRequest(`file_path must be an absolute path, got "${requested}"`, 'relative_path');
    const real = await confineMediaPath(roots, requested);
    // A job queued by the scanner is keyed by the path as it walked it (maybe through a symlinked library folder).
    const lexical = isAbsolute(requested) ? resolve(requested) : requested;
    if (lexical !== real && (await repo.findLiveJobForFile(this.db, lexical))) throw conflict(`Job already exists for this file: ${requested}`, 'duplicate_job');
    return this.create({
      file_path: real,
      file_name: input.file_name,
      source_lang: input.source_lang,
      target_lang: input.target_lang,
      quality_preset: input.quality_preset,
      transcribe_or_translate: input.transcribe_or_translate,
      priority: input.priority,
      is_manual_request: input.is_manual_request,
      options: input.options,
    });
  }

  /** Internal creators (scanner, webhooks, provider): their paths are already checked or synthetic. */
  async create(input: CreateJobInput): Promise<Job> {
    const filePath = input.file_path?.trim();
    if (!filePath) throw badRequest('file_path must not be empty', 'bad_path');
    if (!input.synthetic_path && !isAbsoluteMediaPath(filePath)) throw badRequest(`file_path must be an absolute path, got "${filePath}"`, 'relative_path');
    const targetLang = input.synthetic_path && input.target_lang === 'und' ? 'und' : requireLanguage(input.target_lang, 'target_lang');
    const sourceLang = input.source_lang ? requireLanguage(input.source_lang, 'source_lang') : null;
    const preset = input.quality_preset ?? this.defaults.preset?.() ?? DEFAULT_QUALITY_PRESET;
    if (!isQualityPreset(preset)) {
      throw badRequest(`Invalid quality preset "${preset}": use one of ${QUALITY_PRESETS.join(', ')}`, 'bad_quality_preset');
    }
    const mode = input.transcribe_or_translate ?? this.defaults.mode();
    if (!isJobMode(mode)) {
      throw badRequest(`transcribe_or_translate must be ${JOB_MODES.join(' or ')}, got "${mode}"`, 'bad_mode');
    }
    if (await repo.findLiveJobForFile(this.db, filePath)) throw conflict(`Job already exists for this file: ${filePath}`, 'duplicate_job');
    const now = new Date();
    const iso = now.toISOString();
    try {
      const row = await repo.insertJob(this.db, this.handle.kind, {
        id: input.id ?? newJobId(),
        file_path: filePath,
        file_name: input.file_name?.trim() || basename(filePath.replace(/\\/g, '/')),
        job_type: input.job_type ?? 'transcription',
        status: 'queued',
        priority: input.priority ?? 0,
        source_lang: sourceLang,
        target_lang: targetLang,
        quality_preset: preset,
        transcribe_or_translate: mode,
        progress: 0,
        current_stage: null,
        eta_seconds: null,
        created_at: iso,
        started_at: null,
        completed_at: null,
        output_path: null,
        segments_count: null,
        error: null,
        retry_count: 0,
        max_retries: input.max_retries ?? this.defaults.maxRetries(),
        worker_id: null,
        vram_used_mb: null,
        processing_time_seconds: null,
        model_used: null,
        device_used: null,
        is_manual_request: input.is_manual_request === false ? 0 : 1,
        lease_expires_at: null,
        not_before: null,
        cancel_requested: 0,
        options: input.options ? JSON.stringify(input.options) : null,
        result: null,
        updated_at: iso,
        updated_ms: now.getTime(),
        node_affinity: input.node_affinity ?? null,
        needs_review: 0,
      });
      // The timeline starts here for every creator (scanner, webhooks, provider, the API, the library).
      await recordEvent(this.db, creationEvent({ id: row.id, job_type: row.job_type, is_manual_request: !!row.is_manual_request, priority: row.priority, options: input.options }, now.getTime()));
      return toJob(row);
    } catch (e) {
      // The unique index on live jobs lost a race with another creator.
      if (/unique|duplicate/i.test(String((e as Error).message))) throw conflict(`Job already exists for this file: ${filePath}`, 'duplicate_job');
      throw e;
    }
  }

  /**
   * A failed job queued again by hand, as a fresh start (the life cycle's
   * `requeue`); `qualityPreset`: run the new attempt with this preset instead.
   */
  async retry(id: string, by?: string, opts: { qualityPreset?: QualityPreset } = {}): Promise<Job> {
    const row = await repo.findJob(this.db, id);
    if (!row) throw notFound(`Job ${id}`);
    if (row.status !== 'failed') throw badRequest(`Job ${id} cannot be retried: it is ${row.status}, only failed jobs can be retried`, 'not_retryable');
    if (await repo.findLiveJobForFile(this.db, row.file_path)) throw conflict(`Another job for this file is already queued or running`, 'duplicate_job');
    let requeued: boolean;
    try {
      requeued = await life.requeue(this.db, id, { by, qualityPreset: opts.qualityPreset });
    } catch (e) {
      // The unique index on live jobs: another job for the file was created a moment ago.
      if (/unique|duplicate/i.test(String((e as Error).message))) throw conflict(`Another job for this file is already queued or running`, 'duplicate_job');
      throw e;
    }
    if (!requeued) throw badRequest(`Job ${id} cannot be retried: its status changed`, 'not_retryable');
    return this.get(id);
  }

  /** Queued jobs are cancelled at once; a processing job is marked and its worker stops within seconds. */
  async cancel(id: string): Promise<void> {
    const row = await repo.findJob(this.db, id);
    if (!row) throw notFound(`Job ${id}`);
    if (!isLiveStatus(row.status)) throw badRequest(`Job ${id} is already in terminal state ${row.status}`, 'job_terminal');
    if (!(await life.cancel(this.db, id))) throw badRequest(`Job ${id} is already in a terminal state`, 'job_terminal');
  }

  async clearCompleted(): Promise<number> {
    return this.clear('completed');
  }

  /** Removes the jobs in a finished status (completed, failed or cancelled); their subtitle files stay. */
  async clear(status: TerminalStatus): Promise<number> {
    return repo.deleteJobsWithStatus(this.db, status);
  }

  /**
   * Retries every failed job, oldest first. A job whose file already has
   * another job queued or running is left failed and counted as skipped.
   */
  async retryAllFailed(): Promise<{ retried: number; skipped: number }> {
    let retried = 0;
    let skipped = 0;
    for (const id of await repo.jobIdsWithStatus(this.db, 'failed')) {
      try {
        await this.retry(id, 'a user (Retry all failed)');
        retried++;
      } catch (e) {
        if (!(e instanceof AppError) || e.status >= 500) throw e;
        skipped++;
      }
    }
    return { retried, skipped };
  }

  /** The job's timeline, oldest first (404 for an unknown job). */
  async events(id: string): Promise<JobEvent[]> {
    if (!(await repo.findJob(this.db, id))) throw notFound(`Job ${id}`);
    return (await listEvents(this.db, id)).map(toJobEvent);
  }

  /** The subtitle file the job wrote, or a 404 no_subtitle that says why there is none. */
  async subtitle(id: string): Promise<JobSubtitle> {
    const row = await repo.findJob(this.db, id);
    if (!row) throw notFound(`Job ${id}`);
    return readJobSubtitle(row);
  }

  /** Retry, cancel or remove selected jobs, each done or refused with its reason (jobs-bulk.ts). */
  async bulk(action: BulkAction, ids: string[]): Promise<BulkResult> {
    return bulkAction(this.db, this, action, ids);
  }

  async recent(status: JobStatus, limit: number): Promise<Job[]> {
    return (await repo.recentJobs(this.db, status, limit)).map(toJob);
  }
}

/** What GET /api/jobs takes beyond the contract's status and page. */
interface ListRefinements {
  search?: string;
  /** '' (a client's `?sort=`) is the default */
  sort?: repo.JobSort | '';
  order?: 'asc' | 'desc' | '';
  ruleId?: number;
  language?: string;
  /** true: only jobs whose subtitle needs review; false: only those that do not */
  needsReview?: boolean;
}

/** The validated refinements, or null when the listing is the contract's plain one (newest first, no search). */
function refinementsOf(q: ListRefinements): { search?: string; sort: repo.JobSort; order: 'asc' | 'desc'; ruleId?: number; language?: string; needsReview?: boolean } | null {
  const search = q.search?.trim() || undefined;
  const sort = q.sort || 'added';
  const order = q.order || 'desc';
  const language = q.language?.trim() ? requireLanguage(q.language.trim(), 'language') : undefined;
  if (!search && sort === 'added' && order === 'desc' && q.ruleId === undefined && !language && q.needsReview === undefined) return null;
  return { search, sort, order, ruleId: q.ruleId, language, needsReview: q.needsReview };
}

export { AppError };
