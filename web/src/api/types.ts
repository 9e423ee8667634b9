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

export type SystemStatus = ResponseOf<'/api/status', 'get'>;
export type JobList = ResponseOf<'/api/jobs', 'get'>;
export type Job = ResponseOf<'/api/jobs/{job_id}', 'get'>;
export type JobStatus = Job['status'];
export type NewJob = BodyOf<'/api/jobs', 'post'>;
export type BulkAction = BodyOf<'/api/jobs/bulk', 'post'>['action'];
export type QueueStats = ResponseOf<'/api/jobs/stats', 'get'>;
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

/** A job's quality report and review state (GET /api/jobs/{job_id}/quality). */
export type JobQuality = ResponseOf<'/api/jobs/{job_id}/quality', 'get'>;
export type QualityReport = JobQuality['report'];
export type FlaggedCue = Item<QualityReport['flagged']>;
export type FlagReason = FlaggedCue['reasons'][number];
type ItemDetail = ResponseOf<'/api/library/items/{id}', 'get'>;
/** A generated subtitle's judgement on a library item (external_subtitles[].quality). */
export type SubtitleQuality = NonNullable<Item<ItemDetail['external_subtitles']>['quality']>;
