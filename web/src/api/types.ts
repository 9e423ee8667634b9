// Domain types, all derived from the generated OpenAPI types (schema.d.ts) so a
// change on the server shows up here as a type error, never as a silent drift.
import type { paths } from './schema';

type JsonOf<R> = R extends { content: { 'application/json': infer J } } ? J : never;
type Ok<R> = R extends { 200: infer X } ? JsonOf<X> : R extends { 201: infer X } ? JsonOf<X> : R extends { 202: infer X } ? JsonOf<X> : never;

/** The JSON body of a path's success answer. */
export type ResponseOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { responses: infer R }
  ? Ok<R>
  : never;

/** The query parameters of a path. */
export type QueryOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends { parameters: { query?: infer Q } } ? NonNullable<Q> : never;

/** The JSON request body of a path. */
export type BodyOf<P extends keyof paths, M extends keyof paths[P]> = paths[P][M] extends {
  requestBody?: { content: { 'application/json': infer B } };
}
  ? B
  : never;

type Item<T> = T extends readonly (infer I)[] ? I : never;

export type SystemStatus = ResponseOf<'/api/status', 'get'> & { needs_review?: number };
export type JobList = ResponseOf<'/api/jobs', 'get'>;
/** A job; `needs_review` and `quality_score` say how its subtitle was judged (optional: older answers lack them). */
export type Job = ResponseOf<'/api/jobs/{job_id}', 'get'> & { needs_review?: boolean; quality_score?: number | null };
export type JobStatus = Job['status'];
export type NewJob = BodyOf<'/api/jobs', 'post'>;
export type BulkAction = BodyOf<'/api/jobs/bulk', 'post'>['action'];
export type QueueStats = ResponseOf<'/api/jobs/stats', 'get'> & { needs_review?: number };
/** Workers of every node, with `node` and `pid` beside the contract's fields. */
export type Worker = Item<ResponseOf<'/api/workers', 'get'>>;
export type NewWorker = BodyOf<'/api/workers', 'post'>;
export type WorkerStats = ResponseOf<'/api/workers/stats', 'get'>;
export type Rule = Item<ResponseOf<'/api/scan-rules', 'get'>>;
export type RuleInput = BodyOf<'/api/scan-rules', 'post'>;
export type ScannerStatus = ResponseOf<'/api/scanner/status', 'get'>;
export type ScanResult = ResponseOf<'/api/scanner/scan', 'post'>;
export type ScanDecision = Item<NonNullable<ScanResult['decisions']>>;
export type Setting = Item<ResponseOf<'/api/settings', 'get'>>;
export type Resources = ResponseOf<'/api/system/resources', 'get'>;
export type Gpu = Item<ResponseOf<'/api/system/gpus', 'get'>>;
export type BrowseResult = ResponseOf<'/api/filesystem/browse', 'get'>;
export type FsItem = Item<BrowseResult['items']>;
export type CommonPath = Item<ResponseOf<'/api/filesystem/common-paths', 'get'>>;
export type SetupStatus = ResponseOf<'/api/setup/status', 'get'>;
export type StandaloneSetup = BodyOf<'/api/setup/standalone', 'post'>;
export type SetupResult = ResponseOf<'/api/setup/bazarr-slave', 'post'>;
export type Language = Item<ResponseOf<'/api/languages', 'get'>>;
export type Model = Item<ResponseOf<'/api/models', 'get'>>;

/** `scan.progress` event payload: a scan run's progress, as the API documents it. */
export type ScanProgress = Omit<ResponseOf<'/api/scanner/scans/{scan_id}', 'get'>['progress'], 'scan_id'>;

/** `model.download` event payload. */
export interface ModelDownload {
  name: string;
  received_bytes: number;
  total_bytes: number | null;
  percent: number | null;
  /** downloading | done | error | cancelled */
  status: string;
  bytes_per_second?: number | null;
  error?: string | null;
}

/** Live events from GET /api/events and their payloads. */
export interface LiveEvents {
  'job.created': Job;
  'job.updated': Job;
  'job.deleted': { id: string };
  'worker.updated': Worker;
  'workers.removed': { worker_ids: string[] };
  'scan.progress': ScanProgress;
  'scan.completed': ScanResult;
  'model.download': ModelDownload;
  stats: QueueStats;
  /** a library item changed (as GET /api/library/items lists it) */
  'library.item': Item<ResponseOf<'/api/library/items', 'get'>['items']>;
  /** many items changed at once (a rule edit, a scan): reload */
  'library.changed': { reason: string; count: number };
}

// The quality report of a job, as GET /api/jobs/{job_id}/quality serves it
// (the server's QualityReport, src/transcription/quality/types.ts).

export type FlagReason =
  | 'low_confidence'
  | 'no_speech'
  | 'loop'
  | 'repeat'
  | 'over_silence'
  | 'stock_phrase'
  | 'reading_speed'
  | 'line_length'
  | 'too_many_lines'
  | 'too_short'
  | 'too_long'
  | 'overlap'
  | 'past_end';

export interface FlaggedCue {
  /** index in the written cues; null for a segment the filter removed */
  index: number | null;
  start: number;
  end: number;
  text: string;
  reasons: FlagReason[];
  /** one sentence per reason */
  details: string[];
}

export interface RedecodeAttempt {
  start: number;
  end: number;
  reasons: FlagReason[];
  before: number;
  after: number | null;
  outcome: 'replaced' | 'kept' | 'failed' | 'skipped_budget';
  seconds: number;
  model: string;
}

/** The parts of the report the UI shows; the server sends more (speech, repeats, confidence, readability, coverage). */
export interface QualityReport {
  version: number;
  score: number;
  needs_review: boolean;
  threshold: number;
  cues: number;
  penalties: Record<string, number>;
  speech: { available: boolean; speech_seconds: number | null; speech_covered: number | null; cue_over_silence: number | null };
  flagged: FlaggedCue[];
  redecode: { enabled: boolean; attempts: RedecodeAttempt[]; seconds: number; budget_seconds: number };
}

/** GET /api/jobs/{job_id}/quality */
export interface JobQuality {
  job_id: string;
  quality_score: number | null;
  needs_review: boolean;
  review_accepted_at: string | null;
  report: QualityReport;
}

/** A generated subtitle's judgement in GET /api/library/items/{id} (external_subtitles[].quality). */
export interface SubtitleQuality {
  job_id: string;
  score: number | null;
  needs_review: boolean;
  /** how many cues are flagged (null when unknown) */
  flagged: number | null;
}

/** The latest scored job of one language of a library item (the item's `quality`). */
export interface ItemQuality {
  target_lang: string;
  job_id: string;
  score: number | null;
  needs_review: boolean;
  review_accepted_at: string | null;
  report: QualityReport | null;
}
