/**
 * Segments of a provider job while it runs, for answers that stream them
 * (`stream=true` on /v1/audio/transcriptions). The worker keeps what each
 * decoded chunk gave in the job's `result` column as `{"partial": true,
 * "segments": [...]}` until the job completes and the life cycle writes the
 * real result over it; the waiting request reads it at every poll
 * (provider.service.ts). A kept result is only ever read from a completed
 * job, so a partial one is never served as an answer.
 *
 * The worker side is an engine wrapper: the pipeline sends the audio to the
 * engine chunk after consecutive chunk (transcribe-audio.ts), so the wrapper
 * knows where each chunk starts without the pipeline telling it.
 *
 *   const engine = withPartialResults(h, await h.engine.acquire(spec));
 */
import type { Db } from '../db/database.js';
import type { JobRow } from '../db/schema.js';
import type { Segment, TranscriptionEngine } from '../transcription/index.js';
import type { JobHandlerContext } from '../core/job-handler.js';

const WAV_HEADER = 44;
const BYTES_PER_SECOND = 16000 * 2;

/** The segments decoded so far of a running job, or null when it kept none. */
export function partialSegments(row: Pick<JobRow, 'status' | 'result'>): Segment[] | null {
  if (row.status !== 'processing' || !row.result) return null;
  try {
    const r = JSON.parse(row.result) as { partial?: boolean; segments?: Segment[] };
    return r.partial === true && Array.isArray(r.segments) ? r.segments : null;
  } catch {
    return null;
  }
}

/** Keeps the segments so far on the job, only while this worker still holds it. */
export async function savePartialSegments(db: Db, jobId: string, workerId: string, segments: Segment[]): Promise<void> {
  await db
    .updateTable('jobs')
    .set({ result: JSON.stringify({ partial: true, segments }) })
    .where('id', '=', jobId)
    .where('worker_id', '=', workerId)
    .where('status', '=', 'processing')
    .execute();
}

/**
 * The engine, with every chunk's segments reported (times from the start of
 * the audio) as they are decoded. Language detection goes through
 * `detectLanguage` and is not counted.
 */
export function tapChunks(engine: TranscriptionEngine, onChunk: (all: Segment[]) => void | Promise<void>): TranscriptionEngine {
  let at = 0;
  const all: Segment[] = [];
  return {
    get label() {
      return engine.label;
    },
    get capabilities() {
      return engine.capabilities;
    },
    get loadedModel() {
      return engine.loadedModel;
    },
    get pid() {
      return engine.pid;
    },
    async transcribeWav(wav, opts, hooks) {
      const from = at;
      const r = await engine.transcribeWav(wav, opts, hooks);
      at += Math.max(0, wav.length - WAV_HEADER) / BYTES_PER_SECOND;
      for (const s of r.segments) all.push({ ...s, start: s.start + from, end: s.end + from, words: undefined });
      await onChunk(all.slice());
      return r;
    },
    detectLanguage: (wav, hooks) => engine.detectLanguage(wav, hooks),
    speechSpans: (path, hooks) => engine.speechSpans(path, hooks),
    unload: () => engine.unload(),
    close: () => engine.close(),
  };
}

/** A provider job's engine that keeps its segments on the job as they are decoded (a failed write only costs the stream). */
export function withPartialResults(h: Pick<JobHandlerContext<unknown>, 'job' | 'database' | 'log'>, engine: TranscriptionEngine): TranscriptionEngine {
  const workerId = h.job.worker_id;
  if (!workerId) return engine;
  return tapChunks(engine, (segments) =>
    savePartialSegments(h.database.db, h.job.id, workerId, segments).catch((e) => h.log.debug({ err: e, job_id: h.job.id }, 'could not keep the partial segments of a provider job')),
  );
}
