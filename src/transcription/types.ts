/** Shared shapes of the transcription library. Times are seconds from the start of the media. */

export interface Word {
  start: number;
  end: number;
  text: string;
  probability?: number;
}

export interface Segment {
  start: number;
  end: number;
  text: string;
  words?: Word[];
  /** whisper.cpp's no-speech probability for the window, when known */
  noSpeechProb?: number;
  avgLogprob?: number;
}

export type Task = 'transcribe' | 'translate';
export type Device = 'cpu' | 'cuda' | 'vulkan';
export type SubtitleFormat = 'srt' | 'vtt' | 'ass' | 'lrc' | 'txt' | 'tsv' | 'json';
export const SUBTITLE_FORMATS: readonly SubtitleFormat[] = ['srt', 'vtt', 'ass', 'lrc', 'txt', 'tsv', 'json'];

/** Decoding options passed to the engine for one run. */
export interface DecodeOptions {
  /** Whisper (ISO 639-1) code, or 'auto' / null to let the model decide per window */
  language?: string | null;
  task?: Task;
  beamSize?: number;
  bestOf?: number;
  temperature?: number;
  temperatureFallback?: boolean;
  initialPrompt?: string;
  wordTimestamps?: boolean;
  /** Gate decoding with Silero VAD (the engine must have been loaded with a VAD model) */
  vad?: boolean;
  vadThreshold?: number;
}

export interface LanguageGuess {
  /** ISO 639-1 (or Whisper's code where there is none) */
  language: string;
  languageName: string;
  confidence: number;
}

export interface LineBreakOptions {
  maxLineChars: number;
  maxLines: number;
  minDuration: number;
  maxDuration: number;
  maxCps: number;
}

export const DEFAULT_LINE_BREAK: LineBreakOptions = { maxLineChars: 42, maxLines: 2, minDuration: 0.83, maxDuration: 7, maxCps: 20 };
