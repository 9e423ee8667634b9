/**
 * The kinds of the job model, each defined once: the TypeBox schemas, the
 * row types, the services and the web UI take their unions from here.
 */
export const JOB_STATUSES = ['queued', 'processing', 'completed', 'failed', 'cancelled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** A job still to run or running: one per file at most (a unique index). */
export const LIVE_STATUSES = ['queued', 'processing'] as const satisfies readonly JobStatus[];
export const TERMINAL_STATUSES = ['completed', 'failed', 'cancelled'] as const satisfies readonly JobStatus[];
export type TerminalStatus = (typeof TERMINAL_STATUSES)[number];

/** What a worker can be asked to do: a library file, or a provider (Bazarr, OpenAI) request. */
export const JOB_TYPES = ['transcription', 'provider_asr', 'provider_detect'] as const;
export type JobType = (typeof JOB_TYPES)[number];
export const PROVIDER_JOB_TYPES = ['provider_asr', 'provider_detect'] as const satisfies readonly JobType[];

export const JOB_MODES = ['transcribe', 'translate'] as const;
export type JobMode = (typeof JOB_MODES)[number];

export const isJobMode = (s: string): s is JobMode => (JOB_MODES as readonly string[]).includes(s);
export const isLiveStatus = (s: string): boolean => (LIVE_STATUSES as readonly string[]).includes(s);
export const isTerminalStatus = (s: string): boolean => (TERMINAL_STATUSES as readonly string[]).includes(s);

/** How GET /api/jobs may sort (the repository's page plans). */
export const JOB_SORTS = ['added', 'priority', 'status'] as const;
export type JobSort = (typeof JOB_SORTS)[number];
