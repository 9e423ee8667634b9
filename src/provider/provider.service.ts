/**
 * Provider requests (Bazarr's whisperai provider, whisper-asr-webservice and
 * OpenAI clients) become jobs in the same queue as library jobs, at the
 * provider priority, so workers never run more than the hardware allows and
 * the API stays responsive. A request is keyed by the hash of its audio and
 * the parameters that change the transcription: identical requests share one
 * job, and a result that finished after its client gave up is kept and
 * served to the same request again.
 */
import { createHash } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type { CoreContext } from '../core/context.js';
import type { JobRow } from '../db/schema.js';
import { AppError } from '../errors.js';
import { ERROR_CODES, isErrorCode } from '../error-codes.js';
import { findJob, findLiveJobForFile } from '../jobs/jobs.repository.js';
import { newJobId } from '../jobs/jobs.service.js';
import { isTerminalStatus } from '../job-kinds.js';
import * as life from '../jobs/job-lifecycle.repository.js';
import { normalizeLanguage, toWhisperCode } from '../languages.js';
import { providerQualityPreset, type Segment } from '../transcription/index.js';
import type { AsrJobParams } from './provider.params.js';
import * as repo from './provider.repository.js';
import { removeUpload, type StoredUpload } from './provider.upload.js';
import { deleteBlob } from './job-blobs.repository.js';
import { storeUpload, type BlobInfo } from './upload-store.js';
import { audioShift, namedMediaPath, resolveVideoFile, shiftSegments, type MediaAudio, type VideoFile } from './video-file.js';
import { libraryJobFor, readSubtitleSegments } from './library-share.js';
import { partialSegments } from './partial-results.js';
import { formatBytes } from '../format.js';
import { onJobSignal } from '../jobs/job-signals.js';

export interface AsrResult {
  segments: Segment[];
  /** Whisper code */
  language: string;
  duration: number;
  task: 'transcribe' | 'translate';
}

export interface DetectResult {
  /** Whisper code */
  language: string;
  language_name: string;
  confidence: number;
}

/** What a provider job carries in jobs.options. */
export interface ProviderJobOptions extends Partial<AsrJobParams> {
  kind: 'asr' | 'detect';
  /** the audio in the database (job_blobs under the job's id): any node's worker reads it */
  blob?: BlobInfo;
  /** a job queued before uploads went into the database: the file on its server's disk (node_affinity) */
  upload?: string;
  /** bytes of audio the client sent */
  upload_bytes: number;
  /** the request's video_file when it resolved inside the media roots (never set from a path outside them) */
  media_path?: string;
}

export interface Answer<T> {
  result: T;
  jobId: string;
  /** served from a kept result without running anything */
  kept: boolean;
}

/** How a route tells the service that its client went away (and, for streaming answers, hears how the job goes). */
export interface ClientLink {
  onDisconnect(fn: () => void): void;
  /** the job that will answer is known (a streaming route starts its answer here) */
  onJob?(jobId: string): void;
  /** segments decoded so far by the running job, times as in the answer (streaming, see partial-results.ts) */
  onPartial?(segments: Segment[]): void;
}

/**
 * A waiting request reads its job when the job's end is announced
 * (jobs/job-signals.ts: over the worker IPC, or NOTIFY on PostgreSQL), and
 * otherwise every FALLBACK_POLL_MS, for an end whose signal was lost (a
 * worker node on another machine sharing a SQLite file). A streaming request
 * reads it every PARTIAL_POLL_MS, for the segments decoded so far.
 */
const FALLBACK_POLL_MS = 1000;
const PARTIAL_POLL_MS = 200;

interface Watch {
  waiters: number;
  done: Promise<JobRow>;
  stop(): void;
  /** called with the row at every poll */
  seen: Set<(row: JobRow) => void>;
}

function requestKey(kind: 'asr' | 'detect', audioSha256: string, params: Partial<AsrJobParams>): string {
  const canonical = JSON.stringify(kind === 'asr'
    ? { task: params.task ?? 'transcribe', language: params.language ?? null, prompt: params.initialPrompt ?? null, vad: params.vad ?? null, temperature: params.temperature ?? null, model: params.model ?? null }
    : {});
  return `provider://${kind}/${createHash('sha256').update(`${audioSha256}\n${canonical}`).digest('hex')}`;
}

/**
 * The `disconnect-cleanup` event of ProviderService: a client left while
 * waiting for `jobId`, and what follows is finished (the job cancelled when
 * it was still queued and no other request waited for it, and then its
 * audio removed from the database; the upload file went when the job was
 * queued).
 */
export interface DisconnectCleanup {
  jobId: string;
  cancelled: boolean;
}

export class ProviderService extends EventEmitter {
  private readonly watches = new Map<string, Watch>();
  /** What runs after a client left: cancelling its queued job and removing the job's audio. */
  private readonly cleanups = new Set<Promise<void>>();

  /** One per server (built by server/context.ts): its waits are shared by all provider routes. */
  constructor(private readonly ctx: CoreContext) {
    super();
  }

  private get db() {
    return this.ctx.database.db;
  }

  /** `videoFile`: the client's media path (video_file), see video-file.ts for what it may be used for. */
  async transcribe(upload: StoredUpload, params: AsrJobParams, link: ClientLink, videoFile?: string | null): Promise<Answer<AsrResult>> {
    const target = params.task === 'translate' ? 'eng' : (normalizeLanguage(params.language) ?? 'und');
    return this.run<AsrResult>('asr', upload, params, target, link, videoFile);
  }

  async detect(upload: StoredUpload, link: ClientLink, videoFile?: string | null): Promise<Answer<DetectResult>> {
    return this.run<DetectResult>('detect', upload, {}, 'und', link, videoFile);
  }

  private async run<T>(kind: 'asr' | 'detect', upload: StoredUpload, params: Partial<AsrJobParams>, target: string, link: ClientLink, videoFile?: string | null): Promise<Answer<T>> {
    const key = requestKey(kind, upload.sha256, params);
    try {
      const video = await resolveVideoFile(this.ctx.settings, videoFile);
      // A library file: its audio start offset moves the answer, and the library's own job for it may answer.
      const media = kind === 'asr' && video?.mediaPath ? await audioShift(video.mediaPath, params.language, upload) : null;
      const adjust = (r: T): T => (media?.shift ? ({ ...r, segments: shiftSegments((r as AsrResult).segments, media.shift) } as T) : r);
      if (kind === 'asr' && video?.mediaPath) {
        const paths = [video.mediaPath, namedMediaPath(this.ctx.settings, videoFile!) ?? video.mediaPath];
        const shared = await this.fromLibrary(paths, target, params, media, link);
        if (shared) return shared as Answer<T>;
      }
      const kept = await this.keptResult(key);
      if (kept) return { result: adjust(parseResult<T>(kept)), jobId: kept.id, kept: true };
      const { job } = await this.jobFor(kind, key, upload, params, target, video);
      // The job's copy of the audio is in the database (or an identical request's job has its own):
      // the file goes now, so a request that waits holds nothing on this server's disk.
      await removeUpload(upload.path);
      link.onJob?.(job.id);
      const row = await this.waitFor(job.id, media?.shift ? { ...link, onPartial: link.onPartial && ((segs) => link.onPartial!(shiftSegments(segs, media.shift))) } : link);
      return { result: adjust(this.answerOf<T>(row)), jobId: row.id, kept: false };
    } finally {
      // Every other way out (a kept result, the library's answer, an error) leaves no file either.
      await removeUpload(upload.path);
    }
  }

  /**
   * The answer from the library's job for this file and language
   * (library-share.ts): its subtitle when it finished, else it is waited for
   * (never cancelled when this client leaves). Null when there is none, or it
   * ended without a subtitle: then the request is transcribed itself.
   */
  private async fromLibrary(paths: string[], target: string, params: Partial<AsrJobParams>, media: MediaAudio | null, link: ClientLink): Promise<Answer<AsrResult> | null> {
    let row = await libraryJobFor(this.db, paths, target);
    if (!row) return null;
    const ran = row.status !== 'completed';
    if (ran) {
      link.onJob?.(row.id);
      try {
        row = await this.waitFor(row.id, link, { own: false });
      } catch (e) {
        // The library job was deleted meanwhile: transcribe the request itself.
        if (e instanceof AppError && e.code === 'job_removed') return null;
        throw e;
      }
    }
    const segments = row.status === 'completed' && row.output_path ? await readSubtitleSegments(row.output_path) : null;
    if (!segments) return null;
    this.ctx.log.info({ job_id: row.id, file: row.file_path }, 'provider request answered from the library job of the same file and language');
    const language = toWhisperCode(target) ?? target;
    return { result: { segments, language, duration: media?.duration ?? segments.at(-1)!.end, task: params.task ?? 'transcribe' }, jobId: row.id, kept: !ran };
  }

  private async keptResult(key: string): Promise<JobRow | undefined> {
    const ttlMin = this.ctx.settings.getNumber('provider_result_ttl_minutes');
    if (!(ttlMin > 0)) return undefined;
    const row = await repo.findKeptResult(this.db, key, new Date(Date.now() - ttlMin * 60_000).toISOString());
    return row?.result ? row : undefined;
  }

  /** The live job of this request key, or a new one (the unique index on live paths settles races). */
  private async jobFor(kind: 'asr' | 'detect', key: string, upload: StoredUpload, params: Partial<AsrJobParams>, target: string, video: VideoFile | null): Promise<{ job: JobRow; created: boolean }> {
    // The audio goes into the database under the new job's id before the job exists, so no worker claims a job whose audio is half written.
    let stored: { id: string; blob: BlobInfo } | null = null;
    const dropStored = async () => {
      if (stored) await deleteBlob(this.db, stored.id).catch((e) => this.ctx.log.warn({ err: e, job_id: stored?.id }, 'could not remove a provider upload from the database; the clean-up removes it'));
      stored = null;
    };
    try {
      for (let attempt = 0; attempt < 5; attempt++) {
        const live = await findLiveJobForFile(this.db, key);
        if (live) return await dropStored().then(() => ({ job: live, created: false }));
        const kept = await this.keptResult(key);
        if (kept) return await dropStored().then(() => ({ job: kept, created: false }));
        await this.requireWorker();
        if (!stored) {
          const id = newJobId();
          stored = { id, blob: await storeUpload(this.db, id, upload, { compress: this.ctx.settings.getBoolean('provider_compress_uploads'), tools: this.ctx.config.tools }) };
        }
        const created = await this.createJob(kind, key, stored, upload, params, target, video);
        if (created) {
          stored = null;
          return { job: created, created: true };
        }
        // lost the race to an identical request: use the winner's job
      }
    } catch (e) {
      await dropStored();
      throw e;
    }
    await dropStored();
    throw new AppError(503, 'provider_busy', 'Could not queue the request: identical requests kept replacing each other; try again');
  }

  /** The job of a stored upload; null when an identical request's job was created first. */
  private async createJob(kind: 'asr' | 'detect', key: string, stored: { id: string; blob: BlobInfo }, upload: StoredUpload, params: Partial<AsrJobParams>, target: string, video: VideoFile | null): Promise<JobRow | null> {
    const options: ProviderJobOptions = { kind, blob: stored.blob, upload_bytes: upload.bytes, ...params, ...(video?.mediaPath ? { media_path: video.mediaPath } : {}) };
    try {
      const job = await this.ctx.jobs.create({
        id: stored.id,
        // Always the synthetic key: the job never reads nor writes at the client's path.
        file_path: key,
        file_name: video?.name ?? `${kind === 'asr' ? 'ASR' : 'Language detection'} request (${formatBytes(upload.bytes)})`,
        job_type: kind === 'asr' ? 'provider_asr' : 'provider_detect',
        target_lang: target,
        source_lang: params.language ? normalizeLanguage(params.language) : null,
        transcribe_or_translate: params.task ?? 'transcribe',
        priority: this.ctx.settings.getNumber('provider_job_priority'),
        is_manual_request: true,
        options: options as unknown as Record<string, unknown>,
        synthetic_path: true,
        // No node_affinity: the audio is in the database, a worker on any node can run the job.
        // The preset the handler resolves model and decoding with (provider_quality_preset).
        quality_preset: providerQualityPreset((k) => this.ctx.settings.get(k)),
      });
      return (await findJob(this.db, job.id))!;
    } catch (e) {
      if (e instanceof AppError && e.code === 'duplicate_job') return null;
      throw e;
    }
  }

  private async requireWorker(): Promise<void> {
    const s = this.ctx.settings;
    const windowMs = Math.max(s.getNumber('job_lease_seconds') || 60, 3 * (s.getNumber('worker_heartbeat_seconds') || 5)) * 1000;
    // Any node's worker can run a provider job: its audio travels through the database.
    if ((await repo.countLiveWorkers(this.db, Date.now() - windowMs)) > 0) return;
    throw new AppError(503, 'no_workers', 'No worker is running on any node to process the request: start one (the Workers page, the worker_cpu_count setting, or `transcriptorio worker` on another machine) and try again');
  }

  /** provider_max_upload_mb in bytes: the largest upload a request may send (413 above). */
  maxUploadBytes(): number {
    return Math.max(1, this.ctx.settings.getNumber('provider_max_upload_mb')) * (1 << 20);
  }

  /**
   * Waits for the job to end, up to provider_timeout_seconds. Requests for
   * the same job share one poll. When the last waiting client disconnects
   * before a worker took the job, the job is cancelled (`own: false`, a
   * library job: never).
   */
  private async waitFor(jobId: string, link: ClientLink, opts: { own?: boolean } = {}): Promise<JobRow> {
    const w = this.watch(jobId);
    w.waiters++;
    const onRow = link.onPartial ? (row: JobRow) => { const p = partialSegments(row); if (p) link.onPartial!(p); } : null;
    if (onRow) w.seen.add(onRow);
    let left = false;
    const leave = () => {
      if (left) return false;
      left = true;
      w.waiters--;
      if (onRow) w.seen.delete(onRow);
      if (w.waiters > 0) return false;
      w.stop();
      this.watches.delete(jobId);
      return true;
    };
    const timeoutS = this.ctx.settings.getNumber('provider_timeout_seconds') || 3600;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((r) => (timer = setTimeout(() => r('timeout'), timeoutS * 1000)));
    const disconnected = new Promise<'gone'>((r) => link.onDisconnect(() => r('gone')));
    try {
      const outcome = await Promise.race([w.done, timedOut, disconnected]);
      if (outcome === 'gone') {
        // Leaving and tracking the clean-up happen in one step: activeWaits() never reads 0 before it is done.
        const last = leave();
        await this.track(jobId, last && opts.own !== false ? this.cancelAbandoned(jobId) : Promise.resolve(false));
        throw new AppError(499, 'client_closed', 'The client closed the connection');
      }
      if (outcome === 'timeout') {
        throw new AppError(
          504,
          'provider_timeout',
          `The request is still being processed (job ${jobId}) after ${timeoutS} s (provider_timeout_seconds). It keeps running: send the same request again later and the kept result is returned at once.`,
        );
      }
      return outcome;
    } finally {
      clearTimeout(timer);
      leave();
    }
  }

  /** The job of a request whose last client left: cancelled while still queued, and then its audio removed. True when cancelled. */
  private async cancelAbandoned(jobId: string): Promise<boolean> {
    const cancelled = await life
      .cancel(this.db, jobId, { onlyQueued: true, reason: 'cancelled: the client disconnected before a worker started it' })
      .catch(() => false);
    if (!cancelled) return false;
    this.ctx.log.info({ job_id: jobId }, 'provider request abandoned before it started: job cancelled');
    // Nobody runs the job now: its audio goes with it.
    await deleteBlob(this.db, jobId).catch((e) => this.ctx.log.warn({ err: e, job_id: jobId }, 'could not remove the audio of a cancelled provider job; the clean-up removes it'));
    return true;
  }

  /** Counts the clean-up in activeWaits() until it is done, then tells listeners (see DisconnectCleanup). */
  private track(jobId: string, cleanup: Promise<boolean>): Promise<void> {
    const p = cleanup.then(
      (cancelled) => {
        this.cleanups.delete(p);
        this.emit('disconnect-cleanup', { jobId, cancelled } satisfies DisconnectCleanup);
      },
      (e: unknown) => {
        this.cleanups.delete(p);
        this.ctx.log.warn({ err: e, job_id: jobId }, 'clean-up after a client disconnect failed; the periodic clean-up removes what is left');
        this.emit('disconnect-cleanup', { jobId, cancelled: false } satisfies DisconnectCleanup);
      },
    );
    this.cleanups.add(p);
    return p;
  }

  private watch(jobId: string): Watch {
    const existing = this.watches.get(jobId);
    if (existing) return existing;
    let stopped = false;
    let timer: NodeJS.Timeout | undefined;
    /** a read is under way; `again`: the job's end was announced meanwhile, read once more right after */
    let reading = false;
    let again = false;
    let tick: () => Promise<void> = async () => {};
    const done = new Promise<JobRow>((resolve, reject) => {
      tick = async () => {
        if (stopped) return;
        if (reading) return void (again = true);
        reading = true;
        clearTimeout(timer);
        try {
          const row = await findJob(this.db, jobId);
          if (!row || isTerminalStatus(row.status)) {
            stop();
            if (row) resolve(row);
            else reject(new AppError(503, 'job_removed', `Job ${jobId} of this request was deleted before it finished`));
            return;
          }
          for (const fn of w.seen) fn(row);
        } catch (e) {
          this.ctx.log.debug({ err: e, job_id: jobId }, 'provider poll failed; retrying');
        } finally {
          reading = false;
        }
        if (stopped) return;
        if (again) {
          again = false;
          return void tick();
        }
        timer = setTimeout(() => void tick(), w.seen.size ? PARTIAL_POLL_MS : FALLBACK_POLL_MS);
      };
    });
    done.catch(() => undefined);
    const off = onJobSignal((s) => {
      if (s.kind === 'ended' && s.jobId === jobId) void tick();
    });
    const stop = () => {
      stopped = true;
      clearTimeout(timer);
      off();
    };
    const w: Watch = { waiters: 0, done, stop, seen: new Set() };
    void tick();
    this.watches.set(jobId, w);
    void done.then(() => this.watches.get(jobId) === w && this.watches.delete(jobId), () => this.watches.get(jobId) === w && this.watches.delete(jobId));
    return w;
  }

  /** A finished job -> its result, or the HTTP error that says why there is none. */
  private answerOf<T>(row: JobRow): T {
    if (row.status === 'completed') return parseResult<T>(row);
    throw jobFailureError(row);
  }

  /**
   * Requests this server still handles for a job (status page `waiting_requests`,
   * tests): waiting for it, or cleaning up after their client left. It reaches
   * 0 only once that clean-up is done, so a caller on another process can
   * watch for it.
   */
  activeWaits(): number {
    return [...this.watches.values()].reduce((n, w) => n + w.waiters, 0) + this.cleanups.size;
  }
}

/**
 * The HTTP error of a provider job that did not complete, never a 200. The
 * status is the registry's for the job's error_code: 4xx when the audio or
 * the request is at fault (corrupt_media, no_audio_track: 422), 503 when the
 * engine cannot run (model_missing, engine_not_built), 500 for the rest. A
 * job without a known code (failed before codes were stored) is a 500.
 */
export function jobFailureError(row: Pick<JobRow, 'id' | 'status' | 'error' | 'error_code'>): AppError {
  if (row.status === 'cancelled') return new AppError(503, 'job_cancelled', `The request's job ${row.id} was cancelled${row.error ? `: ${row.error}` : ''}`);
  const code = isErrorCode(row.error_code) ? row.error_code : 'transcription_failed';
  const { status } = ERROR_CODES[code];
  const lead = status < 500 ? 'The audio could not be transcribed' : status === 503 ? 'The engine cannot run' : 'The transcription failed';
  return new AppError(status, code, `${lead}: ${row.error ?? 'unknown error'}`);
}

function parseResult<T>(row: JobRow): T {
  if (!row.result) throw new AppError(500, 'result_missing', `Job ${row.id} completed without a result`);
  return JSON.parse(row.result) as T;
}

