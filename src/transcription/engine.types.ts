/**
 * TranscriptionEngine: what the pipeline needs from an engine. Two
 * implementations: the local whisper.cpp engine (`WhisperEngine`, engine.ts)
 * and the remote Whisper servers (`RemoteEngine`, engines/remote-engine.ts).
 * The pipeline takes one and never builds one; the worker's engine cache (src/workers/worker-engine.ts) decides when an
 * engine is reused, the CLI and tests build a local one (`withLocalEngine`).
 */
import type { DecodeOptions, Segment } from './types.js';
import type { Span } from './vad.js';

/**
 * What whisper.cpp tells of a segment beyond Segment's fields (engine.ts
 * keeps them on the segment objects, so they travel with a provider job's
 * result): the decoded token ids, and the decoding temperature of the request.
 */
export interface SegmentDetails {
  tokens?: number[];
  temperature?: number;
}

export interface EngineResult {
  segments: Segment[];
  /** Whisper code the decoder used or detected */
  language: string | null;
  languageProbabilities?: Record<string, number>;
}

export interface LanguageDetection {
  /** Whisper code of the most probable language, null when the engine named none */
  language: string | null;
  /** Whisper code -> probability (a remote server may give only its answer) */
  probabilities: Record<string, number>;
}

export interface EngineCapabilities {
  /**
   * Silero VAD runs on this machine: decoding can be VAD-gated and language
   * detection takes its windows from speech (`speechSpans`). A remote server
   * does its own.
   */
  vad: boolean;
  /** word timings in the segments */
  wordTimestamps: boolean;
  /** Whisper's translate task (any language -> English) */
  translate: boolean;
  /** device_used of a job: `cpu`, `cuda:0`, `remote_asr:host:port` */
  device: string;
}

export interface EngineRunHooks {
  onProgress?(percent: number): void;
  signal?: AbortSignal;
}

export interface TranscriptionEngine {
  /** model_used of a job and the subtitle's ownership record: the model as the resolver named it, or the remote server */
  readonly label: string;
  readonly capabilities: EngineCapabilities;
  /**
   * One 16 kHz mono s16 WAV (at most a chunk of the pipeline) -> segments with
   * times relative to the buffer's start. One call at a time per engine.
   */
  transcribeWav(wav: Buffer, opts: DecodeOptions, hooks?: EngineRunHooks): Promise<EngineResult>;
  /** The language of one WAV window. */
  detectLanguage(wav: Buffer, hooks?: Pick<EngineRunHooks, 'signal'>): Promise<LanguageDetection>;
  /** Speech spans of a (bounded) WAV file, seconds; [] when `capabilities.vad` is false. */
  speechSpans(wavPath: string, hooks?: Pick<EngineRunHooks, 'signal'>): Promise<Span[]>;
  /** The model file held in this machine's memory (the worker row's model_loaded); null when none is, or for a remote server. */
  readonly loadedModel: string | null;
  /** Process id doing the inference here (GPU memory readings); null for none. */
  readonly pid: number | null;
  /** Gives the model's memory back; a later transcription loads it again. */
  unload(): Promise<void>;
  close(): Promise<void>;
}
